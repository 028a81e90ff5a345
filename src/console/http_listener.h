// The console's HTTP/1.1 listener on cpp-httplib: every request, whatever its method and path,
// becomes an ApiRequest handed to ConsoleApi::Handle, and its ApiResponse is written back —
// a server-sent event stream as a chunked response. Requests the library refuses itself
// (malformed HTTP, oversized bodies) get a JSON error with the security headers too. One line per
// request goes to the log: method, path, status and milliseconds — never a header, a query
// string or a body, which is where secrets travel. cpp-httplib stays inside http_listener.cc.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "console/console_api.h"

namespace otsync::console {

struct HttpListenerOptions {
  std::string host = "127.0.0.1";
  int port = 8900;  // 0 picks a free port.
  int threads = 8;
  size_t max_body_bytes = 1 << 20;
  // How long an idle event stream waits between keep-alive comments.
  int event_keep_alive_millis = 15000;
  std::function<void(const std::string& line)> log;  // Null: no request log.
};

class HttpListener {
 public:
  // Binds the address; port() is then known (the request guard needs it) and Serve starts.
  static Result<std::unique_ptr<HttpListener>> Bind(const HttpListenerOptions& options);
  ~HttpListener();  // Stops.

  // Starts serving in the background. `api` must outlive the listener. Call once.
  void Serve(const ConsoleApi* api);

  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int port() const;
  // Stops accepting, ends event streams, finishes requests in flight. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace otsync::console
