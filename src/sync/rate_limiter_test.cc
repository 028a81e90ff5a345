#include "sync/rate_limiter.h"

#include <gtest/gtest.h>

namespace otsync::sync {
namespace {

TEST(RateLimiterTest, BytesPerSecondHoldsOverALongRun) {
  auto clock = std::make_shared<ManualClock>(0);
  RateLimiter limiter({1 << 20, std::nullopt}, clock, std::make_shared<ManualClockSleeper>(clock));
  std::stop_source stop;
  int64_t total = 0;
  for (int i = 0; i < 500; ++i) {  // 500 chunks of 40 000 bytes: about 19 s at 1 MiB/s.
    limiter.Acquire(1, 40'000, stop.get_token());
    total += 40'000;
  }
  double expected = static_cast<double>(total) / (1 << 20);
  EXPECT_NEAR(clock->NowMicros() / 1e6, expected, expected * 0.15);
}

TEST(RateLimiterTest, RecordsPerSecondAndTheStricterLimitWins) {
  auto clock = std::make_shared<ManualClock>(0);
  RateLimiter limiter({1 << 30, 1000}, clock, std::make_shared<ManualClockSleeper>(clock));
  std::stop_source stop;
  for (int i = 0; i < 100; ++i) limiter.Acquire(100, 10, stop.get_token());  // 10 000 records.
  EXPECT_NEAR(clock->NowMicros() / 1e6, 10.0, 1.5);
}

TEST(RateLimiterTest, UnlimitedNeverSleeps) {
  auto clock = std::make_shared<ManualClock>(0);
  RateLimiter limiter({}, clock, std::make_shared<ManualClockSleeper>(clock));
  EXPECT_TRUE(limiter.unlimited());
  std::stop_source stop;
  limiter.Acquire(1'000'000, 1'000'000'000, stop.get_token());
  EXPECT_EQ(clock->NowMicros(), 0);
}

TEST(RateLimiterTest, RefillsInWholeTicksAndKeepsAtMostOneTick) {
  auto clock = std::make_shared<ManualClock>(0);
  RateLimiter limiter({1000, std::nullopt}, clock, std::make_shared<ManualClockSleeper>(clock));
  std::stop_source stop;
  limiter.Acquire(1, 100, stop.get_token());  // The initial tick's worth: no sleep.
  EXPECT_EQ(clock->NowMicros(), 0);
  clock->AdvanceMicros(10'000'000);  // Idle for 10 s: still only one tick's worth banked.
  limiter.Acquire(1, 300, stop.get_token());
  EXPECT_EQ(clock->NowMicros(), 10'000'000 + 2 * RateLimiter::kTickMicros);
}

TEST(RateLimiterTest, StopEndsTheSleep) {
  auto clock = std::make_shared<ManualClock>(0);
  RateLimiter limiter({100, std::nullopt}, clock, MakeRealSleeper(clock));
  std::stop_source stop;
  stop.request_stop();
  limiter.Acquire(1, 1'000'000, stop.get_token());  // Would otherwise sleep for hours.
  SUCCEED();
}

}  // namespace
}  // namespace otsync::sync
