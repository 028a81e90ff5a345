#include "base/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace otsync {
namespace {

int64_t RealMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(SystemClockTest, IsTheRealClockShiftedByItsOffset) {
  const int64_t hour = 3600LL * 1000 * 1000;
  SystemClock behind(-hour);
  const int64_t difference = RealMicros() - behind.NowMicros();
  // The two clocks are read one after the other: allow the microseconds between the reads.
  EXPECT_GE(difference, hour - 1000);
  EXPECT_LT(difference, hour + 1000 * 1000);
}

// A clock at ten times the real pace starts at its offset and then gains nine real seconds for
// every second.
TEST(SystemClockTest, RunsAtItsSpeedFromItsStart) {
  const int64_t hour = 3600LL * 1000 * 1000;
  SystemClock fast(-hour, 10.0);
  const int64_t start_real = RealMicros();
  const int64_t start = fast.NowMicros();
  EXPECT_LT(std::abs(start - (start_real - hour)), 1000 * 1000) << "it starts at its offset";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int64_t real_elapsed = RealMicros() - start_real;
  const int64_t elapsed = fast.NowMicros() - start;
  EXPECT_GE(elapsed, 9 * real_elapsed);
  EXPECT_LE(elapsed, 11 * real_elapsed + 100 * 1000);
}

}  // namespace
}  // namespace otsync
