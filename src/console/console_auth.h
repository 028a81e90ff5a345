// Who may use the console API: the admin (password -> session) and the otsync CLI on this
// machine (the bearer token of cli.token).
//
// A request is signed in when it carries either a live session cookie ("otsync_session") or
// "Authorization: Bearer <cli token>". A session-authenticated request that changes state must
// also carry "X-CSRF-Token" equal to its session's token: a cookie is sent by the browser on its
// own, the header only by the console's page. The bearer token is never sent by a browser on its
// own, so it needs no CSRF token. Every comparison of a secret is in constant time.
//
// Thread safety: every method may be called from any thread. Password checks run one at a time
// (each costs scrypt's 32 MiB), which also bounds the memory a flood of logins can take.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "console/api_types.h"
#include "console/login_throttle.h"
#include "console/session_store.h"

namespace otsync::console {

inline constexpr char kSessionCookie[] = "otsync_session";
inline constexpr char kCsrfHeader[] = "x-csrf-token";

struct ConsoleAuthOptions {
  SessionOptions sessions;
  LoginThrottleOptions throttle;
};

class ConsoleAuth {
 public:
  ConsoleAuth(std::string admin_password_hash, std::string cli_token,
              std::shared_ptr<const Clock> clock, ConsoleAuthOptions options = {});

  // Sets request->credential (and session_id) from its cookie or bearer token; kNone when
  // neither is valid.
  void Identify(ApiRequest* request);

  // OK for requests that need no CSRF token or carry the right one; kAuthFailed otherwise.
  // REQUIRES: Identify ran.
  Status CheckCsrf(const ApiRequest& request);

  // A new session for the right password. kAuthFailed for a wrong one (counted against
  // `remote_address`); kQuotaExhausted "... try again in N seconds" while throttled.
  Result<NewSession> Login(const std::string& password, const std::string& remote_address);
  void Logout(const std::string& session_id);
  std::optional<SessionInfo> Session(const std::string& session_id);

  // "otsync_session=<id>; Path=/; HttpOnly; SameSite=Strict; Max-Age=<idle seconds>", and the
  // one that clears it.
  std::string SessionCookie(const std::string& id) const;
  static std::string ClearedSessionCookie();

 private:
  const std::string admin_password_hash_;
  const std::string cli_token_;
  const ConsoleAuthOptions options_;
  SessionStore sessions_;
  LoginThrottle throttle_;
  std::mutex password_check_mutex_;  // Serialises scrypt runs.
};

// The value of cookie `name` in a Cookie header ("a=1; otsync_session=..."); empty when absent.
std::string CookieValue(std::string_view cookie_header, std::string_view name);

}  // namespace otsync::console
