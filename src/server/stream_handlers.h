// The stream APIs: ListStream, DescribeStream, GetShardIterator and GetStreamRecord
// (docs/protocol.md §2.6, §4), served from the store's stream log.
#pragma once

#include <memory>

#include "server/read_ahead.h"
#include "server/request_dispatcher.h"

namespace otsync::server {

// With `read_ahead` (may be null), GetStreamRecord prepares the answer to the next call of a
// reader whose answer was full (the limit or the size cap reached) while the reader works on
// the current one; see server/read_ahead.h. The answers are the same either way.
void RegisterStreamHandlers(RequestDispatcher* dispatcher, std::shared_ptr<ReadAhead> read_ahead);

}  // namespace otsync::server
