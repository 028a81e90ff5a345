#include "console/http_listener.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <thread>

namespace otsync::console {
namespace {

ApiRequest ToApiRequest(const httplib::Request& request) {
  ApiRequest api;
  api.method = request.method;
  api.path = request.path;
  for (const auto& [name, value] : request.params) api.query.emplace(name, value);
  for (const auto& [name, value] : request.headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    api.headers.emplace(std::move(lower), value);
  }
  api.body = request.body;
  api.remote_address = request.remote_addr;
  return api;
}

void SetSecurityHeadersIfMissing(httplib::Response& response) {
  for (const auto& [name, value] : SecurityHeaders()) {
    if (!response.has_header(name)) response.set_header(name, value);
  }
}

}  // namespace

struct HttpListener::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<bool> stopping{false};
  HttpListenerOptions options;
};

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpListener::~HttpListener() { Stop(); }

int HttpListener::port() const { return impl_->port; }

void HttpListener::Stop() {
  if (impl_->stopping.exchange(true)) return;
  if (!impl_->thread.joinable()) return;
  // stop() does nothing before the listening thread has started its loop.
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->server.stop();
  impl_->thread.join();
}

Result<std::unique_ptr<HttpListener>> HttpListener::Bind(const HttpListenerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  httplib::Server& server = impl->server;
  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port < 0) return Status::IOError("cannot listen on " + options.host + ": no free port");
  } else if (!server.bind_to_port(options.host, port)) {
    return Status::IOError("cannot listen on " + options.host + ":" + std::to_string(port) +
                           " (in use? another otsync serve, or pick --listen HOST:PORT)");
  }
  impl->port = port;
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

void HttpListener::Serve(const ConsoleApi* api) {
  Impl* state = impl_.get();
  const HttpListenerOptions& options = state->options;
  httplib::Server& server = state->server;
  const int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options.max_body_bytes);
  server.set_keep_alive_timeout(5);
  server.set_read_timeout(10);

  // One handler for every path of every method (the router decides); registered per method
  // rather than as a pre-routing handler, which runs before cpp-httplib has read the body.
  auto handle = [api, state](const httplib::Request& request, httplib::Response& response) {
    const auto started = std::chrono::steady_clock::now();
    ApiResponse reply = api->Handle(ToApiRequest(request));
    response.status = reply.status;
    for (const auto& [name, value] : reply.headers) response.set_header(name, value);
    if (reply.events != nullptr) {
      std::shared_ptr<EventSource> events = std::move(reply.events);
      const auto keep_alive = std::chrono::milliseconds(state->options.event_keep_alive_millis);
      // Short waits so that a stopping server ends the stream within a fraction of a second.
      const auto wait = std::min(keep_alive, std::chrono::milliseconds(200));
      response.set_chunked_content_provider(
          reply.content_type, [events, state, keep_alive, wait](size_t, httplib::DataSink& sink) {
            auto idle_since = std::chrono::steady_clock::now();
            while (!state->stopping.load()) {
              ServerSentEvent event;
              switch (events->Next(wait, &event)) {
                case EventSource::State::kEvent: {
                  std::string text = FormatServerSentEvent(event);
                  return sink.write(text.data(), text.size());
                }
                case EventSource::State::kEnded:
                  sink.done();
                  return true;
                case EventSource::State::kIdle:
                  if (!sink.is_writable()) return false;
                  if (std::chrono::steady_clock::now() - idle_since >= keep_alive) {
                    std::string_view comment = ServerSentKeepAlive();
                    return sink.write(comment.data(), comment.size());
                  }
                  break;
              }
            }
            return false;
          });
    } else if (reply.file) {
      std::shared_ptr<const FileBody> file = reply.file;
      response.set_content_provider(
          static_cast<size_t>(file->size), reply.content_type,
          [file](size_t offset, size_t length, httplib::DataSink& sink) {
            constexpr size_t kPieceBytes = 256 * 1024;
            std::string piece;
            if (!file->ReadAt(static_cast<int64_t>(offset), std::min(length, kPieceBytes), &piece)
                     .ok()) {
              return false;  // cpp-httplib then closes the connection mid-body.
            }
            return sink.write(piece.data(), piece.size());
          });
    } else {
      response.set_content(reply.body, reply.content_type);
    }
    if (state->options.log) {
      const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
      state->options.log(request.method + " " + request.path + " " + std::to_string(reply.status) +
                         " " + std::to_string(millis) + " ms");
    }
  };
  const std::string any_path = ".*";
  server.Get(any_path, handle);
  server.Post(any_path, handle);
  server.Put(any_path, handle);
  server.Patch(any_path, handle);
  server.Delete(any_path, handle);
  server.Options(any_path, handle);
  // Requests cpp-httplib refuses before routing (bad request line, body too large).
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [state](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ApiResponse reply = ApiResponse::Error(
            response.status, response.status == 413 ? "request_too_large" : "bad_request",
            response.status == 413 ? "the request body is too large" : "malformed HTTP request");
        response.set_content(reply.body, reply.content_type);
        SetSecurityHeadersIfMissing(response);
        if (state->options.log) {
          state->options.log(request.method + " " + request.path + " " +
                             std::to_string(response.status));
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
        ApiResponse reply = ApiResponse::Error(500, "internal", "the request failed unexpectedly");
        response.status = 500;
        response.set_content(reply.body, reply.content_type);
        SetSecurityHeadersIfMissing(response);
      });

  state->thread = std::thread([state] { state->server.listen_after_bind(); });
}

}  // namespace otsync::console
