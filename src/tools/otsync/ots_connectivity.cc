#include "tools/otsync/ots_connectivity.h"

#include <chrono>
#include <memory>
#include <variant>

#include "client/client.h"
#include "sync/ots_hints.h"

namespace otsync::tools {

client::ClientOptions OtsClientOptions(const sync::OtsDataSourceConfig& ots) {
  client::ClientOptions options;
  options.endpoint = ots.endpoint;
  options.instance = ots.instance;
  options.credentials.access_key_id = ots.access_id;
  options.credentials.access_key_secret = ots.access_key;
  return options;
}

Result<std::string> TestOtsDataSource(const sync::DataSource& source) {
  const auto* ots = std::get_if<sync::OtsDataSourceConfig>(&source.config);
  if (ots == nullptr) {
    return Status::InvalidArgument("data source '" + source.name + "' is not of type ots");
  }
  client::ClientOptions options = OtsClientOptions(*ots);
  options.connect_timeout = std::chrono::milliseconds(3000);
  options.request_timeout = std::chrono::milliseconds(10000);
  options.max_retries = 0;
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<client::Client> client,
                          client::Client::Create(std::move(options)));
  Result<std::vector<std::string>> tables = client->ListTable();
  if (!tables.ok()) return sync::ExplainNetworkFailure(tables.status(), source.name, ots->endpoint);
  return "reached instance " + ots->instance + " at " + ots->endpoint + ": " +
         std::to_string(tables->size()) + (tables->size() == 1 ? " table" : " tables");
}

}  // namespace otsync::tools
