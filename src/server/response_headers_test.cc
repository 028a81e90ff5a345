#include "server/response_headers.h"

#include <gtest/gtest.h>

#include "server/request_id.h"

namespace otsync::server {
namespace {

// 2024-01-02T03:04:05.901234Z, the date of the docs/protocol.md §1.5 vector.
constexpr int64_t kVectorMicros = 1704164645901234;

TEST(ResponseHeadersTest, MatchesTheReferenceVector) {
  const AccessKey key("testid", "testsecret", {});
  const wire::HeaderMap headers = BuildResponseHeaders(
      "ListTable", "", "00000000-0000-0000-0000-000000000001", kVectorMicros, &key);
  EXPECT_EQ(headers.at("x-ots-contentmd5"), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(headers.at("x-ots-contenttype"), "protocol buffer");
  EXPECT_EQ(headers.at("x-ots-date"), "2024-01-02T03:04:05.901234Z");
  EXPECT_EQ(headers.at("x-ots-requestid"), "00000000-0000-0000-0000-000000000001");
  EXPECT_EQ(headers.at("authorization"), "OTS testid:tyxVBl9hDA/MCkqFLvBds7mCmyo=");
}

TEST(ResponseHeadersTest, NoAuthorizationWithoutAKey) {
  const wire::HeaderMap headers =
      BuildResponseHeaders("ListTable", "body", "rid", kVectorMicros, nullptr);
  EXPECT_EQ(headers.count("authorization"), 0u);
  EXPECT_EQ(headers.at("x-ots-contentmd5"), wire::ContentMd5("body"));
}

TEST(RequestIdGeneratorTest, IdsAreUniqueAndUuidShaped) {
  RequestIdGenerator generator;
  const std::string first = generator.Next();
  const std::string second = generator.Next();
  EXPECT_NE(first, second);
  ASSERT_EQ(first.size(), 36u);
  EXPECT_EQ(first[8], '-');
  EXPECT_EQ(first[13], '-');
  EXPECT_EQ(first[18], '-');
  EXPECT_EQ(first[23], '-');
  EXPECT_NE(RequestIdGenerator().Next(), first);
}

}  // namespace
}  // namespace otsync::server
