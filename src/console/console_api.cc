#include "console/console_api.h"

#include <algorithm>

namespace otsync::console {
namespace {

bool IsJsonContentType(std::string_view value) {
  std::string_view type = value.substr(0, value.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "application/json";
}

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ", ") + item;
  return joined;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
  };
  return kHeaders;
}

ApiResponse ConsoleApi::Handle(ApiRequest request) const {
  ApiResponse response = Route(request);
  for (const auto& header : SecurityHeaders()) response.headers.push_back(header);
  if (request.path.rfind("/api/", 0) == 0 &&
      std::none_of(response.headers.begin(), response.headers.end(),
                   [](const auto& header) { return header.first == "Cache-Control"; })) {
    response.headers.emplace_back("Cache-Control", "no-store");
  }
  return response;
}

ApiResponse ConsoleApi::Route(ApiRequest& request) const {
  std::optional<std::string_view> host = request.Header("host");
  if (Status allowed = guard_.Check(host.value_or(""), request.Header("origin")); !allowed.ok()) {
    return ApiResponse::Error(403, "forbidden", allowed.message());
  }
  ApiRouter::Lookup lookup = router_.Find(request.method, request.path);
  if (lookup.route == nullptr) {
    if (lookup.allowed_methods.empty()) {
      return ApiResponse::Error(404, "not_found", "no such path: " + request.path);
    }
    ApiResponse response = ApiResponse::Error(
        405, "method_not_allowed",
        request.method + " is not accepted here; allowed: " + Join(lookup.allowed_methods));
    response.headers.emplace_back("Allow", Join(lookup.allowed_methods));
    return response;
  }
  request.path_params = std::move(lookup.path_params);
  auth_->Identify(&request);
  if (lookup.route->access == Access::kSignedIn) {
    if (request.credential == Credential::kNone) {
      return ApiResponse::Error(401, "unauthenticated",
                                "sign in first (POST /api/login), or send the token of "
                                "<data-dir>/console/cli.token as \"Authorization: Bearer ...\"");
    }
    if (Status csrf = auth_->CheckCsrf(request); !csrf.ok()) {
      return ApiResponse::Error(403, "csrf_mismatch", csrf.message());
    }
  }
  if (ChangesState(request.method) && !request.body.empty() &&
      !IsJsonContentType(request.Header("content-type").value_or(""))) {
    return ApiResponse::Error(415, "unsupported_media_type",
                              "send the body as JSON with \"Content-Type: application/json\"");
  }
  return lookup.route->handler(request);
}

}  // namespace otsync::console
