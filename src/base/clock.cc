#include "base/clock.h"

#include <chrono>

namespace otsync {

namespace {

int64_t RealMicros() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
}

}  // namespace

SystemClock::SystemClock(int64_t offset_micros, double speed)
    : offset_micros_(offset_micros), speed_(speed), started_micros_(RealMicros()) {}

int64_t SystemClock::NowMicros() const {
  const int64_t real = RealMicros();
  if (speed_ == 1.0) return real + offset_micros_;
  return started_micros_ + offset_micros_ +
         static_cast<int64_t>(static_cast<double>(real - started_micros_) * speed_);
}

std::shared_ptr<Clock> DefaultClock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

}  // namespace otsync
