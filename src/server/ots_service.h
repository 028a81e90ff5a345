// The protocol front of otsd, independent of the HTTP library: method and API checks, the body
// size limit, authentication, dispatch, error bodies and the response headers of
// docs/protocol.md §1.4-§1.5. http_server.cc serves it over HTTP/1.1.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "server/authenticator.h"
#include "server/request_dispatcher.h"
#include "server/request_id.h"
#include "store/store.h"
#include "wire/signature.h"

namespace otsync::server {

inline constexpr size_t kMaxRequestBodyBytes = size_t{5} * 1024 * 1024;

struct IncomingRequest {
  std::string_view method;  // "POST"
  std::string_view path;    // "/PutRow"
  // At least every x-ots-* header and wire::kContentMd5CheckHeader, names lowercase.
  wire::HeaderMap headers;
  std::string_view body;
};

struct Reply {
  int http_status = 200;
  wire::HeaderMap headers;  // x-ots-* and, when signed, authorization.
  std::string body;
};

class OtsService {
 public:
  // `store` and `authenticator` must outlive the service. `wall_clock` stamps x-ots-date.
  OtsService(store::Store* store, const Authenticator* authenticator, RequestDispatcher dispatcher,
             std::shared_ptr<const Clock> wall_clock, size_t max_body_bytes = kMaxRequestBodyBytes);

  // Thread-safe.
  Reply Handle(const IncomingRequest& request) const;

  // The unsigned error reply for a request the HTTP layer refused before reading it whole
  // (an oversized or malformed HTTP request).
  Reply Reject(std::string_view path, const Status& status) const;

 private:
  // `content_md5`: the body's x-ots-contentmd5 when already known; empty = compute it, unless
  // `omit_content_md5` (the caller does not check it).
  Reply MakeReply(std::string_view api, int http_status, std::string body, const AccessKey* signer,
                  std::string content_md5 = {}, bool omit_content_md5 = false) const;
  Reply MakeErrorReply(std::string_view api, const Status& status, const AccessKey* signer) const;

  store::Store* store_;
  const Authenticator* authenticator_;
  RequestDispatcher dispatcher_;
  std::shared_ptr<const Clock> wall_clock_;
  size_t max_body_bytes_;
  mutable RequestIdGenerator request_ids_;
};

// The error replies of the HTTP layer, with the service's codes and messages.
Status MethodNotAllowedError();
Status RequestBodyTooLargeError();

}  // namespace otsync::server
