#include "client/http_transport.h"

#include <httplib.h>

#include <mutex>
#include <vector>

namespace otsync::client {
namespace {

constexpr std::string_view kUserAgent = "otsync-client/0.1";
constexpr std::string_view kContentType = "application/x.pb2";

void SetTimeout(std::chrono::milliseconds timeout, void (httplib::Client::*setter)(time_t, time_t),
                httplib::Client* client) {
  const int64_t millis = std::max<int64_t>(timeout.count(), 1);
  (client->*setter)(static_cast<time_t>(millis / 1000), static_cast<time_t>(millis % 1000 * 1000));
}

}  // namespace

Result<std::string> NormalizeEndpoint(std::string_view endpoint) {
  size_t scheme_end = endpoint.find("://");
  if (scheme_end == std::string_view::npos) {
    return Status::InvalidArgument("endpoint must start with http:// or https://");
  }
  std::string_view scheme = endpoint.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("endpoint must start with http:// or https://");
  }
  std::string_view rest = endpoint.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.front() == ':') {
    return Status::InvalidArgument("endpoint has no host");
  }
  return std::string(scheme) + "://" + std::string(authority);
}

struct HttpTransport::Pool {
  std::string endpoint;
  ClientOptions options;
  std::mutex mutex;
  std::vector<std::unique_ptr<httplib::Client>> idle;  // Guarded by `mutex`.

  std::unique_ptr<httplib::Client> Acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!idle.empty()) {
        std::unique_ptr<httplib::Client> connection = std::move(idle.back());
        idle.pop_back();
        return connection;
      }
    }
    auto connection = std::make_unique<httplib::Client>(endpoint);
    connection->set_keep_alive(true);
    // Headers and body go out in separate writes; without this, Nagle's algorithm and delayed
    // ACKs stall every keep-alive request by tens of milliseconds.
    connection->set_tcp_nodelay(true);
    SetTimeout(options.connect_timeout, &httplib::Client::set_connection_timeout, connection.get());
    SetTimeout(options.request_timeout, &httplib::Client::set_read_timeout, connection.get());
    SetTimeout(options.request_timeout, &httplib::Client::set_write_timeout, connection.get());
    return connection;
  }

  void Release(std::unique_ptr<httplib::Client> connection) {
    std::lock_guard<std::mutex> lock(mutex);
    if (idle.size() < options.max_idle_connections) idle.push_back(std::move(connection));
  }
};

Result<std::unique_ptr<HttpTransport>> HttpTransport::Create(const ClientOptions& options) {
  OTSYNC_ASSIGN_OR_RETURN(std::string endpoint, NormalizeEndpoint(options.endpoint));
  auto pool = std::make_unique<Pool>();
  pool->endpoint = std::move(endpoint);
  pool->options = options;
  // The pool never needs the secret; keep exactly one copy of it, in the Client.
  pool->options.credentials = {};
  if (!httplib::Client(pool->endpoint).is_valid()) {
    return Status::InvalidArgument("endpoint is not a valid http(s) URL");
  }
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(pool)));
}

HttpTransport::HttpTransport(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}
HttpTransport::~HttpTransport() = default;

Result<HttpReply> HttpTransport::Post(std::string_view api, const std::string& body,
                                      const wire::HeaderMap& headers) {
  std::unique_ptr<httplib::Client> connection = pool_->Acquire();
  httplib::Headers request_headers(headers.begin(), headers.end());
  request_headers.emplace("User-Agent", std::string(kUserAgent));
  const std::string path = "/" + std::string(api);
  httplib::Result result = connection->Post(path, request_headers, body, std::string(kContentType));
  if (!result) {
    return Status::Unavailable("network error: " + httplib::to_string(result.error()) + " (POST " +
                               path + ")");
  }
  HttpReply reply;
  reply.status = result->status;
  reply.body = std::move(result->body);
  reply.content_md5 = result->get_header_value("x-ots-contentmd5");
  reply.request_id = result->get_header_value("x-ots-requestid");
  pool_->Release(std::move(connection));
  return reply;
}

}  // namespace otsync::client
