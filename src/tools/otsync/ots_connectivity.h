// Test Connectivity for `ots` data sources: one real signed request (ListTable) to the
// endpoint, as the seed's "Test Connectivity" button does.
#pragma once

#include <string>

#include "base/result.h"
#include "client/client.h"
#include "sync/datasource_registry.h"

namespace otsync::tools {

// The client options that reach `ots` (endpoint, instance, access key); timeouts and retries
// are the client's defaults, for the caller to adjust.
client::ClientOptions OtsClientOptions(const sync::OtsDataSourceConfig& ots);

// OK with "reached instance <i> at <endpoint>: <n> tables"; otherwise the reason (network
// failure explained by ExplainNetworkFailure, OTSAuthFailed, ...). Neither ever contains the access
// key.
Result<std::string> TestOtsDataSource(const sync::DataSource& source);

}  // namespace otsync::tools
