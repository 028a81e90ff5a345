// The console's request pipeline, for every path (the API and the page alike):
//
//   1. the DNS-rebinding guard: Host and Origin must name this server    -> 403 forbidden
//   2. the route table: the path and method                             -> 404 / 405
//   3. a signed-in route needs a session cookie or the CLI token         -> 401 unauthenticated
//   4. a session request that changes state needs its X-CSRF-Token       -> 403 csrf_mismatch
//   5. a body sent to change state must be JSON                          -> 415
//   6. the route's handler
//
// and every response, errors included, gets the security headers (SecurityHeaders) and, under
// /api/, "Cache-Control: no-store".
//
// Thread safety: Handle may be called from many threads once the routes are added.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "console/api_router.h"
#include "console/api_types.h"
#include "console/console_auth.h"
#include "console/request_origin.h"

namespace otsync::console {

// Content-Security-Policy (default-src 'self', no inline or eval'd script or style, no
// framing), X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Cross-Origin-Opener-Policy.
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

class ConsoleApi {
 public:
  // `auth` must outlive this object.
  ConsoleApi(RequestOriginGuard guard, ConsoleAuth* auth) : guard_(std::move(guard)), auth_(auth) {}

  ApiRouter& router() { return router_; }
  ConsoleAuth& auth() { return *auth_; }

  ApiResponse Handle(ApiRequest request) const;

 private:
  ApiResponse Route(ApiRequest& request) const;

  RequestOriginGuard guard_;
  ConsoleAuth* auth_;
  ApiRouter router_;
};

}  // namespace otsync::console
