#include "client/http_transport.h"

#include <httplib.h>

#include <mutex>
#include <optional>
#include <vector>

#include "client/plain_http_connection.h"
#include "wire/endpoint.h"

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

// Kept-alive connections: PlainHttpConnection for http:// endpoints (the fast path, see
// plain_http_connection.h), cpp-httplib's client for https://.
struct HttpTransport::Pool {
  std::string endpoint;
  std::optional<PlainHttpTarget> plain;  // Set for http:// endpoints.
  std::string host_header;               // The endpoint's authority, as the Host header.
  ClientOptions options;
  std::mutex mutex;
  std::vector<std::unique_ptr<PlainHttpConnection>> idle_plain;  // Guarded by `mutex`.
  std::vector<std::unique_ptr<httplib::Client>> idle_tls;        // Guarded by `mutex`.

  template <typename Connection>
  std::unique_ptr<Connection> TakeIdle(std::vector<std::unique_ptr<Connection>>& idle) {
    std::lock_guard<std::mutex> lock(mutex);
    if (idle.empty()) return nullptr;
    std::unique_ptr<Connection> connection = std::move(idle.back());
    idle.pop_back();
    return connection;
  }

  template <typename Connection>
  void Release(std::vector<std::unique_ptr<Connection>>& idle,
               std::unique_ptr<Connection> connection) {
    std::lock_guard<std::mutex> lock(mutex);
    if (idle.size() < options.max_idle_connections) idle.push_back(std::move(connection));
  }

  Result<std::unique_ptr<PlainHttpConnection>> AcquirePlain() {
    while (std::unique_ptr<PlainHttpConnection> connection = TakeIdle(idle_plain)) {
      if (connection->ReusableNow()) return connection;
    }
    return PlainHttpConnection::Open(*plain, options.connect_timeout, options.request_timeout);
  }

  std::unique_ptr<httplib::Client> AcquireTls() {
    if (std::unique_ptr<httplib::Client> connection = TakeIdle(idle_tls)) return connection;
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
};

Result<std::unique_ptr<HttpTransport>> HttpTransport::Create(const ClientOptions& options) {
  OTSYNC_ASSIGN_OR_RETURN(wire::Endpoint endpoint, wire::ParseEndpoint(options.endpoint));
  auto pool = std::make_unique<Pool>();
  pool->endpoint = endpoint.Origin();
  pool->options = options;
  // The pool never needs the secret; keep exactly one copy of it, in the Client.
  pool->options.credentials = {};
  if (pool->endpoint.starts_with("http://")) {
    OTSYNC_ASSIGN_OR_RETURN(PlainHttpTarget target, ParsePlainHttpEndpoint(pool->endpoint));
    pool->plain = std::move(target);
  } else if (!httplib::Client(pool->endpoint).is_valid()) {
    return Status::InvalidArgument("endpoint is not a valid http(s) URL");
  }
  pool->host_header = std::move(endpoint.authority);
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(pool)));
}

HttpTransport::HttpTransport(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}
HttpTransport::~HttpTransport() = default;

Result<HttpReply> HttpTransport::Post(std::string_view api, const std::string& body,
                                      const wire::HeaderMap& headers) {
  HttpReply reply;
  OTSYNC_RETURN_IF_ERROR(Post(api, body, headers, &reply));
  return reply;
}

Status HttpTransport::Post(std::string_view api, const std::string& body,
                           const wire::HeaderMap& headers, HttpReply* reply) {
  const std::string path = "/" + std::string(api);
  auto network_error = [&path](std::string_view kind) {
    return Status::Unavailable("network error: " + std::string(kind) + " (POST " + path + ")");
  };
  if (pool_->plain) {
    std::string head = "POST " + path + " HTTP/1.1\r\nHost: " + pool_->host_header +
                       "\r\nUser-Agent: " + std::string(kUserAgent) +
                       "\r\nContent-Type: " + std::string(kContentType) +
                       "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    for (const auto& [name, value] : headers) {
      // A line end in a header would end it early and smuggle what follows into the request.
      if (name.find_first_of("\r\n:") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos) {
        return Status::InvalidArgument("request header '" + name +
                                       "' holds a line end or a colon in its name");
      }
      head += name + ": " + value + "\r\n";
    }
    head += "\r\n";
    Result<std::unique_ptr<PlainHttpConnection>> connection = pool_->AcquirePlain();
    if (!connection.ok()) return network_error(connection.status().message());
    const Status posted = (*connection)->Post(head, body, reply);
    if (!posted.ok()) return network_error(posted.message());
    if ((*connection)->reusable()) pool_->Release(pool_->idle_plain, std::move(*connection));
    return Status::OK();
  }

  std::unique_ptr<httplib::Client> connection = pool_->AcquireTls();
  httplib::Headers request_headers(headers.begin(), headers.end());
  request_headers.emplace("User-Agent", std::string(kUserAgent));
  httplib::Result result = connection->Post(path, request_headers, body, std::string(kContentType));
  if (!result) return network_error(httplib::to_string(result.error()));
  reply->status = result->status;
  reply->body = std::move(result->body);
  reply->content_md5 = result->get_header_value("x-ots-contentmd5");
  reply->request_id = result->get_header_value("x-ots-requestid");
  pool_->Release(pool_->idle_tls, std::move(connection));
  return Status::OK();
}

}  // namespace otsync::client
