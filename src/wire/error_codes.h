// The mapping between otsync's StatusCode and the Tablestore error codes and HTTP statuses of
// docs/protocol.md §1.7, in both directions (the server answers with it, the client reads it back).
#pragma once

#include <string_view>

#include "base/status.h"

namespace otsync::wire {

struct WireError {
  std::string_view code;  // "OTSObjectNotExist"
  int http_status;        // 404
};

// The code and HTTP status a non-OK status is answered with.
WireError ToWireError(StatusCode code);

// The status code a received Tablestore error code stands for (unknown codes: kInternal for
// HTTP 5xx, kInvalidArgument otherwise).
StatusCode FromWireError(std::string_view code, int http_status);

// Whether a client may retry a request that failed with this code (docs/protocol.md §1.8): row
// conflicts, table not ready, server busy, quota "Too frequent table operations." always; timeouts,
// internal and unavailable errors only for idempotent (read) APIs.
bool IsRetryableAlways(std::string_view code, std::string_view message);
bool IsRetryableForIdempotent(std::string_view code, int http_status);

// The read APIs a client may retry on the IsRetryableForIdempotent errors (the union of the
// Go and Java lists of docs/protocol.md §1.8): ListTable, DescribeTable, GetRow, BatchGetRow,
// GetRange, the four stream reads and ComputeSplitPointsBySize. `api` is the path without '/', e.g.
// "GetRow".
bool IsIdempotentApi(std::string_view api);

}  // namespace otsync::wire
