#include "sync/ots_hints.h"

namespace otsync::sync {
namespace {

constexpr std::string_view kNetworkErrorPrefix = "network error: ";
constexpr std::string_view kDefaultDataSource = "otsstream";

// host[:port] of http(s)://host[:port][/path].
std::string_view AuthorityOf(std::string_view endpoint) {
  if (size_t scheme = endpoint.find("://"); scheme != std::string_view::npos) {
    endpoint.remove_prefix(scheme + 3);
  }
  return endpoint.substr(0, endpoint.find('/'));
}

// The host of an authority, brackets of an IPv6 literal kept.
std::string_view HostOf(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    return authority.substr(0, authority.find(']') + 1);
  }
  return authority.substr(0, authority.find(':'));
}

// " --datasource NAME" for a data source other than the default; empty otherwise.
std::string DataSourceOption(std::string_view datasource) {
  if (datasource.empty() || datasource == kDefaultDataSource) return {};
  return " --datasource " + std::string(datasource);
}

bool IsLoopback(std::string_view host) {
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

}  // namespace

bool IsLoopbackEndpoint(std::string_view endpoint) {
  return IsLoopback(HostOf(AuthorityOf(endpoint)));
}

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
  const std::string_view authority = AuthorityOf(endpoint);
  if (IsLoopback(HostOf(authority))) {
    message += "Is otsd running? Start it with: otsd --data-dir /tmp/otsd-data";
    if (authority != "127.0.0.1:8800") message += " --listen " + std::string(authority);
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
