// The row APIs: GetRow, PutRow, UpdateRow, DeleteRow, BatchGetRow, BatchWriteRow and GetRange
// (docs/protocol.md §2.3-§2.5, §3.9).
#pragma once

#include "server/request_dispatcher.h"

namespace otsync::server {

void RegisterRowHandlers(RequestDispatcher* dispatcher);

}  // namespace otsync::server
