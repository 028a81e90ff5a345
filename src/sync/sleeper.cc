#include "sync/sleeper.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace otsync::sync {
namespace {

class RealSleeper final : public Sleeper {
 public:
  explicit RealSleeper(std::shared_ptr<const Clock> clock) : clock_(std::move(clock)) {}

  void SleepUntil(int64_t deadline_micros, std::stop_token stop) override {
    int64_t remaining = deadline_micros - clock_->NowMicros();
    if (remaining <= 0) return;
    std::mutex mutex;
    std::condition_variable_any wakeup;
    std::unique_lock lock(mutex);
    wakeup.wait_for(lock, stop, std::chrono::microseconds(remaining), [] { return false; });
  }

 private:
  std::shared_ptr<const Clock> clock_;
};

}  // namespace

std::shared_ptr<Sleeper> MakeRealSleeper(std::shared_ptr<const Clock> clock) {
  return std::make_shared<RealSleeper>(std::move(clock));
}

void ManualClockSleeper::SleepUntil(int64_t deadline_micros, std::stop_token stop) {
  if (stop.stop_requested()) return;
  // Serialised so that concurrent sleepers never move the clock past the later deadline twice.
  std::lock_guard lock(mutex_);
  int64_t now = clock_->NowMicros();
  if (now < deadline_micros) clock_->AdvanceMicros(deadline_micros - now);
}

}  // namespace otsync::sync
