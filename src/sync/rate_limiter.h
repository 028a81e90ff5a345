// RateLimiter: the job-wide token buckets behind `mbps` (DataWorks), `byte` and `record`
// (DataX). Unlike DataX's per-channel "measure, then sleep off the overshoot", the limit holds
// for the whole job however many channels share it.
//
// Tokens are added every 100 ms (a tenth of the per-second rate per tick); at most one tick's
// worth accumulates while idle, so a long run stays within a few percent of the rate. A caller
// takes what it needs at once and, when that leaves the bucket in debt, sleeps until the ticks
// that repay it; concurrent callers queue behind each other's debt. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>

#include "base/clock.h"
#include "sync/sleeper.h"

namespace otsync::sync {

struct RateLimits {
  std::optional<int64_t> bytes_per_second;    // > 0 when set.
  std::optional<int64_t> records_per_second;  // > 0 when set.
};

class RateLimiter {
 public:
  static constexpr int64_t kTickMicros = 100'000;

  RateLimiter(RateLimits limits, std::shared_ptr<const Clock> clock,
              std::shared_ptr<Sleeper> sleeper);

  bool unlimited() const;

  // Takes `records` and `bytes` from the buckets, sleeping as long as the limits require.
  // Returns early (without sleeping the rest) once `stop` is requested.
  void Acquire(int64_t records, int64_t bytes, std::stop_token stop);

 private:
  struct Bucket {
    int64_t per_tick = 0;  // 0: unlimited.
    int64_t tokens = 0;    // Negative while in debt.
  };

  // Adds the tokens of every whole tick since the last refill.
  void RefillLocked(int64_t now_micros);
  // The time at which `bucket` is out of debt.
  int64_t RepaidAtLocked(const Bucket& bucket) const;

  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<Sleeper> sleeper_;
  std::mutex mutex_;
  Bucket bytes_;
  Bucket records_;
  int64_t last_tick_micros_;
};

}  // namespace otsync::sync
