// The stream APIs: ListStream, DescribeStream, GetShardIterator and GetStreamRecord (reference
// §2.6, §4), served from the store's stream log.
#pragma once

#include "server/request_dispatcher.h"

namespace otsync::server {

void RegisterStreamHandlers(RequestDispatcher* dispatcher);

}  // namespace otsync::server
