// Rate limit on failed logins: after `max_failures` wrong passwords within `window` from one
// client address, that address is refused until the oldest of them leaves the window; across all
// addresses, `max_failures_total` within the window refuses everyone the same way (loopback
// clients all share 127.0.0.1, and a guesser may vary its address). Successful logins do not
// count. scrypt's cost already makes each guess slow; this bounds the number of guesses.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/clock.h"

namespace otsync::console {

struct LoginThrottleOptions {
  int max_failures = 5;
  int max_failures_total = 20;
  int64_t window_micros = int64_t{60} * 1000000;
};

class LoginThrottle {
 public:
  LoginThrottle(std::shared_ptr<const Clock> clock, LoginThrottleOptions options = {});

  // 0 when `address` may try now, else the whole seconds (at least 1) until it may.
  int64_t SecondsUntilAllowed(const std::string& address);
  void RecordFailure(const std::string& address);

 private:
  void Forget(int64_t now);  // Drops failures older than the window. REQUIRES: mutex_ held.

  std::shared_ptr<const Clock> clock_;
  const LoginThrottleOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::deque<int64_t>> failures_;  // Guarded by mutex_; oldest first.
  std::deque<int64_t> all_failures_;                     // Guarded by mutex_.
};

}  // namespace otsync::console
