// otsd's HTTP/1.1 listener: persistent connections served on a growing thread pool, every request
// read whole (http_request_reader.h) and handed to an OtsService, the reply written back.
//
// Deadlines bound how long any client holds a worker thread, whatever it sends or fails to read:
// a connection waits at most keep_alive_timeout_seconds for a request's first byte; the request
// must then arrive whole within request_timeout_millis, with no pause longer than
// io_timeout_millis (a client sending its head or body a few bytes at a time, "slowloris", is cut
// off at the first); a reply must be taken whole within reply_timeout_millis, with no pause longer
// than io_timeout_millis (a client that never reads is cut off after that pause). So when more
// slow clients arrive than there are threads, a new connection waits a bounded time, never without
// end.
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
  // Requests served on one connection before it is closed.
  size_t keep_alive_max_requests = 100000;
  // Idle time allowed before a request's first byte, on a new or a kept-alive connection. Longer
  // than the idle time of Node's HTTP agent (5 s), which the official SDK uses: a client must be
  // the one to close an idle connection, since a server closing it at the moment the client sends
  // on it makes that request fail ("socket hang up"), as seen with 5 s on both sides.
  int keep_alive_timeout_seconds = 10;
  // From a request's first byte to its last (head and body).
  int request_timeout_millis = 30000;
  // A reply's whole write.
  int reply_timeout_millis = 60000;
  // The longest pause of a client within a request, or in taking a reply.
  int io_timeout_millis = 5000;
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
