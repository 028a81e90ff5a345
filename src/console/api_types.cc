#include "console/api_types.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace otsync::console {

std::optional<std::string_view> ApiRequest::Header(std::string_view name) const {
  auto found = headers.find(name);
  if (found == headers.end()) return std::nullopt;
  return std::string_view(found->second);
}

const std::string& ApiRequest::PathParam(const std::string& name) const {
  static const std::string kEmpty;
  auto found = path_params.find(name);
  return found == path_params.end() ? kEmpty : found->second;
}

ApiResponse ApiResponse::Json(int status, std::string json) {
  ApiResponse response;
  response.status = status;
  response.body = std::move(json);
  return response;
}

ApiResponse ApiResponse::Error(int status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  return Json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

ApiResponse ApiResponse::FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidPrimaryKey:
      return Error(400, "invalid_argument", status.message());
    case StatusCode::kNotFound:
      return Error(404, "not_found", status.message());
    case StatusCode::kAlreadyExists:
      return Error(409, "already_exists", status.message());
    case StatusCode::kFailedPrecondition:
      return Error(409, "conflict", status.message());
    case StatusCode::kAuthFailed:
      return Error(403, "forbidden", status.message());
    case StatusCode::kMethodNotAllowed:
      return Error(405, "method_not_allowed", status.message());
    case StatusCode::kQuotaExhausted:
      return Error(429, "too_many_requests", status.message());
    case StatusCode::kUnsupported:
      return Error(501, "unsupported", status.message());
    case StatusCode::kUnavailable:
    case StatusCode::kTimeout:
    case StatusCode::kServerBusy:
      return Error(503, "unavailable", status.message());
    default:
      return Error(500, "internal", status.message());
  }
}

FileBody::~FileBody() { ::close(fd); }

Status FileBody::ReadAt(int64_t offset, size_t length, std::string* out) const {
  const size_t start = out->size();
  out->resize(start + length);
  size_t done = 0;
  while (done < length) {
    const ssize_t got = ::pread(fd, out->data() + start + done, length - done,
                                static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      out->resize(start + done);
      return Status::IOError(got < 0 ? std::string("reading the download failed: ") +
                                           std::strerror(errno)
                                     : std::string("the download ended early"));
    }
    done += static_cast<size_t>(got);
  }
  return Status::OK();
}

ApiResponse ApiResponse::EventStream(std::shared_ptr<EventSource> events) {
  ApiResponse response;
  response.content_type = "text/event-stream";
  response.events = std::move(events);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

bool ChangesState(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

}  // namespace otsync::console
