// When a failed attempt is retried and how long to wait first (docs/protocol.md §1.8).
#pragma once

#include <chrono>
#include <string_view>

namespace otsync::client {

// What one attempt ended with, when it did not succeed.
struct AttemptFailure {
  bool network = false;      // No HTTP response (connect, send or receive failed or timed out).
  std::string_view code;     // The OTS error code of the response; empty when none was decoded.
  std::string_view message;  // The OTS error message.
  int http_status = 0;
};

// Codes retriable for every API are retried whatever `api` is; timeouts, internal and
// unavailable errors (by code or by HTTP 5xx) and network failures only for read APIs. A 4xx
// that is not in the always-retriable list is never retried.
bool IsRetriable(std::string_view api, const AttemptFailure& failure);

// The wait before retry number `retry` (0 = the first): min(max, base * 2^retry) scaled by a
// jitter factor in [0.5, 1.0] taken from `unit_random` in [0, 1).
std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, double unit_random);

}  // namespace otsync::client
