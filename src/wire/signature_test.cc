#include "wire/signature.h"

#include <gtest/gtest.h>

namespace otsync::wire {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;

HeaderMap ListTableRequestHeaders() {
  return {{"x-ots-date", "2024-01-02T03:04:05.678Z"},
          {"x-ots-apiversion", "2015-12-31"},
          {"x-ots-accesskeyid", "testid"},
          {"x-ots-instancename", "testinst"},
          {"x-ots-contentmd5", "1B2M2Y8AsgTpgAmY7PhCfg=="}};
}

TEST(SignatureTest, RequestVector) {
  EXPECT_EQ(SignRequest("ListTable", ListTableRequestHeaders(), "testsecret"),
            "mXWCF5NK3ue0leWbipsRmLpH2qE=");
}

TEST(SignatureTest, RequestIgnoresSignatureAndNonOtsHeadersAndNormalizesNames) {
  HeaderMap headers;
  for (const auto& [name, value] : ListTableRequestHeaders()) {
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    headers[upper] = " " + value + "\t";
  }
  headers["X-OTS-Signature"] = "whatever";
  headers["content-length"] = "0";
  headers["host"] = "127.0.0.1";
  EXPECT_EQ(SignRequest("ListTable", headers, "testsecret"), "mXWCF5NK3ue0leWbipsRmLpH2qE=");
}

TEST(SignatureTest, RequestSignatureDependsOnEveryInput) {
  const std::string reference = SignRequest("ListTable", ListTableRequestHeaders(), "testsecret");
  EXPECT_NE(SignRequest("GetRow", ListTableRequestHeaders(), "testsecret"), reference);
  EXPECT_NE(SignRequest("ListTable", ListTableRequestHeaders(), "othersecret"), reference);
  HeaderMap with_trace = ListTableRequestHeaders();
  with_trace["x-ots-sdk-traceid"] = "abc";
  EXPECT_NE(SignRequest("ListTable", with_trace, "testsecret"), reference);
}

TEST(SignatureTest, ResponseVector) {
  HeaderMap headers = {{"x-ots-contentmd5", "1B2M2Y8AsgTpgAmY7PhCfg=="},
                       {"x-ots-contenttype", "protocol buffer"},
                       {"x-ots-date", "2024-01-02T03:04:05.901234Z"},
                       {"x-ots-requestid", "00000000-0000-0000-0000-000000000001"},
                       {"authorization", "ignored"},
                       {"content-length", "0"}};
  EXPECT_EQ(SignResponse("ListTable", headers, "testid", "testsecret"),
            "OTS testid:tyxVBl9hDA/MCkqFLvBds7mCmyo=");
}

TEST(SignatureTest, ContentMd5OfEmptyBody) {
  EXPECT_EQ(ContentMd5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(ContentMd5("The quick brown fox jumps over the lazy dog"), "nhB9nTcrtoJr2B01QqQZ1g==");
}

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    std::string decoded = "stale";
    ASSERT_TRUE(Base64Decode(encoded, &decoded)) << encoded;
    EXPECT_EQ(decoded, plain);
  }
}

TEST(Base64Test, RoundTripsBinary) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
    std::string decoded;
    ASSERT_TRUE(Base64Decode(Base64Encode(bytes), &decoded));
    EXPECT_EQ(decoded, bytes);
  }
}

TEST(Base64Test, RejectsMalformed) {
  std::string out;
  EXPECT_FALSE(Base64Decode("Zm9", &out));
  EXPECT_FALSE(Base64Decode("Zm9*", &out));
  EXPECT_FALSE(Base64Decode("Zg==Zg==", &out));
  EXPECT_FALSE(Base64Decode("====", &out));
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(IsoTimeTest, ParsesEverySdkForm) {
  const int64_t base = 1704164645 * kMicrosPerSecond;  // 2024-01-02T03:04:05Z
  int64_t micros = 0;
  // Node (toISOString) and Java (yyyy-MM-dd'T'HH:mm:ss.SSS'Z').
  ASSERT_TRUE(ParseIsoTime("2024-01-02T03:04:05.678Z", &micros));
  EXPECT_EQ(micros, base + 678000);
  // Python (%Y-%m-%dT%H:%M:%S.000Z).
  ASSERT_TRUE(ParseIsoTime("2024-01-02T03:04:05.000Z", &micros));
  EXPECT_EQ(micros, base);
  // Go's ".123" layout prints month, day and 12-hour hour: 1, 2, 3 here.
  ASSERT_TRUE(ParseIsoTime("2024-01-02T03:04:05.123Z", &micros));
  EXPECT_EQ(micros, base + 123000);
  // Go on 2024-12-25 15:04:05 prints "12" "25" "3".
  ASSERT_TRUE(ParseIsoTime("2024-12-25T15:04:05.12253Z", &micros));
  EXPECT_EQ(micros / kMicrosPerSecond, 1735139045);
  // The service's own responses carry microseconds; no fraction and nanoseconds are fine too.
  ASSERT_TRUE(ParseIsoTime("2024-01-02T03:04:05.901234Z", &micros));
  EXPECT_EQ(micros, base + 901234);
  ASSERT_TRUE(ParseIsoTime("2024-01-02T03:04:05Z", &micros));
  EXPECT_EQ(micros, base);
  ASSERT_TRUE(ParseIsoTime("2024-01-02T03:04:05.123456789Z", &micros));
  EXPECT_EQ(micros, base + 123456);
  ASSERT_TRUE(ParseIsoTime("2024-02-29T00:00:00.5Z", &micros));
  EXPECT_EQ(micros, 1709164800 * kMicrosPerSecond + 500000);
}

TEST(IsoTimeTest, RejectsMalformed) {
  int64_t micros = 0;
  for (std::string_view bad :
       {"", "2024-01-02T03:04:05.678", "2024-01-02 03:04:05.678Z", "2024-01-02T03:04:05.Z",
        "2024-01-02T03:04:05.1234567890Z", "2024-13-02T03:04:05Z", "2023-02-29T03:04:05Z",
        "2024-01-02T24:04:05Z", "2024-01-02T03:60:05Z", "2024-01-02T03:04:05.678Zjunk",
        "24-01-02T03:04:05Z", "2024-01-02T03:04:05+00:00", "Tue, 02 Jan 2024 03:04:05 GMT"}) {
    EXPECT_FALSE(ParseIsoTime(bad, &micros)) << bad;
  }
}

TEST(IsoTimeTest, FormatsRequestAndResponseForms) {
  const int64_t micros = 1704164645 * kMicrosPerSecond + 678901;
  EXPECT_EQ(FormatIsoTime(micros, 3), "2024-01-02T03:04:05.678Z");
  EXPECT_EQ(FormatIsoTime(micros, 6), "2024-01-02T03:04:05.678901Z");
  EXPECT_EQ(FormatIsoTime(micros, 0), "2024-01-02T03:04:05Z");
  EXPECT_EQ(FormatIsoTime(-1, 6), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatIsoTime(0, 3), "1970-01-01T00:00:00.000Z");
}

TEST(IsoTimeTest, FormatThenParseRoundTrips) {
  for (int64_t micros :
       {int64_t{0}, int64_t{951782400123456}, int64_t{4102444799999999}, int64_t{-86400000001}}) {
    int64_t parsed = 0;
    ASSERT_TRUE(ParseIsoTime(FormatIsoTime(micros, 6), &parsed)) << micros;
    EXPECT_EQ(parsed, micros);
  }
}

}  // namespace
}  // namespace otsync::wire
