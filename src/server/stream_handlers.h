// The stream APIs: ListStream, DescribeStream, GetShardIterator and GetStreamRecord
// (docs/protocol.md §2.6, §4), served from the store's stream log.
#pragma once

#include <memory>

#include "server/request_dispatcher.h"
#include "server/stream_read_ahead.h"

namespace otsync::server {

// With `read_ahead` (may be null), GetStreamRecord prepares the answer to the next call of a
// reader whose answer was full (the limit or the size cap reached) while the reader works on
// the current one; see server/stream_read_ahead.h. The answers are the same either way.
void RegisterStreamHandlers(RequestDispatcher* dispatcher,
                            std::shared_ptr<StreamReadAhead> read_ahead);

}  // namespace otsync::server
