// The `ots` data-source type: a Tablestore instance reached with an AccessKey. The otsstream
// reader's `datasource`, the `otsync table` commands and the console's table pages connect
// through it; `otsync datasource test` and Test Connectivity make one real signed request
// (ListTable), as the seed's "Test Connectivity" button does.
//
// Its fields, in datasources.json and the console's forms: endpoint (http:// or https://),
// instance, accessId, accessKey (secret; `otsync datasource add` reads OTSYNC_ACCESS_KEY when
// --access-key is not given). A fresh data dir holds `otsstream`, the local otsd.
#pragma once

#include <string>

#include "base/result.h"
#include "client/client.h"
#include "sync/datasource_type.h"

namespace otsync::readers::otsstream {

struct OtsDataSourceConfig {
  std::string endpoint;  // http:// or https://
  std::string instance;
  std::string access_id;
  std::string access_key;  // Secret.

  bool operator==(const OtsDataSourceConfig&) const = default;
};

// The descriptor for PluginRegistry::AddDataSourceType, tested by TestOtsDataSource.
sync::DataSourceType OtsDataSourceType();

// A data source of type ots holding `config`.
sync::DataSource OtsDataSource(std::string name, std::string description,
                               const OtsDataSourceConfig& config);

// The config `source` holds; kInvalidArgument when it is of another type.
Result<OtsDataSourceConfig> OtsDataSourceConfigOf(const sync::DataSource& source);

// The client options that reach `ots` (endpoint, instance, access key); timeouts and retries
// are the client's defaults, for the caller to adjust.
client::ClientOptions OtsClientOptions(const OtsDataSourceConfig& ots);

// OK with "reached instance <i> at <endpoint>: <n> tables"; otherwise the reason (network
// failure explained by ExplainNetworkFailure, OTSAuthFailed, ...). Neither ever contains the access
// key.
Result<std::string> TestOtsDataSource(const sync::DataSource& source);

}  // namespace otsync::readers::otsstream
