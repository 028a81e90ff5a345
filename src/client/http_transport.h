// HttpTransport: POSTs request bodies to "/<Api>" over pooled keep-alive connections (http or
// https). It knows nothing of signing, retries or protobuf; the Client does.
//
// Thread safety: Post may be called from many threads at once; each call takes a connection
// from the pool (opening one when none is idle) and gives it back once the reply is read.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "client/client.h"
#include "wire/signature.h"

namespace otsync::client {

struct HttpReply {
  int status = 0;
  std::string body;
  std::string content_md5;  // The x-ots-contentmd5 header; empty when absent.
  std::string request_id;   // The x-ots-requestid header; empty when absent.
};

class HttpTransport {
 public:
  static Result<std::unique_ptr<HttpTransport>> Create(const ClientOptions& options);
  ~HttpTransport();

  // A reply of any HTTP status, or kUnavailable "network error: <kind> (POST /<api>)" when no
  // reply was read. A connection that failed is closed, never reused.
  Result<HttpReply> Post(std::string_view api, const std::string& body,
                         const wire::HeaderMap& headers);
  // The same into `*reply`, every field of which is overwritten; over plain HTTP its body keeps
  // its capacity from reply to reply (PlainHttpConnection::Post).
  Status Post(std::string_view api, const std::string& body, const wire::HeaderMap& headers,
              HttpReply* reply);

 private:
  struct Pool;
  explicit HttpTransport(std::unique_ptr<Pool> pool);
  std::unique_ptr<Pool> pool_;
};

}  // namespace otsync::client
