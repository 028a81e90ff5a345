// A Tablestore endpoint as users write it and the SDKs take it: "http(s)://host[:port][/path]".
// The path, query and fragment are ignored (requests go to "/<API>"). The one parser of it: the
// client's transport and connections, and the hints that tell a local otsd from a remote service.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace otsync::wire {

struct Endpoint {
  std::string scheme;            // "http" or "https".
  std::string authority;         // "host[:port]" as written, an IPv6 literal in its brackets.
  std::string host;              // A name or address; an IPv6 literal without its brackets.
  std::optional<uint16_t> port;  // Absent: the scheme's default.

  // "scheme://authority": the endpoint without its path.
  std::string Origin() const { return scheme + "://" + authority; }
  // Whether the host names this machine: localhost, 127.x.x.x or ::1.
  bool IsLoopback() const;
};

// kInvalidArgument, naming what is wrong: no "http://" or "https://" at the start, no host, an
// IPv6 literal without its closing ']' or with text after it other than ":port", a port that is
// not a number from 1 to 65535.
Result<Endpoint> ParseEndpoint(std::string_view text);

// ParseEndpoint(endpoint)->IsLoopback(); false when `endpoint` does not parse.
bool IsLoopbackEndpoint(std::string_view endpoint);

}  // namespace otsync::wire
