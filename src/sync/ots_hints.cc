#include "sync/ots_hints.h"

#include "wire/endpoint.h"

namespace otsync::sync {
namespace {

constexpr std::string_view kNetworkErrorPrefix = "network error: ";
constexpr std::string_view kDefaultDataSource = "otsstream";

// " --datasource NAME" for a data source other than the default; empty otherwise.
std::string DataSourceOption(std::string_view datasource) {
  if (datasource.empty() || datasource == kDefaultDataSource) return {};
  return " --datasource " + std::string(datasource);
}

}  // namespace

bool IsNetworkFailure(const Status& status) {
  return status.code() == StatusCode::kUnavailable &&
         status.message().find(kNetworkErrorPrefix) != std::string::npos;
}

Status ExplainNetworkFailure(const Status& status, std::string_view datasource,
                             std::string_view endpoint) {
  if (!IsNetworkFailure(status)) return status;
  std::string subject = datasource.empty() ? std::string(endpoint)
                                           : "data source '" + std::string(datasource) + "' at " +
                                                 std::string(endpoint);
  std::string message = "nothing answers at " + subject + " (" + status.message() + "). ";
  const std::string name = datasource.empty() ? "NAME" : std::string(datasource);
  const Result<wire::Endpoint> parsed = wire::ParseEndpoint(endpoint);
  if (parsed.ok() && parsed->IsLoopback()) {
    message += "Is otsd running? Start it with: otsd --data-dir /tmp/otsd-data";
    if (parsed->authority != "127.0.0.1:8800") message += " --listen " + parsed->authority;
    message += " (or point the data source at another endpoint: otsync datasource add " + name +
               " --type ots --endpoint URL --instance NAME --access-id ID --replace)";
  } else {
    message += "Check the endpoint and the network from this machine (otsync datasource show " +
               name + "; otsync datasource test " + name + ")";
  }
  return Status(StatusCode::kUnavailable, std::move(message));
}

std::string EnableStreamHint(std::string_view table, std::string_view datasource) {
  return "enable it with: otsync table enable-stream " + std::string(table) +
         DataSourceOption(datasource);
}

std::string MissingTableHint(std::string_view table, std::string_view datasource) {
  const std::string option = DataSourceOption(datasource);
  return "no table '" + std::string(table) + "' (otsync table list" + option +
         " shows the tables; otsync table create " + std::string(table) +
         " --pk 'id:string' --stream 24" + option + " creates one with the Stream on)";
}

}  // namespace otsync::sync
