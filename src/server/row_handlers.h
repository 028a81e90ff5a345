// The row APIs: GetRow, PutRow, UpdateRow, DeleteRow, BatchGetRow, BatchWriteRow and GetRange
// (docs/protocol.md §2.3-§2.5, §3.9).
#pragma once

#include <memory>

#include "server/read_ahead.h"
#include "server/request_dispatcher.h"

namespace otsync::server {

// `range_read_ahead` prepares a scan's next GetRange page; null = off.
void RegisterRowHandlers(RequestDispatcher* dispatcher,
                         std::shared_ptr<ReadAhead> range_read_ahead);

}  // namespace otsync::server
