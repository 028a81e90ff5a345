#include "readers/otsstream/retry.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace otsync::readers::otsstream {

RetrySleep RealRetrySleep() {
  return [](std::chrono::milliseconds pause, std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, pause, [] { return false; });
  };
}

bool IsRetriableForStreamReader(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kAuthFailed:
    case StatusCode::kConditionCheckFailed:
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidPrimaryKey:
    case StatusCode::kAlreadyExists:
    case StatusCode::kNotFound:
    case StatusCode::kColumnCountLimit:
    case StatusCode::kRowSizeLimit:
    case StatusCode::kRequestTooLarge:
    case StatusCode::kTrimmedDataAccess:
    case StatusCode::kUnsupported:
    case StatusCode::kAborted:
    case StatusCode::kFailedPrecondition:
      return false;
    case StatusCode::kMethodNotAllowed:
    case StatusCode::kQuotaExhausted:
    case StatusCode::kRowOperationConflict:
    case StatusCode::kTableNotReady:
    case StatusCode::kServerBusy:
    case StatusCode::kTimeout:
    case StatusCode::kUnavailable:
    case StatusCode::kInternal:
    case StatusCode::kIOError:
    // An answer that does not decode (a row's checksum, a length or tag, the protobuf): damaged in
    // flight, so asking again fetches fresh bytes. DataX's SDK raises a ClientException for it,
    // which its rule retries.
    case StatusCode::kCorruption:
      return true;
  }
  return false;
}

std::chrono::milliseconds RetryPause(int64_t retry) {
  constexpr int64_t kCapMillis = 10'000;
  if (retry >= 7) return std::chrono::milliseconds(kCapMillis);
  return std::chrono::milliseconds(std::min<int64_t>(int64_t{100} << retry, kCapMillis));
}

namespace internal {
void Sleep(const RetryPolicy& policy, std::chrono::milliseconds pause, std::stop_token stop) {
  if (policy.sleep) {
    policy.sleep(pause, stop);
  } else {
    RealRetrySleep()(pause, stop);
  }
}
}  // namespace internal

}  // namespace otsync::readers::otsstream
