#include "readers/otsstream/retry.h"

#include <gtest/gtest.h>

#include <vector>

namespace otsync::readers::otsstream {
namespace {

using std::chrono::milliseconds;

TEST(RetryTest, PausesDoubleFrom100msUpTo10s) {
  const std::vector<int64_t> expected = {100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000};
  for (size_t n = 0; n < expected.size(); ++n) {
    EXPECT_EQ(RetryPause(static_cast<int64_t>(n)).count(), expected[n]) << n;
  }
  EXPECT_EQ(RetryPause(63).count(), 10000);
}

TEST(RetryTest, WhichCodesRetry) {
  for (StatusCode code :
       {StatusCode::kAuthFailed, StatusCode::kConditionCheckFailed, StatusCode::kInvalidArgument,
        StatusCode::kInvalidPrimaryKey, StatusCode::kAlreadyExists, StatusCode::kNotFound,
        StatusCode::kColumnCountLimit, StatusCode::kRowSizeLimit, StatusCode::kRequestTooLarge,
        StatusCode::kTrimmedDataAccess, StatusCode::kAborted, StatusCode::kUnsupported}) {
    EXPECT_FALSE(IsRetriableForStreamReader(Status(code, "x"))) << StatusCodeName(code);
  }
  for (StatusCode code :
       {StatusCode::kServerBusy, StatusCode::kTimeout, StatusCode::kUnavailable,
        StatusCode::kQuotaExhausted, StatusCode::kInternal, StatusCode::kTableNotReady,
        StatusCode::kRowOperationConflict, StatusCode::kCorruption, StatusCode::kIOError}) {
    EXPECT_TRUE(IsRetriableForStreamReader(Status(code, "x"))) << StatusCodeName(code);
  }
}

TEST(RetryTest, HonoursMaxRetriesWithTheBackOff) {
  std::vector<int64_t> pauses;
  RetryPolicy policy{3,
                     [&](milliseconds pause, std::stop_token) { pauses.push_back(pause.count()); }};
  int attempts = 0;
  const Status status = CallWithRetries(policy, {}, [&] {
    ++attempts;
    return Status(StatusCode::kServerBusy, "OTSServerBusy: busy");
  });
  EXPECT_EQ(status.code(), StatusCode::kServerBusy);
  EXPECT_EQ(attempts, 4);
  EXPECT_EQ(pauses, (std::vector<int64_t>{100, 200, 400}));
}

TEST(RetryTest, StopsAtTheFirstSuccessOrFinalError) {
  RetryPolicy policy{30, [](milliseconds, std::stop_token) {}};
  int attempts = 0;
  Result<int> value = CallWithRetries(policy, {}, [&]() -> Result<int> {
    if (++attempts < 3) return Status(StatusCode::kTimeout, "OTSTimeout");
    return 42;
  });
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
  EXPECT_EQ(attempts, 3);

  attempts = 0;
  const Status trimmed = CallWithRetries(policy, {}, [&] {
    ++attempts;
    return Status(StatusCode::kTrimmedDataAccess, "OTSTrimmedDataAccess");
  });
  EXPECT_EQ(trimmed.code(), StatusCode::kTrimmedDataAccess);
  EXPECT_EQ(attempts, 1);
}

TEST(RetryTest, ZeroRetriesTriesOnce) {
  RetryPolicy policy{0, [](milliseconds, std::stop_token) { FAIL() << "no sleep expected"; }};
  int attempts = 0;
  (void)CallWithRetries(policy, {}, [&] {
    ++attempts;
    return Status(StatusCode::kUnavailable, "network error");
  });
  EXPECT_EQ(attempts, 1);
}

TEST(RetryTest, StopEndsRetrying) {
  std::stop_source stop;
  RetryPolicy policy{30, [&](milliseconds, std::stop_token) { stop.request_stop(); }};
  int attempts = 0;
  (void)CallWithRetries(policy, stop.get_token(), [&] {
    ++attempts;
    return Status(StatusCode::kServerBusy, "busy");
  });
  EXPECT_EQ(attempts, 2);
}

}  // namespace
}  // namespace otsync::readers::otsstream
