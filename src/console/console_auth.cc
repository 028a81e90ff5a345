#include "console/console_auth.h"

#include "console/password_hash.h"
#include "console/random_token.h"
#include "wire/signature.h"

namespace otsync::console {

std::string CookieValue(std::string_view cookie_header, std::string_view name) {
  size_t start = 0;
  while (start < cookie_header.size()) {
    size_t end = cookie_header.find(';', start);
    std::string_view pair = cookie_header.substr(
        start, end == std::string_view::npos ? std::string_view::npos : end - start);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return std::string(pair.substr(equals + 1));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return "";
}

ConsoleAuth::ConsoleAuth(std::string admin_password_hash, std::string cli_token,
                         std::shared_ptr<const Clock> clock, ConsoleAuthOptions options)
    : admin_password_hash_(std::move(admin_password_hash)),
      cli_token_(std::move(cli_token)),
      options_(options),
      sessions_(clock, options.sessions),
      throttle_(clock, options.throttle) {}

void ConsoleAuth::Identify(ApiRequest* request) {
  request->credential = Credential::kNone;
  request->session_id.clear();
  if (std::optional<std::string_view> authorization = request->Header("authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization->substr(0, kBearer.size()) == kBearer && !cli_token_.empty() &&
        wire::ConstantTimeEquals(authorization->substr(kBearer.size()), cli_token_)) {
      request->credential = Credential::kBearerToken;
    }
    return;  // A wrong Authorization header is not retried as a cookie.
  }
  if (std::optional<std::string_view> cookie = request->Header("cookie")) {
    std::string id = CookieValue(*cookie, kSessionCookie);
    if (!id.empty() && sessions_.Touch(id).has_value()) {
      request->credential = Credential::kSession;
      request->session_id = std::move(id);
    }
  }
}

Status ConsoleAuth::CheckCsrf(const ApiRequest& request) {
  if (request.credential != Credential::kSession || !ChangesState(request.method)) {
    return Status::OK();
  }
  std::optional<SessionInfo> session = sessions_.Touch(request.session_id);
  std::optional<std::string_view> sent = request.Header(kCsrfHeader);
  if (!session.has_value() || !sent.has_value() ||
      !wire::ConstantTimeEquals(*sent, session->csrf_token)) {
    return Status(StatusCode::kAuthFailed,
                  "a request that changes something needs the X-CSRF-Token header of this session "
                  "(GET /api/session returns it)");
  }
  return Status::OK();
}

Result<NewSession> ConsoleAuth::Login(const std::string& password,
                                      const std::string& remote_address) {
  std::lock_guard lock(password_check_mutex_);
  if (int64_t wait = throttle_.SecondsUntilAllowed(remote_address); wait > 0) {
    return Status(StatusCode::kQuotaExhausted,
                  "too many wrong passwords; try again in " + std::to_string(wait) + " seconds");
  }
  Result<bool> right = VerifyPassword(password, admin_password_hash_);
  if (!right.ok()) return right.status();
  if (!*right) {
    throttle_.RecordFailure(remote_address);
    return Status(StatusCode::kAuthFailed, "wrong password");
  }
  return sessions_.Create();
}

void ConsoleAuth::Logout(const std::string& session_id) { sessions_.End(session_id); }

std::optional<SessionInfo> ConsoleAuth::Session(const std::string& session_id) {
  return sessions_.Touch(session_id);
}

std::string ConsoleAuth::SessionCookie(const std::string& id) const {
  return std::string(kSessionCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(options_.sessions.idle_timeout_micros / 1000000);
}

std::string ConsoleAuth::ClearedSessionCookie() {
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
}

}  // namespace otsync::console
