#include "console/login_throttle.h"

#include <gtest/gtest.h>

namespace otsync::console {
namespace {

constexpr int64_t kSecond = 1000000;

TEST(LoginThrottleTest, FiveFailuresBlockTheAddressForTheRestOfTheMinute) {
  auto clock = std::make_shared<ManualClock>(0);
  LoginThrottle throttle(clock);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(throttle.SecondsUntilAllowed("127.0.0.1"), 0) << i;
    throttle.RecordFailure("127.0.0.1");
    clock->AdvanceMicros(10 * kSecond);
  }
  // Failures at 0, 10, 20, 30, 40 s; now 50 s: the first leaves the window at 60 s.
  EXPECT_EQ(throttle.SecondsUntilAllowed("127.0.0.1"), 10);
  EXPECT_EQ(throttle.SecondsUntilAllowed("::1"), 0) << "another address";
  clock->AdvanceMicros(10 * kSecond);
  EXPECT_EQ(throttle.SecondsUntilAllowed("127.0.0.1"), 0);
  throttle.RecordFailure("127.0.0.1");
  EXPECT_EQ(throttle.SecondsUntilAllowed("127.0.0.1"), 10);
}

TEST(LoginThrottleTest, TheTotalLimitCoversManyAddresses) {
  auto clock = std::make_shared<ManualClock>(0);
  LoginThrottle throttle(clock, LoginThrottleOptions{5, 8, 60 * kSecond});
  for (int i = 0; i < 8; ++i) throttle.RecordFailure("10.0.0." + std::to_string(i));
  EXPECT_EQ(throttle.SecondsUntilAllowed("10.0.0.99"), 60);
  clock->AdvanceMicros(60 * kSecond);
  EXPECT_EQ(throttle.SecondsUntilAllowed("10.0.0.99"), 0);
}

}  // namespace
}  // namespace otsync::console
