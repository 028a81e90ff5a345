// A request to the console's JSON API and its response, independent of the HTTP library, so
// that routing, authentication and handlers are tested without sockets (http_listener.cc turns
// cpp-httplib's objects into these and back).
//
// Errors have one shape, { "error": { "code": "not_found", "message": "..." } }, with the HTTP
// status that matches: 400 invalid_argument, 401 unauthenticated, 403 forbidden, 404 not_found,
// 405 method_not_allowed, 409 already_exists, 415 unsupported_media_type, 429 too_many_requests,
// 500 internal, 501 unsupported, 503 unavailable.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "console/server_sent_events.h"

namespace otsync::console {

// How a request proved who sent it.
enum class Credential { kNone, kSession, kBearerToken };

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // Without the query string, percent-encoded as received.
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // Names in lowercase.
  std::string body;
  std::string remote_address;

  // Set by the router: "{name}" segments of the route's pattern, percent-decoded.
  std::map<std::string, std::string> path_params;
  // Set by authentication.
  Credential credential = Credential::kNone;
  std::string session_id;  // With kSession.

  // The header's value (`name` in lowercase), nullopt when absent.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The path parameter; empty when the route has none of that name.
  const std::string& PathParam(const std::string& name) const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is this stream of server-sent events instead (text/event-stream).
  std::shared_ptr<EventSource> events;

  static ApiResponse Json(int status, std::string json);
  // `message` is shown to the user as is: it must hold no secret.
  static ApiResponse Error(int status, std::string_view code, std::string_view message);
  // The error for a non-OK Status, with the status and code its StatusCode stands for.
  static ApiResponse FromStatus(const Status& status);
  static ApiResponse EventStream(std::shared_ptr<EventSource> events);
};

// True for POST, PUT, PATCH and DELETE: the methods that need the CSRF token.
bool ChangesState(std::string_view method);

}  // namespace otsync::console
