#include "server/ots_service.h"

#include <cstdio>
#include <utility>

#include "server/proto_conversion.h"
#include "server/response_headers.h"
#include "wire/error_codes.h"

namespace otsync::server {
namespace {

std::string_view ApiOfPath(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return path;
}

}  // namespace

Status MethodNotAllowedError() {
  return Status(StatusCode::kMethodNotAllowed, "Only POST method for requests is supported.");
}

Status RequestBodyTooLargeError() {
  return Status(StatusCode::kRequestTooLarge, "The size of POST data is too large.");
}

OtsService::OtsService(store::Store* store, const Authenticator* authenticator,
                       RequestDispatcher dispatcher, std::shared_ptr<const Clock> wall_clock,
                       size_t max_body_bytes)
    : store_(store),
      authenticator_(authenticator),
      dispatcher_(std::move(dispatcher)),
      wall_clock_(std::move(wall_clock)),
      max_body_bytes_(max_body_bytes) {}

Reply OtsService::MakeReply(std::string_view api, int http_status, std::string body,
                            const AccessKey* signer, std::string content_md5,
                            bool omit_content_md5) const {
  Reply reply;
  reply.http_status = http_status;
  reply.body = std::move(body);
  reply.headers =
      BuildResponseHeaders(api, reply.body, request_ids_.Next(), wall_clock_->NowMicros(), signer,
                           std::move(content_md5), omit_content_md5);
  return reply;
}

Reply OtsService::MakeErrorReply(std::string_view api, const Status& status,
                                 const AccessKey* signer) const {
  const wire::WireError wire_error = wire::ToWireError(status.code());
  if (wire_error.http_status >= 500) {
    std::fprintf(stderr, "otsd: %.*s failed: %s\n", static_cast<int>(api.size()), api.data(),
                 status.ToString().c_str());
  }
  return MakeReply(api, wire_error.http_status, EncodeErrorBody(status), signer);
}

Reply OtsService::Reject(std::string_view path, const Status& status) const {
  return MakeErrorReply(ApiOfPath(path), status, nullptr);
}

Reply OtsService::Handle(const IncomingRequest& request) const {
  const std::string_view api = ApiOfPath(request.path);
  if (request.method != "POST") return MakeErrorReply(api, MethodNotAllowedError(), nullptr);
  if (!dispatcher_.Knows(api)) {
    return MakeErrorReply(
        api, Status::InvalidArgument("Unsupported operation: " + std::string(api) + "."), nullptr);
  }
  if (request.body.size() > max_body_bytes_) {
    return MakeErrorReply(api, RequestBodyTooLargeError(), nullptr);
  }
  Result<Caller> caller = authenticator_->Authenticate(api, request.headers, request.body);
  if (!caller.ok()) return MakeErrorReply(api, caller.status(), nullptr);

  ApiContext context;
  context.store = store_;
  context.instance = caller->instance;
  context.is_admin = caller->is_admin;
  std::string known_content_md5;
  context.known_content_md5 = &known_content_md5;
  const auto check = request.headers.find(wire::kContentMd5CheckHeader);
  context.content_md5_unchecked =
      check != request.headers.end() && check->second == wire::kContentMd5Unchecked;
  Result<std::string> body = dispatcher_.Dispatch(api, context, request.body);
  // Errors keep their x-ots-contentmd5: they are small, and a client may log what it received.
  if (!body.ok()) return MakeErrorReply(api, body.status(), caller->key);
  return MakeReply(api, 200, std::move(body).value(), caller->key, std::move(known_content_md5),
                   context.content_md5_unchecked);
}

}  // namespace otsync::server
