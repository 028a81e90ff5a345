#include "base/status.h"

#include <gtest/gtest.h>

#include "base/result.h"

namespace otsync {
namespace {

Result<int> ParsePositive(int value) {
  if (value <= 0) return Status::InvalidArgument("value must be positive");
  return value;
}

Result<int> DoubledPositive(int value) {
  OTSYNC_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  return parsed * 2;
}

TEST(StatusTest, OkAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(Status::OK().ok());
  Status status = Status::NotFound("Requested table does not exist.");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.ToString(), "NotFound: Requested table does not exist.");
  EXPECT_EQ(status.WithContext("table 'person'").message(),
            "table 'person': Requested table does not exist.");
}

TEST(ResultTest, AssignOrReturnPropagatesTheError) {
  EXPECT_EQ(*DoubledPositive(4), 8);
  Result<int> failed = DoubledPositive(-1);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace otsync
