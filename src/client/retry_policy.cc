#include "client/retry_policy.h"

#include <algorithm>

#include "wire/error_codes.h"

namespace otsync::client {

bool IsRetriable(std::string_view api, const AttemptFailure& failure) {
  if (!failure.network && wire::IsRetryableAlways(failure.code, failure.message)) return true;
  if (!wire::IsIdempotentApi(api)) return false;
  if (failure.network) return true;
  return wire::IsRetryableForIdempotent(failure.code, failure.http_status);
}

std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, double unit_random) {
  // Doubling stops once past the cap, so large retry counts cannot overflow.
  int64_t delay = std::max<int64_t>(base.count(), 0);
  for (int i = 0; i < retry && delay < max.count(); ++i) delay *= 2;
  delay = std::min<int64_t>(delay, max.count());
  const double jitter = 0.5 + 0.5 * std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(delay) * jitter));
}

}  // namespace otsync::client
