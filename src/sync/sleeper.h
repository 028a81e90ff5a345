// Sleeper: how the engine waits (rate limiting), injectable so that tests move a ManualClock
// instead of waiting.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>

#include "base/clock.h"

namespace otsync::sync {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Returns at `deadline_micros` of the sleeper's clock, or earlier once `stop` is requested.
  virtual void SleepUntil(int64_t deadline_micros, std::stop_token stop) = 0;
};

// Sleeps in real time against `clock` (which may carry an offset), waking early on stop.
std::shared_ptr<Sleeper> MakeRealSleeper(std::shared_ptr<const Clock> clock);

// For tests: "sleeping" moves the manual clock forward to the deadline at once.
class ManualClockSleeper final : public Sleeper {
 public:
  explicit ManualClockSleeper(std::shared_ptr<ManualClock> clock) : clock_(std::move(clock)) {}
  void SleepUntil(int64_t deadline_micros, std::stop_token stop) override;

 private:
  std::mutex mutex_;
  std::shared_ptr<ManualClock> clock_;
};

}  // namespace otsync::sync
