// A request to the console's JSON API and its response, independent of the HTTP library, so
// that routing, authentication and handlers are tested without sockets (http_listener.cc turns
// cpp-httplib's objects into these and back).
//
// Errors have one shape, { "error": { "code": "not_found", "message": "..." } }, with the HTTP
// status that matches: 400 invalid_argument, 401 unauthenticated, 403 forbidden, 404 not_found,
// 405 method_not_allowed, 409 already_exists, 415 unsupported_media_type, 429 too_many_requests,
// 500 internal, 501 unsupported, 503 unavailable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
  // Names in lowercase; compared transparently, so that Header() looks a name up without a copy.
  std::map<std::string, std::string, std::less<>> headers;
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

// A response body read from an open file while it is sent, for downloads larger than memory should
// hold. The descriptor belongs to the FileBody and is closed with it; the file may already be
// unlinked (its bytes stay readable through the descriptor).
struct FileBody {
  FileBody(int fd, int64_t size) : fd(fd), size(size) {}
  ~FileBody();
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;

  // The `length` bytes at `offset`, appended to `out`; IOError when the file cannot be read or
  // ends before them.
  Status ReadAt(int64_t offset, size_t length, std::string* out) const;

  const int fd;
  const int64_t size;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is this stream of server-sent events instead (text/event-stream).
  std::shared_ptr<EventSource> events;
  // When set, the body is this file's bytes instead, sent with its size as Content-Length.
  std::shared_ptr<const FileBody> file;

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
