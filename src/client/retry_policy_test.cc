#include "client/retry_policy.h"

#include <gtest/gtest.h>

namespace otsync::client {
namespace {

using std::chrono::milliseconds;

AttemptFailure ServerError(std::string_view code, int http_status, std::string_view message = "") {
  AttemptFailure failure;
  failure.code = code;
  failure.message = message;
  failure.http_status = http_status;
  return failure;
}

TEST(RetryPolicyTest, AlwaysRetriableCodesAreRetriedForWrites) {
  EXPECT_TRUE(IsRetriable("PutRow", ServerError("OTSRowOperationConflict", 409)));
  EXPECT_TRUE(IsRetriable("BatchWriteRow", ServerError("OTSServerBusy", 503)));
  EXPECT_TRUE(IsRetriable("CreateTable", ServerError("OTSTableNotReady", 404)));
  EXPECT_TRUE(IsRetriable("UpdateTable",
                          ServerError("OTSQuotaExhausted", 403, "Too frequent table operations.")));
  EXPECT_FALSE(IsRetriable("CreateTable", ServerError("OTSQuotaExhausted", 403,
                                                      "Number of tables exceeded the quota.")));
}

TEST(RetryPolicyTest, ServerFailuresAreRetriedForReadsOnly) {
  for (std::string_view code : {"OTSInternalServerError", "OTSServerUnavailable", "OTSTimeout"}) {
    EXPECT_TRUE(IsRetriable("GetRow", ServerError(code, 503))) << code;
    EXPECT_TRUE(IsRetriable("GetRange", ServerError(code, 500))) << code;
    EXPECT_FALSE(IsRetriable("PutRow", ServerError(code, 500))) << code;
    EXPECT_FALSE(IsRetriable("BatchWriteRow", ServerError(code, 503))) << code;
  }
  AttemptFailure network;
  network.network = true;
  EXPECT_TRUE(IsRetriable("GetStreamRecord", network));
  EXPECT_FALSE(IsRetriable("DeleteRow", network));
}

TEST(RetryPolicyTest, ClientErrorsAreNeverRetried) {
  for (std::string_view api : {"GetRow", "PutRow"}) {
    EXPECT_FALSE(IsRetriable(api, ServerError("OTSConditionCheckFail", 403))) << api;
    EXPECT_FALSE(IsRetriable(api, ServerError("OTSParameterInvalid", 400))) << api;
    EXPECT_FALSE(IsRetriable(api, ServerError("OTSObjectNotExist", 404))) << api;
    EXPECT_FALSE(IsRetriable(api, ServerError("OTSAuthFailed", 403))) << api;
  }
}

TEST(RetryPolicyTest, BackoffDoublesUpToTheCapWithJitter) {
  const milliseconds base(100);
  const milliseconds cap(3000);
  EXPECT_EQ(BackoffDelay(0, base, cap, 0.999999).count(), 99);
  EXPECT_EQ(BackoffDelay(0, base, cap, 0.0).count(), 50);
  EXPECT_EQ(BackoffDelay(3, base, cap, 0.0).count(), 400);
  EXPECT_EQ(BackoffDelay(10, base, cap, 0.0).count(), 1500);
  EXPECT_LE(BackoffDelay(1000, base, cap, 1.0).count(), 3000);
  EXPECT_GE(BackoffDelay(1000, base, cap, 0.0).count(), 1500);
}

}  // namespace
}  // namespace otsync::client
