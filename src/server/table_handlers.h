// The table APIs: CreateTable, ListTable, DescribeTable, UpdateTable, DeleteTable and
// ComputeSplitPointsBySize (docs/protocol.md §2.2, §2.7).
#pragma once

#include "server/request_dispatcher.h"

namespace otsync::server {

void RegisterTableHandlers(RequestDispatcher* dispatcher);

}  // namespace otsync::server
