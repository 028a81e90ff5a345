#include "wire/error_codes.h"

#include <gtest/gtest.h>

namespace otsync::wire {
namespace {

TEST(ErrorCodesTest, StatusesOfTheServiceTable) {
  struct Expected {
    StatusCode code;
    std::string_view wire_code;
    int http_status;
  };
  const Expected table[] = {
      {StatusCode::kInvalidArgument, "OTSParameterInvalid", 400},
      {StatusCode::kInvalidPrimaryKey, "OTSInvalidPK", 400},
      {StatusCode::kNotFound, "OTSObjectNotExist", 404},
      {StatusCode::kAlreadyExists, "OTSObjectAlreadyExist", 409},
      {StatusCode::kConditionCheckFailed, "OTSConditionCheckFail", 403},
      {StatusCode::kRowSizeLimit, "OTSOutOfRowSizeLimit", 400},
      {StatusCode::kColumnCountLimit, "OTSOutOfColumnCountLimit", 400},
      {StatusCode::kRequestTooLarge, "OTSRequestBodyTooLarge", 413},
      {StatusCode::kAuthFailed, "OTSAuthFailed", 403},
      {StatusCode::kMethodNotAllowed, "OTSMethodNotAllowed", 405},
      {StatusCode::kQuotaExhausted, "OTSQuotaExhausted", 403},
      {StatusCode::kRowOperationConflict, "OTSRowOperationConflict", 409},
      {StatusCode::kTableNotReady, "OTSTableNotReady", 404},
      {StatusCode::kServerBusy, "OTSServerBusy", 503},
      {StatusCode::kTimeout, "OTSTimeout", 503},
      {StatusCode::kUnavailable, "OTSServerUnavailable", 503},
      {StatusCode::kTrimmedDataAccess, "OTSTrimmedDataAccess", 400},
      {StatusCode::kInternal, "OTSInternalServerError", 500},
  };
  for (const Expected& expected : table) {
    WireError error = ToWireError(expected.code);
    EXPECT_EQ(error.code, expected.wire_code) << StatusCodeName(expected.code);
    EXPECT_EQ(error.http_status, expected.http_status) << StatusCodeName(expected.code);
    EXPECT_EQ(FromWireError(error.code, error.http_status), expected.code) << error.code;
  }
}

TEST(ErrorCodesTest, LocalOnlyCodesMapToServiceCodes) {
  EXPECT_EQ(ToWireError(StatusCode::kUnsupported).code, "OTSParameterInvalid");
  EXPECT_EQ(ToWireError(StatusCode::kCorruption).http_status, 500);
  EXPECT_EQ(ToWireError(StatusCode::kIOError).code, "OTSInternalServerError");
  EXPECT_EQ(ToWireError(StatusCode::kAborted).http_status, 503);
}

TEST(ErrorCodesTest, ReceivedAliasesAndUnknownCodes) {
  EXPECT_EQ(FromWireError("OTSNoPermissionAccess", 403), StatusCode::kAuthFailed);
  EXPECT_EQ(FromWireError("OTSPartitionUnavailable", 503), StatusCode::kUnavailable);
  EXPECT_EQ(FromWireError("OTSFlowControl", 429), StatusCode::kServerBusy);
  EXPECT_EQ(FromWireError("OTSSomethingNew", 503), StatusCode::kInternal);
  EXPECT_EQ(FromWireError("OTSSomethingNew", 400), StatusCode::kInvalidArgument);
  EXPECT_EQ(FromWireError("", 502), StatusCode::kInternal);
}

TEST(RetryTest, AlwaysRetryableCodes) {
  for (std::string_view code :
       {"OTSRowOperationConflict", "OTSNotEnoughCapacityUnit", "OTSTableNotReady",
        "OTSPartitionUnavailable", "OTSServerBusy", "OTSStorageServerBusy"}) {
    EXPECT_TRUE(IsRetryableAlways(code, "")) << code;
  }
  EXPECT_TRUE(IsRetryableAlways("OTSQuotaExhausted", "Too frequent table operations."));
  EXPECT_FALSE(IsRetryableAlways("OTSQuotaExhausted", "Number of tables exceeded the quota."));
  EXPECT_FALSE(IsRetryableAlways("OTSConditionCheckFail", "Condition check failed."));
  EXPECT_FALSE(IsRetryableAlways("OTSInternalServerError", ""));
  EXPECT_FALSE(IsRetryableAlways("OTSTrimmedDataAccess", ""));
}

TEST(RetryTest, IdempotentOnlyRetries) {
  EXPECT_TRUE(IsRetryableForIdempotent("OTSTimeout", 503));
  EXPECT_TRUE(IsRetryableForIdempotent("OTSInternalServerError", 500));
  EXPECT_TRUE(IsRetryableForIdempotent("OTSServerUnavailable", 503));
  EXPECT_TRUE(IsRetryableForIdempotent("", 502));
  EXPECT_FALSE(IsRetryableForIdempotent("OTSObjectNotExist", 404));
  EXPECT_FALSE(IsRetryableForIdempotent("OTSConditionCheckFail", 403));

  EXPECT_TRUE(IsIdempotentApi("GetRow"));
  EXPECT_TRUE(IsIdempotentApi("GetStreamRecord"));
  EXPECT_TRUE(IsIdempotentApi("ComputeSplitPointsBySize"));
  EXPECT_FALSE(IsIdempotentApi("PutRow"));
  EXPECT_FALSE(IsIdempotentApi("BatchWriteRow"));
  EXPECT_FALSE(IsIdempotentApi("getrow"));
}

}  // namespace
}  // namespace otsync::wire
