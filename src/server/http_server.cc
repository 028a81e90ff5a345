#include "server/http_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <exception>
#include <thread>
#include <utility>

#include "server/worker_pool.h"

namespace otsync::server {
namespace {

std::string Lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Marks replies built by OtsService, so that the error handler leaves them alone.
constexpr const char* kRequestIdHeader = "x-ots-requestid";
constexpr const char* kContentType = "application/x.pb2";

void WriteReply(Reply reply, httplib::Response* response) {
  response->status = reply.http_status;
  for (auto& [name, value] : reply.headers) response->set_header(name, value);
  response->body = std::move(reply.body);
  response->set_header("Content-Type", kContentType);
}

class WorkerPoolTaskQueue final : public httplib::TaskQueue {
 public:
  WorkerPoolTaskQueue(size_t core_threads, size_t max_threads)
      : pool_(core_threads, max_threads, std::chrono::seconds(30)) {}
  void enqueue(std::function<void()> task) override { pool_.Submit(std::move(task)); }
  void shutdown() override { pool_.Shutdown(); }

 private:
  WorkerPool pool_;
};

Status StatusForHttpError(int http_status) {
  switch (http_status) {
    case 413:
      return RequestBodyTooLargeError();
    case 405:
      return MethodNotAllowedError();
    case 400:
      return Status::InvalidArgument("Malformed HTTP request.");
    default:
      if (http_status >= 500) return Status::Internal("Internal server error.");
      return Status::InvalidArgument("Invalid HTTP request.");
  }
}

}  // namespace

struct HttpServer::Impl {
  httplib::Server server;
  std::thread listener;
  std::atomic<bool> listener_done{false};
  std::string host;
  int port = 0;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->port; }
const std::string& HttpServer::host() const { return impl_->host; }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      const OtsService* service) {
  if (options.threads < 1) return Status::InvalidArgument("threads must be at least 1");
  auto impl = std::make_unique<Impl>();
  httplib::Server& server = impl->server;
  const size_t threads = static_cast<size_t>(options.threads);
  const size_t max_threads = static_cast<size_t>(std::max(options.max_threads, options.threads));
  server.new_task_queue = [threads, max_threads] {
    return new WorkerPoolTaskQueue(threads, max_threads);
  };
  server.set_keep_alive_max_count(options.keep_alive_max_requests);
  server.set_keep_alive_timeout(options.keep_alive_timeout_seconds);
  server.set_payload_max_length(options.max_body_bytes);
  // cpp-httplib writes a response's headers and body separately; without TCP_NODELAY, Nagle
  // holds the body back until the client's delayed ACK (~40 ms per keep-alive request).
  // Linux hands the listening socket's TCP_NODELAY down to every accepted connection.
  server.set_socket_options([](socket_t socket) {
    httplib::default_socket_options(socket);
    const int enabled = 1;
    setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &enabled, sizeof(enabled));
  });

  auto handle = [service](const httplib::Request& request, httplib::Response& response) {
    IncomingRequest incoming;
    incoming.method = request.method;
    incoming.path = request.path;
    incoming.body = request.body;
    for (const auto& [name, value] : request.headers) {
      std::string lower = Lowercase(name);
      if (lower.rfind("x-ots-", 0) == 0) incoming.headers.emplace(std::move(lower), value);
    }
    WriteReply(service->Handle(incoming), &response);
  };
  // Every method reaches the service, which answers the non-POST ones with 405.
  server.Post(".*", handle);
  server.Get(".*", handle);
  server.Put(".*", handle);
  server.Patch(".*", handle);
  server.Delete(".*", handle);
  server.Options(".*", handle);

  // Requests cpp-httplib refuses itself (oversized bodies, malformed HTTP) still get a
  // protobuf Error with the service's code.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [service](const httplib::Request& request, httplib::Response& response) {
        if (response.has_header(kRequestIdHeader)) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        WriteReply(service->Reject(request.path, StatusForHttpError(response.status)), &response);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [service](const httplib::Request& request, httplib::Response& response, std::exception_ptr) {
        WriteReply(service->Reject(request.path, Status::Internal("Internal server error.")),
                   &response);
      });

  impl->host = options.host;
  if (options.port == 0) {
    impl->port = server.bind_to_any_port(options.host);
    if (impl->port < 0) impl->port = 0;
  } else if (server.bind_to_port(options.host, options.port)) {
    impl->port = options.port;
  }
  if (impl->port <= 0) {
    return Status::IOError("cannot listen on " + options.host + ":" + std::to_string(options.port));
  }
  Impl* raw = impl.get();
  raw->listener = std::thread([raw] {
    raw->server.listen_after_bind();
    raw->listener_done = true;
  });
  // stop() is a no-op until the accept loop runs, so Stop() must not race ahead of it.
  while (!server.is_running() && !raw->listener_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->listener.joinable()) return;
  impl_->server.stop();
  impl_->listener.join();
}

}  // namespace otsync::server
