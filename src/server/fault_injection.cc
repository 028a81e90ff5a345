#include "server/fault_injection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <list>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "base/clock.h"
#include "server/proto_conversion.h"
#include "server/request_id.h"
#include "server/response_headers.h"

namespace otsync::server {
namespace {

using Json = nlohmann::json;

Status PlanError(const std::string& what) { return Status::InvalidArgument("fault plan: " + what); }

Result<FaultKind> ParseKind(const std::string& text) {
  if (text == "busy") return FaultKind::kBusy;
  if (text == "hang") return FaultKind::kHang;
  if (text == "drop") return FaultKind::kDrop;
  return PlanError("\"kind\" must be \"busy\", \"hang\" or \"drop\", got \"" + text + "\"");
}

Result<int64_t> NonNegativeInteger(const Json& rule, const char* name, int64_t fallback,
                                   const std::string& where) {
  auto it = rule.find(name);
  if (it == rule.end()) return fallback;
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    return PlanError(where + ".\"" + name + "\" must be a non-negative integer");
  }
  return it->get<int64_t>();
}

}  // namespace

Result<FaultPlan> ParseFaultPlan(std::string_view text) {
  const Json json = Json::parse(text.empty() ? std::string_view("{}") : text, nullptr,
                                /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return PlanError("expected a JSON object");
  FaultPlan plan;
  if (auto seed = json.find("seed"); seed != json.end()) {
    if (!seed->is_number_unsigned()) return PlanError("\"seed\" must be a non-negative integer");
    plan.seed = seed->get<uint64_t>();
  }
  auto faults = json.find("faults");
  if (faults == json.end()) return plan;
  if (!faults->is_array()) return PlanError("\"faults\" must be an array");
  for (size_t i = 0; i < faults->size(); ++i) {
    const Json& entry = (*faults)[i];
    const std::string where = "faults[" + std::to_string(i) + "]";
    if (!entry.is_object()) return PlanError(where + " must be an object");
    FaultRule rule;
    auto api = entry.find("api");
    if (api == entry.end() || !api->is_string() || api->get<std::string>().empty()) {
      return PlanError(where + ".\"api\" must be a non-empty string (e.g. \"GetStreamRecord\")");
    }
    rule.api = api->get<std::string>();
    auto kind = entry.find("kind");
    if (kind == entry.end() || !kind->is_string()) {
      return PlanError(where + ".\"kind\" must be \"busy\", \"hang\" or \"drop\"");
    }
    OTSYNC_ASSIGN_OR_RETURN(rule.kind, ParseKind(kind->get<std::string>()));
    OTSYNC_ASSIGN_OR_RETURN(rule.count, NonNegativeInteger(entry, "count", 1, where));
    OTSYNC_ASSIGN_OR_RETURN(rule.skip, NonNegativeInteger(entry, "skip", 0, where));
    OTSYNC_ASSIGN_OR_RETURN(int64_t hang_ms, NonNegativeInteger(entry, "hang_ms", 2000, where));
    rule.hang = std::chrono::milliseconds(hang_ms);
    if (auto probability = entry.find("probability"); probability != entry.end()) {
      if (!probability->is_number() || probability->get<double>() <= 0 ||
          probability->get<double>() > 1) {
        return PlanError(where + ".\"probability\" must be a number in (0, 1]");
      }
      rule.probability = probability->get<double>();
    }
    plan.rules.push_back(std::move(rule));
  }
  return plan;
}

void FaultInjector::Arm(FaultPlan plan) {
  std::lock_guard lock(mutex_);
  rules_.clear();
  for (FaultRule& rule : plan.rules) rules_.push_back({std::move(rule), 0, 0});
  random_.seed(plan.seed);
}

std::optional<FaultDecision> FaultInjector::Next(std::string_view api) {
  std::lock_guard lock(mutex_);
  for (RuleState& state : rules_) {
    if (state.rule.api != api || state.fired >= state.rule.count) continue;
    if (state.seen++ < state.rule.skip) return std::nullopt;
    if (state.rule.probability < 1.0) {
      // 53 random bits as a double in [0, 1): the same on every platform, unlike
      // std::uniform_real_distribution.
      const double draw = static_cast<double>(random_() >> 11) * 0x1.0p-53;
      if (draw >= state.rule.probability) return std::nullopt;
    }
    ++state.fired;
    switch (state.rule.kind) {
      case FaultKind::kBusy:
        ++stats_.busy;
        break;
      case FaultKind::kHang:
        ++stats_.hang;
        break;
      case FaultKind::kDrop:
        ++stats_.drop;
        break;
    }
    return FaultDecision{state.rule.kind, state.rule.hang};
  }
  return std::nullopt;
}

FaultStats FaultInjector::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

size_t FaultInjector::rule_count() const {
  std::lock_guard lock(mutex_);
  return rules_.size();
}

void RegisterFaultInjectionHandlers(RequestDispatcher* dispatcher, FaultInjector* injector) {
  auto require_admin = [](const ApiContext& context) {
    if (context.is_admin) return Status::OK();
    return Status(StatusCode::kAuthFailed,
                  "The admin operations require a request signed with an admin key.");
  };
  dispatcher->Register(
      std::string(kAdminInjectFaultsApi),
      [injector, require_admin](const ApiContext& context,
                                std::string_view body) -> Result<std::string> {
        OTSYNC_RETURN_IF_ERROR(require_admin(context));
        OTSYNC_ASSIGN_OR_RETURN(FaultPlan plan, ParseFaultPlan(body));
        const size_t rules = plan.rules.size();
        injector->Arm(std::move(plan));
        return Json{{"rules", rules}, {"injected", injector->stats().total()}}.dump();
      });
  dispatcher->Register(std::string(kAdminFaultStatsApi),
                       [injector, require_admin](const ApiContext& context,
                                                 std::string_view) -> Result<std::string> {
                         OTSYNC_RETURN_IF_ERROR(require_admin(context));
                         const FaultStats stats = injector->stats();
                         return Json{{"injected", stats.total()},
                                     {"busy", stats.busy},
                                     {"hang", stats.hang},
                                     {"drop", stats.drop}}
                             .dump();
                       });
}

// --- FaultFront ---------------------------------------------------------------------------------

namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

// Appends what arrives; false at end of stream or on an error.
bool RecvMore(int fd, std::string* buffer) {
  char chunk[16 * 1024];
  for (;;) {
    const ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    buffer->append(chunk, static_cast<size_t>(got));
    return true;
  }
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

struct RequestHead {
  std::string api;  // The path without its leading '/' and query.
  int64_t content_length = 0;
  bool simple_body = true;  // False: a framing other than Content-Length (passed through).
};

std::optional<RequestHead> ParseHead(std::string_view head) {
  const size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const size_t first_space = line.find(' ');
  const size_t second_space = line.find(' ', first_space + 1);
  if (first_space == std::string_view::npos || second_space == std::string_view::npos) {
    return std::nullopt;
  }
  RequestHead parsed;
  std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  target = target.substr(0, target.find('?'));
  if (!target.empty() && target.front() == '/') target.remove_prefix(1);
  parsed.api = std::string(target);
  size_t position = line_end + 2;
  while (position < head.size()) {
    const size_t end = head.find("\r\n", position);
    if (end == std::string_view::npos || end == position) break;
    const std::string_view header = head.substr(position, end - position);
    position = end + 2;
    const size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = Lowercase(header.substr(0, colon));
    std::string_view value = header.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    if (name == "content-length") {
      int64_t length = 0;
      for (char c : value) {
        if (c < '0' || c > '9') break;
        length = length * 10 + (c - '0');
      }
      parsed.content_length = length;
    } else if (name == "transfer-encoding") {
      parsed.simple_body = false;
    }
  }
  return parsed;
}

std::string BusyReply(std::string_view api) {
  static RequestIdGenerator* const request_ids = new RequestIdGenerator();
  const std::string body = EncodeErrorBody(
      Status(StatusCode::kServerBusy, "Server is busy (injected by otsd --fault-injection)."));
  const wire::HeaderMap headers =
      BuildResponseHeaders(api, body, request_ids->Next(), DefaultClock()->NowMicros(), nullptr);
  std::string reply = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/x.pb2\r\n";
  reply += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) reply += name + ": " + value + "\r\n";
  reply += "\r\n";
  reply += body;
  return reply;
}

}  // namespace

struct FaultFront::Impl {
  struct Connection {
    std::mutex mutex;  // Guards the descriptors against Stop() while the connection closes.
    int client_fd = -1;
    int upstream_fd = -1;
    bool closed = false;
    std::mutex write_mutex;  // Replies to the client: injected ones and forwarded ones.
    std::thread requests;    // Client -> upstream, with the faults.
    std::atomic<bool> done{false};

    void ShutdownBoth() {
      std::lock_guard lock(mutex);
      if (closed) return;
      ::shutdown(client_fd, SHUT_RDWR);
      if (upstream_fd >= 0) ::shutdown(upstream_fd, SHUT_RDWR);
    }
    void Close() {
      std::lock_guard lock(mutex);
      if (closed) return;
      closed = true;
      ::close(client_fd);
      if (upstream_fd >= 0) ::close(upstream_fd);
    }
  };

  FaultInjector* injector = nullptr;
  int listen_fd = -1;
  int port = 0;
  sockaddr_in upstream{};
  std::thread acceptor;
  std::mutex mutex;  // Guards connections and stopping; with wake for hung requests.
  std::condition_variable wake;
  bool stopping = false;
  std::list<std::unique_ptr<Connection>> connections;

  void AcceptLoop();
  void Serve(Connection* connection);
  bool WaitForStop(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex);
    return wake.wait_for(lock, duration, [this] { return stopping; });
  }
};

void FaultFront::Impl::AcceptLoop() {
  for (;;) {
    const int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // The listener was shut down (Stop) or broke.
    }
    const int enabled = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &enabled, sizeof(enabled));
    std::lock_guard lock(mutex);
    // Reap the connections that ended.
    for (auto it = connections.begin(); it != connections.end();) {
      if ((*it)->done) {
        (*it)->requests.join();
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
    if (stopping) {
      ::close(fd);
      return;
    }
    auto connection = std::make_unique<Connection>();
    connection->client_fd = fd;
    Connection* raw = connection.get();
    connections.push_back(std::move(connection));
    raw->requests = std::thread([this, raw] { Serve(raw); });
  }
}

void FaultFront::Impl::Serve(Connection* connection) {
  const int upstream_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  bool connected = false;
  if (upstream_fd >= 0) {
    {
      std::lock_guard lock(connection->mutex);
      connection->upstream_fd = upstream_fd;
    }
    connected =
        ::connect(upstream_fd, reinterpret_cast<const sockaddr*>(&upstream), sizeof(upstream)) == 0;
    const int enabled = 1;
    ::setsockopt(upstream_fd, IPPROTO_TCP, TCP_NODELAY, &enabled, sizeof(enabled));
  }
  std::thread responses;
  if (connected) {
    // Upstream -> client, byte for byte. Clients do not pipeline, so an injected reply is
    // never interleaved with a forwarded one; the write mutex makes sure of it anyway.
    responses = std::thread([connection, upstream_fd] {
      std::string buffer;
      while (RecvMore(upstream_fd, &buffer)) {
        std::lock_guard lock(connection->write_mutex);
        if (!SendAll(connection->client_fd, buffer)) break;
        buffer.clear();
      }
      connection->ShutdownBoth();
    });
  }

  const int client_fd = connection->client_fd;
  std::string buffer;
  bool passthrough = false;
  while (connected) {
    if (passthrough) {
      if (!SendAll(upstream_fd, buffer)) break;
      buffer.clear();
      if (!RecvMore(client_fd, &buffer)) break;
      continue;
    }
    size_t head_end = buffer.find("\r\n\r\n");
    while (head_end == std::string::npos && buffer.size() <= kMaxHeadBytes) {
      if (!RecvMore(client_fd, &buffer)) break;
      head_end = buffer.find("\r\n\r\n");
    }
    if (head_end == std::string::npos) {
      if (buffer.size() > kMaxHeadBytes) {
        passthrough = true;  // Not ours to judge: the service answers it.
        continue;
      }
      break;  // The client closed.
    }
    const size_t head_size = head_end + 4;
    const std::optional<RequestHead> head = ParseHead(std::string_view(buffer).substr(0, head_end));
    if (!head || !head->simple_body) {
      passthrough = true;
      continue;
    }
    const std::optional<FaultDecision> fault = injector->Next(head->api);
    if (fault && fault->kind == FaultKind::kDrop) break;
    if (fault && fault->kind == FaultKind::kHang) {
      WaitForStop(fault->hang);
      break;
    }
    // Forward the head at once (a client waiting for "100 Continue" gets it), then the body.
    if (!fault && !SendAll(upstream_fd, std::string_view(buffer).substr(0, head_size))) break;
    buffer.erase(0, head_size);
    int64_t remaining = head->content_length;
    bool ok = true;
    while (remaining > 0) {
      if (buffer.empty() && !RecvMore(client_fd, &buffer)) {
        ok = false;
        break;
      }
      const size_t take = std::min(buffer.size(), static_cast<size_t>(remaining));
      if (!fault && !SendAll(upstream_fd, std::string_view(buffer).substr(0, take))) {
        ok = false;
        break;
      }
      buffer.erase(0, take);
      remaining -= static_cast<int64_t>(take);
    }
    if (!ok) break;
    if (fault) {  // kBusy: the whole request was read, so the connection stays usable.
      std::lock_guard lock(connection->write_mutex);
      if (!SendAll(client_fd, BusyReply(head->api))) break;
    }
  }
  connection->ShutdownBoth();
  if (responses.joinable()) responses.join();
  connection->Close();
  connection->done = true;
}

FaultFront::FaultFront(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FaultFront::~FaultFront() { Stop(); }

int FaultFront::port() const { return impl_->port; }

Result<std::unique_ptr<FaultFront>> FaultFront::Start(const std::string& host, int port,
                                                      const std::string& upstream_host,
                                                      int upstream_port, FaultInjector* injector) {
  auto impl = std::make_unique<Impl>();
  impl->injector = injector;
  impl->upstream.sin_family = AF_INET;
  impl->upstream.sin_port = htons(static_cast<uint16_t>(upstream_port));
  if (::inet_pton(AF_INET, upstream_host.c_str(), &impl->upstream.sin_addr) != 1) {
    return Status::InvalidArgument("fault front: upstream host must be an IPv4 address, got " +
                                   upstream_host);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return Status::InvalidArgument(
        "fault front: --listen host must be an IPv4 address with fault injection, got " + host);
  }
  impl->listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (impl->listen_fd < 0)
    return Status::IOError("fault front: socket: " + std::string(strerror(errno)));
  const int enabled = 1;
  ::setsockopt(impl->listen_fd, SOL_SOCKET, SO_REUSEADDR, &enabled, sizeof(enabled));
  if (::bind(impl->listen_fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(impl->listen_fd, 128) != 0) {
    const std::string reason = strerror(errno);
    ::close(impl->listen_fd);
    return Status::IOError("cannot listen on " + host + ":" + std::to_string(port) + ": " + reason);
  }
  socklen_t length = sizeof(address);
  ::getsockname(impl->listen_fd, reinterpret_cast<sockaddr*>(&address), &length);
  impl->port = ntohs(address.sin_port);
  Impl* raw = impl.get();
  raw->acceptor = std::thread([raw] { raw->AcceptLoop(); });
  return std::unique_ptr<FaultFront>(new FaultFront(std::move(impl)));
}

void FaultFront::Stop() {
  if (!impl_ || !impl_->acceptor.joinable()) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  ::shutdown(impl_->listen_fd, SHUT_RDWR);
  impl_->acceptor.join();
  ::close(impl_->listen_fd);
  // The acceptor is gone, so the list no longer changes.
  for (auto& connection : impl_->connections) connection->ShutdownBoth();
  for (auto& connection : impl_->connections) connection->requests.join();
  impl_->connections.clear();
}

}  // namespace otsync::server
