// The routes every console has, scheduler or not:
//
//   GET  /api/health     public: {"status": "ok"}
//   POST /api/login      public: {"password"} -> Set-Cookie otsync_session + {"csrfToken",
//                        "expiresAt"}; 401 wrong_password, 429 while throttled (Retry-After)
//   POST /api/logout     ends the session and clears the cookie
//   GET  /api/session    {"credential": "session"|"cli_token", "csrfToken", "expiresAt"}
//   GET  /               the console's page (console_page.h)
#pragma once

#include "console/console_api.h"

namespace otsync::console {

void AddSessionRoutes(ConsoleApi& api);

}  // namespace otsync::console
