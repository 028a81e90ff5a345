// Where `otsync serve` listens, and which requests may reach it: the DNS-rebinding guard.
//
// A page on another site can make a browser send requests to 127.0.0.1:8900; two checks stop it.
// The Host header must name this server (the listen address, a loopback name when listening on
// loopback, or a name allowed with --allow-host): a rebound DNS name arrives with the attacker's
// host name. An Origin header, when present, must be http:// plus one of those names: browsers
// send it with every cross-origin request and every POST. Requests without Origin come from
// non-browser clients (curl, the otsync CLI) and are let through to the authentication check.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace otsync::console {

struct ListenAddress {
  std::string host;  // As given: "127.0.0.1", "localhost", "::1" (brackets removed), "0.0.0.0".
  int port = 8900;
};

// "HOST:PORT", "[IPV6]:PORT"; the port 0..65535 (0: any free port).
Result<ListenAddress> ParseListenAddress(std::string_view text);

// 127.0.0.0/8, ::1 and localhost (what only this machine can reach).
bool IsLoopbackHost(std::string_view host);

class RequestOriginGuard {
 public:
  // `port` is the port actually bound; `extra_hosts` are further names clients may use.
  RequestOriginGuard(const ListenAddress& listen, int port, std::vector<std::string> extra_hosts);

  // OK, or kAuthFailed saying which header named a foreign host (the caller answers 403).
  Status Check(std::string_view host_header, std::optional<std::string_view> origin) const;

 private:
  bool IsOwnHost(std::string_view host_and_port) const;

  std::vector<std::string> names_;  // Lowercase host names without port.
  int port_;
};

}  // namespace otsync::console
