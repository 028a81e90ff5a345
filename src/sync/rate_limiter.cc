#include "sync/rate_limiter.h"

#include <algorithm>

namespace otsync::sync {
namespace {

int64_t PerTick(const std::optional<int64_t>& per_second) {
  if (!per_second.has_value() || *per_second <= 0) return 0;
  return std::max<int64_t>(1, *per_second * RateLimiter::kTickMicros / 1'000'000);
}

}  // namespace

RateLimiter::RateLimiter(RateLimits limits, std::shared_ptr<const Clock> clock,
                         std::shared_ptr<Sleeper> sleeper)
    : clock_(std::move(clock)), sleeper_(std::move(sleeper)) {
  bytes_.per_tick = PerTick(limits.bytes_per_second);
  bytes_.tokens = bytes_.per_tick;
  records_.per_tick = PerTick(limits.records_per_second);
  records_.tokens = records_.per_tick;
  last_tick_micros_ = clock_->NowMicros();
}

bool RateLimiter::unlimited() const { return bytes_.per_tick == 0 && records_.per_tick == 0; }

void RateLimiter::RefillLocked(int64_t now_micros) {
  int64_t ticks = (now_micros - last_tick_micros_) / kTickMicros;
  if (ticks <= 0) return;
  last_tick_micros_ += ticks * kTickMicros;
  for (Bucket* bucket : {&bytes_, &records_}) {
    if (bucket->per_tick == 0) continue;
    bucket->tokens = std::min(bucket->per_tick, bucket->tokens + ticks * bucket->per_tick);
  }
}

int64_t RateLimiter::RepaidAtLocked(const Bucket& bucket) const {
  if (bucket.per_tick == 0 || bucket.tokens >= 0) return 0;
  int64_t ticks = (-bucket.tokens + bucket.per_tick - 1) / bucket.per_tick;
  return last_tick_micros_ + ticks * kTickMicros;
}

void RateLimiter::Acquire(int64_t records, int64_t bytes, std::stop_token stop) {
  if (unlimited()) return;
  int64_t wake_at = 0;
  {
    std::lock_guard lock(mutex_);
    RefillLocked(clock_->NowMicros());
    if (bytes_.per_tick > 0) bytes_.tokens -= bytes;
    if (records_.per_tick > 0) records_.tokens -= records;
    wake_at = std::max(RepaidAtLocked(bytes_), RepaidAtLocked(records_));
  }
  if (wake_at > 0) sleeper_->SleepUntil(wake_at, stop);
}

}  // namespace otsync::sync
