#include "console/request_origin.h"

#include <algorithm>
#include <charconv>

namespace otsync::console {
namespace {

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool ParsePort(std::string_view text, int* port) {
  if (text.empty() || text.size() > 5) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *port);
  return error == std::errc() && end == text.data() + text.size() && *port >= 0 && *port <= 65535;
}

// "host:port" or "[v6]:port" or "host" -> host (lowercase, no brackets) and the port, -1 when
// none was written. False when malformed.
bool SplitHostPort(std::string_view text, std::string* host, int* port) {
  *port = -1;
  if (text.empty()) return false;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    *host = Lowercase(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return true;
    return rest.front() == ':' && ParsePort(rest.substr(1), port);
  }
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    *host = Lowercase(text);
    return true;
  }
  if (text.find(':') != colon) return false;  // An IPv6 address needs brackets.
  *host = Lowercase(text.substr(0, colon));
  return !host->empty() && ParsePort(text.substr(colon + 1), port);
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  std::string host;
  int port = -1;
  if (!SplitHostPort(text, &host, &port) || host.empty() || port < 0) {
    return Status::InvalidArgument("--listen: expected HOST:PORT (e.g. 127.0.0.1:8900), got '" +
                                   std::string(text) + "'");
  }
  return ListenAddress{host, port};
}

bool IsLoopbackHost(std::string_view host) {
  std::string lower = Lowercase(host);
  if (lower == "localhost" || lower == "::1") return true;
  // 127.0.0.0/8 in dotted-quad form.
  if (lower.rfind("127.", 0) != 0) return false;
  int parts = 0;
  size_t start = 0;
  while (start <= lower.size()) {
    size_t dot = lower.find('.', start);
    std::string_view part = std::string_view(lower).substr(
        start, dot == std::string::npos ? std::string::npos : dot - start);
    int value = 0;
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || error != std::errc() || end != part.data() + part.size() || value > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

RequestOriginGuard::RequestOriginGuard(const ListenAddress& listen, int port,
                                       std::vector<std::string> extra_hosts)
    : port_(port) {
  std::string host = Lowercase(listen.host);
  if (host != "0.0.0.0" && host != "::") names_.push_back(host);
  if (IsLoopbackHost(host) || host == "0.0.0.0" || host == "::") {
    for (const char* name : {"127.0.0.1", "localhost", "::1"}) names_.push_back(name);
  }
  for (const std::string& extra : extra_hosts) names_.push_back(Lowercase(extra));
}

bool RequestOriginGuard::IsOwnHost(std::string_view host_and_port) const {
  std::string host;
  int port = -1;
  if (!SplitHostPort(host_and_port, &host, &port)) return false;
  if (port == -1) port = 80;
  return port == port_ && std::find(names_.begin(), names_.end(), host) != names_.end();
}

Status RequestOriginGuard::Check(std::string_view host_header,
                                 std::optional<std::string_view> origin) const {
  if (!IsOwnHost(host_header)) {
    return Status(StatusCode::kAuthFailed,
                  "the Host header does not name this server (a DNS-rebinding guard); use "
                  "http://127.0.0.1:" +
                      std::to_string(port_) + "/ or allow the name with --allow-host");
  }
  if (origin.has_value()) {
    constexpr std::string_view kScheme = "http://";
    std::string lower = Lowercase(*origin);
    if (lower.rfind(kScheme, 0) != 0 ||
        !IsOwnHost(std::string_view(lower).substr(kScheme.size()))) {
      return Status(StatusCode::kAuthFailed,
                    "requests from another site's pages are refused (Origin is not this server)");
    }
  }
  return Status::OK();
}

}  // namespace otsync::console
