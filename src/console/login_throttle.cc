#include "console/login_throttle.h"

#include <algorithm>

namespace otsync::console {

LoginThrottle::LoginThrottle(std::shared_ptr<const Clock> clock, LoginThrottleOptions options)
    : clock_(std::move(clock)), options_(options) {}

void LoginThrottle::Forget(int64_t now) {
  auto drop_old = [&](std::deque<int64_t>& times) {
    while (!times.empty() && now - times.front() >= options_.window_micros) times.pop_front();
  };
  drop_old(all_failures_);
  for (auto it = failures_.begin(); it != failures_.end();) {
    drop_old(it->second);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
}

int64_t LoginThrottle::SecondsUntilAllowed(const std::string& address) {
  const int64_t now = clock_->NowMicros();
  std::lock_guard lock(mutex_);
  Forget(now);
  int64_t wait_micros = 0;
  auto wait_for = [&](const std::deque<int64_t>& times, size_t limit) {
    if (times.size() < limit) return;
    // Allowed again when the failure that reached the limit leaves the window.
    int64_t freed_at = times[times.size() - limit] + options_.window_micros;
    wait_micros = std::max(wait_micros, freed_at - now);
  };
  wait_for(all_failures_, static_cast<size_t>(options_.max_failures_total));
  if (auto found = failures_.find(address); found != failures_.end()) {
    wait_for(found->second, static_cast<size_t>(options_.max_failures));
  }
  if (wait_micros <= 0) return 0;
  return std::max<int64_t>(1, (wait_micros + 999999) / 1000000);
}

void LoginThrottle::RecordFailure(const std::string& address) {
  const int64_t now = clock_->NowMicros();
  std::lock_guard lock(mutex_);
  failures_[address].push_back(now);
  all_failures_.push_back(now);
}

}  // namespace otsync::console
