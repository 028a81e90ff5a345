#include "wire/endpoint.h"

namespace otsync::wire {

Result<Endpoint> ParseEndpoint(std::string_view text) {
  Endpoint endpoint;
  const size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos)
    endpoint.scheme = std::string(text.substr(0, scheme_end));
  if (endpoint.scheme != "http" && endpoint.scheme != "https") {
    return Status::InvalidArgument("endpoint must start with http:// or https://");
  }
  std::string_view authority = text.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  endpoint.authority = std::string(authority);

  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("endpoint has an unclosed [ in its host");
    }
    endpoint.host = std::string(authority.substr(1, close - 1));
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return Status::InvalidArgument("endpoint has text after its host's ]");
    }
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const size_t colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) return Status::InvalidArgument("endpoint has no host");
  if (port.empty()) return endpoint;
  uint32_t number = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || number > 65535) {
      return Status::InvalidArgument("endpoint's port is not a number from 1 to 65535");
    }
    number = number * 10 + static_cast<uint32_t>(c - '0');
  }
  if (number == 0 || number > 65535) {
    return Status::InvalidArgument("endpoint's port is not a number from 1 to 65535");
  }
  endpoint.port = static_cast<uint16_t>(number);
  return endpoint;
}

bool Endpoint::IsLoopback() const {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

bool IsLoopbackEndpoint(std::string_view endpoint) {
  const Result<Endpoint> parsed = ParseEndpoint(endpoint);
  return parsed.ok() && parsed->IsLoopback();
}

}  // namespace otsync::wire
