#include "console/query_parameters.h"

#include <gtest/gtest.h>

#include <limits>

namespace otsync::console {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

ApiRequest WithQuery(std::map<std::string, std::string> query) {
  ApiRequest request;
  request.query = std::move(query);
  return request;
}

TEST(QueryIntegerTest, AMissingParameterIsTheFallbackEvenOutsideTheBounds) {
  ApiRequest request = WithQuery({{"other", "7"}});
  EXPECT_EQ(QueryInteger(request, "limit", 20, 1, 1000).value(), 20);
  EXPECT_EQ(QueryInteger(request, "backfill", 0, 1, kInt64Max).value(), 0);
}

TEST(QueryIntegerTest, ReadsWholeDecimalIntegersWithinTheBoundsInclusive) {
  EXPECT_EQ(QueryInteger(WithQuery({{"limit", "1"}}), "limit", 20, 1, 1000).value(), 1);
  EXPECT_EQ(QueryInteger(WithQuery({{"limit", "1000"}}), "limit", 20, 1, 1000).value(), 1000);
  EXPECT_EQ(QueryInteger(WithQuery({{"limit", "0042"}}), "limit", 20, 1, 1000).value(), 42);
  EXPECT_EQ(QueryInteger(WithQuery({{"at", "-5"}}), "at", 0, -10, 10).value(), -5);
  EXPECT_EQ(QueryInteger(WithQuery({{"offset", "9223372036854775807"}}), "offset", 0, 0, kInt64Max)
                .value(),
            kInt64Max);
  EXPECT_EQ(
      QueryInteger(WithQuery({{"at", "-9223372036854775808"}}), "at", 0, kInt64Min, 0).value(),
      kInt64Min);
}

TEST(QueryIntegerTest, RefusesWhatIsNotAWholeDecimalIntegerNamingTheKeyAndTheText) {
  for (const char* text : {"", "abc", "12a", "1.5", "1e3", " 5", "5 ", "+5", "0x10", "--1", "-"}) {
    Result<int64_t> parsed = QueryInteger(WithQuery({{"limit", text}}), "limit", 20, 1, 1000);
    ASSERT_FALSE(parsed.ok()) << "'" << text << "'";
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(),
              std::string("limit: expected an integer 1..1000, got '") + text + "'");
  }
}

TEST(QueryIntegerTest, RefusesValuesOutsideTheBounds) {
  for (const char* text : {"0", "1001", "-1", "-9223372036854775808"}) {
    Result<int64_t> parsed = QueryInteger(WithQuery({{"limit", text}}), "limit", 20, 1, 1000);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().message(),
              std::string("limit: expected an integer 1..1000, got '") + text + "'");
  }
}

TEST(QueryIntegerTest, RefusesNumbersBeyondInt64) {
  for (const char* text :
       {"9223372036854775808", "-9223372036854775809", "99999999999999999999999999"}) {
    Result<int64_t> parsed =
        QueryInteger(WithQuery({{"offset", text}}), "offset", 0, kInt64Min, kInt64Max);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().message(),
              "offset: expected an integer -9223372036854775808..9223372036854775807, got '" +
                  std::string(text) + "'");
  }
}

}  // namespace
}  // namespace otsync::console
