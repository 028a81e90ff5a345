// Test Connectivity for `ots` data sources: one real signed request (ListTable) to the
// endpoint, as the seed's "Test Connectivity" button does.
#pragma once

#include <string>

#include "base/result.h"
#include "sync/datasource_registry.h"

namespace otsync::sync {

// OK with "reached instance <i> at <endpoint>: <n> tables"; otherwise the reason (network
// failure, OTSAuthFailed, ...). Neither ever contains the access key.
Result<std::string> TestOtsDataSource(const DataSource& source);

}  // namespace otsync::sync
