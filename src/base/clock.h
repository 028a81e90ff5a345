// Clock: the one source of "now" for otsync. Every component that stamps or compares times takes
// a Clock so that tests can move time by hand (crossing a retention period or the 5-minute end
// margin without waiting) and otsd can run with an offset (--clock-offset) for demos.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace otsync {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch. Implementations are thread-safe.
  virtual int64_t NowMicros() const = 0;
  int64_t NowMillis() const { return NowMicros() / 1000; }
};

// The system's real-time clock, shifted by a fixed offset (zero by default). With a `speed` other
// than 1 it runs that many times as fast as the real clock from the moment it is made — what a
// soak test uses to cross a stream's retention, whole hours, in less time.
class SystemClock final : public Clock {
 public:
  explicit SystemClock(int64_t offset_micros = 0, double speed = 1.0);
  int64_t NowMicros() const override;

 private:
  int64_t offset_micros_;
  double speed_;
  int64_t started_micros_;  // The real time when made.
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_micros) : now_micros_(start_micros) {}
  int64_t NowMicros() const override { return now_micros_.load(std::memory_order_acquire); }
  void SetMicros(int64_t micros) { now_micros_.store(micros, std::memory_order_release); }
  void AdvanceMicros(int64_t delta) { now_micros_.fetch_add(delta, std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_micros_;
};

// A process-wide real clock with no offset.
std::shared_ptr<Clock> DefaultClock();

}  // namespace otsync
