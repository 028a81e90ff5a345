// otsd's HTTP/1.1 listener on cpp-httplib: a thread pool, persistent connections, the 5 MB
// body limit, every request handed to an OtsService. cpp-httplib stays inside http_server.cc.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "base/result.h"
#include "server/ots_service.h"

namespace otsync::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8800;  // 0 picks a free port.
  // Worker threads kept alive. A keep-alive connection holds a worker until it closes or idles
  // out, so the pool grows up to max_threads while more connections are open (see WorkerPool).
  int threads = 16;
  int max_threads = 512;
  size_t max_body_bytes = kMaxRequestBodyBytes;
  // Requests served on one connection before it is closed (cpp-httplib's default is 5).
  size_t keep_alive_max_requests = 100000;
  int keep_alive_timeout_seconds = 5;
};

class HttpServer {
 public:
  // Binds and starts serving in the background; returns once connections are accepted.
  // `service` must outlive the server.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   const OtsService* service);
  ~HttpServer();  // Stops.

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  const std::string& host() const;
  // Stops accepting, finishes the requests in flight, joins the threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace otsync::server
