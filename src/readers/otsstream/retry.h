// The retry rule of DataX's otsstreamreader (docs/datax-semantics.md §4.6), applied to every
// request the reader makes, status-table calls included. Unlike DataX, the configured `maxRetries`
// is honoured: it is the number of retries after the first attempt.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string_view>
#include <type_traits>
#include <utility>

#include "base/result.h"

namespace otsync::readers::otsstream {

// Waits `pause`, returning early once `stop` is requested.
using RetrySleep = std::function<void(std::chrono::milliseconds pause, std::stop_token stop)>;

// A real sleep that wakes on stop.
RetrySleep RealRetrySleep();

struct RetryPolicy {
  int64_t max_retries = 30;
  RetrySleep sleep;  // Null: RealRetrySleep().
};

// Not retried: the codes of docs/datax-semantics.md §4.6 (auth, condition, parameter, primary key,
// already exists, not exist, column count, row size, body too large, trimmed data), and failures
// that are not service or network errors (aborts, unsupported). Everything else is, answers that
// do not decode (kCorruption) included, as in DataX: every call retried is a client call, so its
// kCorruption is an answer damaged on the way, and asking again fetches fresh bytes; an answer that
// stays damaged fails the job once the retries are used up. (The status table's checkpoints are
// decoded after their calls: a damaged checkpoint is never retried.)
bool IsRetriableForStreamReader(const Status& status);

// The pause before retry `retry` (0 = the first): min(2^retry * 100 ms, 10 s).
std::chrono::milliseconds RetryPause(int64_t retry);

namespace internal {
inline const Status& StatusOf(const Status& status) { return status; }
template <typename T>
Status StatusOf(const Result<T>& result) {
  return result.status();
}
void Sleep(const RetryPolicy& policy, std::chrono::milliseconds pause, std::stop_token stop);
}  // namespace internal

// Calls `attempt` (returning Status or Result<T>) until it succeeds, fails with a code that is
// not retried, `stop` is requested, or the retries are used up; returns the last outcome.
template <typename Attempt>
auto CallWithRetries(const RetryPolicy& policy, std::stop_token stop, Attempt&& attempt)
    -> std::invoke_result_t<Attempt&> {
  for (int64_t retry = 0;; ++retry) {
    auto outcome = attempt();
    const Status status = internal::StatusOf(outcome);
    if (status.ok() || !IsRetriableForStreamReader(status) || retry >= policy.max_retries ||
        stop.stop_requested()) {
      return outcome;
    }
    internal::Sleep(policy, RetryPause(retry), stop);
  }
}

}  // namespace otsync::readers::otsstream
