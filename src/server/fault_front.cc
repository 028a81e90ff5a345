#include "server/fault_front.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <list>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "base/clock.h"
#include "client/http_response_head.h"
#include "server/http_request_reader.h"
#include "server/proto_conversion.h"
#include "server/request_id.h"
#include "server/response_headers.h"

namespace otsync::server {

namespace {

// A request head larger than the server itself would read is not judged.
constexpr size_t kMaxHeadBytes = HttpRequestLimits{}.max_head_bytes;

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

// How a request's body is framed, from its head. The front is a byte proxy: it forwards each
// request as it came and looks at its head only, so it does not use the server's
// HttpRequestReader, which reads a request whole and keeps its parts, not its bytes. (Answers are
// framed by the client's own parser, client/http_response_head.h.)
struct BodyFraming {
  int64_t content_length = 0;  // 0 when absent: a request without a body.
  bool simple_body = true;     // False: a framing other than Content-Length (passed through).
};

// `head`: a request line and its header lines, without the blank line.
BodyFraming ParseFraming(std::string_view head) {
  BodyFraming parsed;
  size_t position = head.find("\r\n");
  position = position == std::string_view::npos ? head.size() : position + 2;
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

struct RequestHead {
  std::string api;  // The path without its leading '/' and query.
  BodyFraming framing;
};

std::optional<RequestHead> ParseRequestHead(std::string_view head) {
  const std::string_view line = head.substr(0, head.find("\r\n"));
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
  parsed.framing = ParseFraming(head);
  return parsed;
}

// What reading one request head found: a complete head of `head_size` bytes (the blank line
// included) at the front of the buffer, a head too large to judge, or a closed client.
struct HeadRead {
  enum Outcome { kComplete, kTooLarge, kClosed } outcome;
  size_t head_size = 0;
};

HeadRead ReadRequestHead(int client_fd, std::string* buffer) {
  size_t head_end = buffer->find("\r\n\r\n");
  while (head_end == std::string::npos && buffer->size() <= kMaxHeadBytes) {
    if (!RecvMore(client_fd, buffer)) break;
    head_end = buffer->find("\r\n\r\n");
  }
  if (head_end != std::string::npos) return {HeadRead::kComplete, head_end + 4};
  if (buffer->size() > kMaxHeadBytes) return {HeadRead::kTooLarge, 0};
  return {HeadRead::kClosed, 0};
}

// Moves `length` body bytes from the client (`*buffer` first) to `upstream_fd`, or drops them
// when it is -1. False when a side closed.
bool TransferBody(int client_fd, int upstream_fd, int64_t length, std::string* buffer) {
  while (length > 0) {
    if (buffer->empty() && !RecvMore(client_fd, buffer)) return false;
    const size_t take = std::min(buffer->size(), static_cast<size_t>(length));
    if (upstream_fd >= 0 && !SendAll(upstream_fd, std::string_view(*buffer).substr(0, take))) {
      return false;
    }
    buffer->erase(0, take);
    length -= static_cast<int64_t>(take);
  }
  return true;
}

// Everything from the client to upstream as it comes (`*buffer` first), until a side closes.
void PassThrough(int client_fd, int upstream_fd, std::string* buffer) {
  while (SendAll(upstream_fd, *buffer)) {
    buffer->clear();
    if (!RecvMore(client_fd, buffer)) return;
  }
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
    // The answers to damage ("corrupt"), by their ordinal among the answers upstream sends on
    // this connection (0 first): the request side adds one before it forwards the request.
    std::mutex corrupt_mutex;
    std::set<int64_t> corrupt_answers;
    std::thread requests;  // Client -> upstream, with the faults.
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
  // One client connection, on its own thread: connects upstream, relays the responses on a
  // second thread and the requests with their faults on this one, then closes both sides.
  void Serve(Connection* connection);
  // Upstream -> client, each answer byte for byte as it arrives, but for the answers to damage:
  // those are gathered whole and sent with the middle byte of their body flipped. Answers are
  // framed by their Content-Length; one the relay cannot frame ends the framing, and the rest
  // of the connection passes as it comes, undamaged.
  void RelayResponses(Connection* connection);
  // Connects to the real listener; the socket is kept in `connection` either way (closed with
  // it). False when the connection failed.
  bool ConnectUpstream(Connection* connection);
  // Reads each request's head, asks the injector, and forwards the request or injects its
  // fault, until a side closes, a fault ends the connection or a request needs pass-through.
  void ForwardRequests(Connection* connection);
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
  std::thread responses;
  if (ConnectUpstream(connection)) {
    // Upstream -> client (RelayResponses). Clients do not pipeline, so an injected reply is
    // never interleaved with a forwarded one; the write mutex makes sure of it anyway.
    responses = std::thread([this, connection] {
      RelayResponses(connection);
      connection->ShutdownBoth();
    });
    ForwardRequests(connection);
  }
  connection->ShutdownBoth();
  if (responses.joinable()) responses.join();
  connection->Close();
  connection->done = true;
}

void FaultFront::Impl::RelayResponses(Connection* connection) {
  std::string buffer;
  bool framing = true;
  int64_t answer = 0;  // The ordinal of the next answer whose head arrives.
  int64_t left = -1;   // Bytes of the current answer still to send; -1 before its head.
  size_t body_start = 0;
  int64_t body_length = 0;
  bool damage = false;
  auto send_front = [&](size_t bytes) {
    std::lock_guard lock(connection->write_mutex);
    const bool sent = SendAll(connection->client_fd, std::string_view(buffer).substr(0, bytes));
    buffer.erase(0, bytes);
    return sent;
  };
  while (RecvMore(connection->upstream_fd, &buffer)) {
    for (;;) {
      if (!framing) {
        if (!send_front(buffer.size())) return;
        break;
      }
      if (left < 0) {
        const size_t head_size = client::FindResponseHeadEnd(buffer);
        if (head_size == 0) {
          if (buffer.size() <= client::kMaxResponseHeadBytes) break;  // More head to come.
          framing = false;
          continue;
        }
        const Result<client::HttpResponseHead> head =
            client::ParseResponseHead(std::string_view(buffer).substr(0, head_size));
        if (head.ok() && head->informational()) {
          left = static_cast<int64_t>(head_size);  // An interim answer: no body, no ordinal.
        } else if (!head.ok() || (head->has_body() && !head->content_length)) {
          // Not framed by a Content-Length (chunked, to the connection's end) or not parseable:
          // from here on the bytes pass through unjudged.
          framing = false;
          continue;
        } else {
          body_start = head_size;
          body_length = head->has_body() ? static_cast<int64_t>(*head->content_length) : 0;
          left = static_cast<int64_t>(body_start) + body_length;
          std::lock_guard lock(connection->corrupt_mutex);
          damage = connection->corrupt_answers.erase(answer++) > 0;
        }
      }
      if (damage) {
        if (buffer.size() < static_cast<size_t>(left)) break;  // Gather it whole.
        if (body_length > 0) buffer[body_start + static_cast<size_t>(body_length / 2)] ^= '\xff';
        damage = false;
      }
      const size_t bytes = std::min(buffer.size(), static_cast<size_t>(left));
      if (bytes > 0 && !send_front(bytes)) return;
      left -= static_cast<int64_t>(bytes);
      if (left > 0) break;  // The rest of this answer is still to come.
      left = -1;
      if (buffer.empty()) break;
    }
  }
}

bool FaultFront::Impl::ConnectUpstream(Connection* connection) {
  const int upstream_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (upstream_fd < 0) return false;
  {
    std::lock_guard lock(connection->mutex);
    connection->upstream_fd = upstream_fd;
  }
  const bool connected =
      ::connect(upstream_fd, reinterpret_cast<const sockaddr*>(&upstream), sizeof(upstream)) == 0;
  const int enabled = 1;
  ::setsockopt(upstream_fd, IPPROTO_TCP, TCP_NODELAY, &enabled, sizeof(enabled));
  return connected;
}

void FaultFront::Impl::ForwardRequests(Connection* connection) {
  const int client_fd = connection->client_fd;
  const int upstream_fd = connection->upstream_fd;
  std::string buffer;
  int64_t forwarded = 0;  // Requests sent upstream on this connection: its answers' ordinals.
  for (;;) {
    const HeadRead read = ReadRequestHead(client_fd, &buffer);
    if (read.outcome == HeadRead::kClosed) return;
    const std::optional<RequestHead> head =
        read.outcome == HeadRead::kComplete
            ? ParseRequestHead(std::string_view(buffer).substr(0, read.head_size - 4))
            : std::nullopt;
    if (!head || !head->framing.simple_body) {
      // Not ours to judge (too large a head, another framing): the service answers it.
      PassThrough(client_fd, upstream_fd, &buffer);
      return;
    }
    const std::optional<FaultDecision> fault = injector->Next(head->api);
    if (fault && fault->kind == FaultKind::kDrop) return;
    if (fault && fault->kind == FaultKind::kHang) {
      WaitForStop(fault->hang);
      return;
    }
    // Forward the head at once (a client waiting for "100 Continue" gets it), then the body;
    // a request answered here (kBusy) is read to its end and dropped instead.
    const bool answered_here = fault && fault->kind == FaultKind::kBusy;
    const int forward_fd = answered_here ? -1 : upstream_fd;
    if (forward_fd >= 0) {
      if (fault) {  // kCorrupt: registered before the answer can arrive.
        std::lock_guard lock(connection->corrupt_mutex);
        connection->corrupt_answers.insert(forwarded);
      }
      ++forwarded;
      if (!SendAll(forward_fd, std::string_view(buffer).substr(0, read.head_size))) return;
    }
    buffer.erase(0, read.head_size);
    if (!TransferBody(client_fd, forward_fd, head->framing.content_length, &buffer)) return;
    if (answered_here) {  // The whole request was read, so the connection stays usable.
      std::lock_guard lock(connection->write_mutex);
      if (!SendAll(client_fd, BusyReply(head->api))) return;
    }
  }
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
