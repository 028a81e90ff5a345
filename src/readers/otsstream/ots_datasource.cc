#include "readers/otsstream/ots_datasource.h"

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "sync/ots_hints.h"

namespace otsync::readers::otsstream {
namespace {

constexpr char kType[] = "ots";

}  // namespace

sync::DataSourceType OtsDataSourceType() {
  sync::DataSourceType type;
  type.name = kType;
  sync::DataSourceField endpoint = sync::RequiredField(
      "endpoint", "an address such as http://example.com", "http(s)://host[:port]");
  endpoint.accepts = [](std::string_view value) {
    return value.starts_with("http://") || value.starts_with("https://");
  };
  sync::DataSourceField access_key =
      sync::RequiredField("accessKey", "a non-empty AccessKey secret", "the AccessKey secret");
  access_key.secret = true;
  access_key.environment_variable = "OTSYNC_ACCESS_KEY";
  type.fields = {
      endpoint, sync::RequiredField("instance", "a Tablestore instance name", "the instance name"),
      sync::RequiredField("accessId", "a non-empty AccessKey ID", "the AccessKey ID"), access_key};
  type.defaults = [](const std::string&) {
    return std::vector<sync::DataSource>{OtsDataSource(
        "otsstream", "the local otsd",
        {"http://127.0.0.1:8800", "local", "otsync-local-id", "otsync-local-secret"})};
  };
  type.test = TestOtsDataSource;
  return type;
}

sync::DataSource OtsDataSource(std::string name, std::string description,
                               const OtsDataSourceConfig& config) {
  return sync::DataSource{std::move(name),
                          kType,
                          std::move(description),
                          {{"endpoint", config.endpoint},
                           {"instance", config.instance},
                           {"accessId", config.access_id},
                           {"accessKey", config.access_key}}};
}

Result<OtsDataSourceConfig> OtsDataSourceConfigOf(const sync::DataSource& source) {
  if (source.type != kType) {
    return Status::InvalidArgument("data source '" + source.name + "' is not of type ots");
  }
  return OtsDataSourceConfig{source.field("endpoint"), source.field("instance"),
                             source.field("accessId"), source.field("accessKey")};
}

client::ClientOptions OtsClientOptions(const OtsDataSourceConfig& ots) {
  client::ClientOptions options;
  options.endpoint = ots.endpoint;
  options.instance = ots.instance;
  options.credentials.access_key_id = ots.access_id;
  options.credentials.access_key_secret = ots.access_key;
  return options;
}

Result<std::string> TestOtsDataSource(const sync::DataSource& source) {
  OTSYNC_ASSIGN_OR_RETURN(OtsDataSourceConfig ots, OtsDataSourceConfigOf(source));
  client::ClientOptions options = OtsClientOptions(ots);
  options.connect_timeout = std::chrono::milliseconds(3000);
  options.request_timeout = std::chrono::milliseconds(10000);
  options.max_retries = 0;
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<client::Client> client,
                          client::Client::Create(std::move(options)));
  Result<std::vector<std::string>> tables = client->ListTable();
  if (!tables.ok()) return sync::ExplainNetworkFailure(tables.status(), source.name, ots.endpoint);
  return "reached instance " + ots.instance + " at " + ots.endpoint + ": " +
         std::to_string(tables->size()) + (tables->size() == 1 ? " table" : " tables");
}

}  // namespace otsync::readers::otsstream
