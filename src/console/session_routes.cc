#include "console/session_routes.h"

#include "console/json_body.h"

namespace otsync::console {
namespace {

ApiResponse Login(ConsoleAuth& auth, const ApiRequest& request) {
  Result<nlohmann::json> body = ParseJsonObject(request);
  if (!body.ok()) return ApiResponse::FromStatus(body.status());
  Result<std::string> password = StringField(*body, "password");
  if (!password.ok()) return ApiResponse::FromStatus(password.status());
  if (password->empty()) return ApiResponse::Error(400, "invalid_argument", "password: missing");
  Result<NewSession> session = auth.Login(*password, request.remote_address);
  if (!session.ok()) {
    const Status& status = session.status();
    if (status.code() == StatusCode::kAuthFailed) {
      return ApiResponse::Error(401, "wrong_password", status.message());
    }
    ApiResponse response = ApiResponse::FromStatus(status);
    if (status.code() == StatusCode::kQuotaExhausted) {
      // "... try again in N seconds": the number for Retry-After.
      std::string seconds;
      for (char c : status.message()) {
        if (c >= '0' && c <= '9') seconds.push_back(c);
      }
      response.headers.emplace_back("Retry-After", seconds.empty() ? "60" : seconds);
    }
    return response;
  }
  std::optional<SessionInfo> info = auth.Session(session->id);
  ApiResponse response =
      JsonReply(200, {{"csrfToken", session->csrf_token},
                      {"expiresAt", info.has_value() ? info->expires_micros / 1000000 : 0}});
  response.headers.emplace_back("Set-Cookie", auth.SessionCookie(session->id));
  return response;
}

}  // namespace

void AddSessionRoutes(ConsoleApi& api) {
  ApiRouter& router = api.router();
  ConsoleAuth& auth = api.auth();
  router.Add("GET", "/api/health", Access::kPublic, [](const ApiRequest&) {
    return JsonReply(200, {{"status", "ok"}});
  });
  router.Add("POST", "/api/login", Access::kPublic,
             [&auth](const ApiRequest& request) { return Login(auth, request); });
  router.Add("POST", "/api/logout", Access::kSignedIn, [&auth](const ApiRequest& request) {
    if (request.credential == Credential::kSession) auth.Logout(request.session_id);
    ApiResponse response = JsonReply(200, {{"signed_out", true}});
    response.headers.emplace_back("Set-Cookie", ConsoleAuth::ClearedSessionCookie());
    return response;
  });
  router.Add("GET", "/api/session", Access::kSignedIn, [&auth](const ApiRequest& request) {
    if (request.credential == Credential::kBearerToken) {
      return JsonReply(200, {{"credential", "cli_token"}});
    }
    std::optional<SessionInfo> info = auth.Session(request.session_id);
    if (!info.has_value()) return ApiResponse::Error(401, "unauthenticated", "the session ended");
    return JsonReply(200, {{"credential", "session"},
                           {"csrfToken", info->csrf_token},
                           {"expiresAt", info->expires_micros / 1000000}});
  });
}

}  // namespace otsync::console
