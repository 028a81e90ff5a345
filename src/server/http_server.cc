#include "server/http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#include "server/http_request_reader.h"
#include "server/worker_pool.h"
#include "wire/signature.h"

namespace otsync::server {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kReceiveChunkBytes = 64 * 1024;
constexpr std::string_view kContinueReply = "HTTP/1.1 100 Continue\r\n\r\n";
// After refusing a request whose body may still be coming, the connection reads and drops what
// the client sends for this long (or this much) before closing: closing with unread bytes makes
// the kernel send a reset, which can destroy the refusal before the client has read it.
constexpr auto kLingerAfterRefusal = std::chrono::milliseconds(500);
constexpr size_t kMaxLingerBytes = 8 * 1024 * 1024;

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Server Error";
  }
}

// The error a refused HTTP request is answered with (the service writes it as an OTS error).
Status StatusForRefusal(int http_status, const std::string& reason) {
  if (http_status == 413) return RequestBodyTooLargeError();
  return Status::InvalidArgument("Malformed HTTP request: " + reason + ".");
}

int MillisUntil(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 24 * 3600 * 1000));
}

// Waits until `fd` is ready for `events` (or hung up, or failed: the next call on it says which).
// False when `deadline` passed first.
bool WaitFor(int fd, short events, SteadyClock::time_point deadline) {
  for (;;) {
    pollfd wanted{fd, events, 0};
    const int ready = ::poll(&wanted, 1, MillisUntil(deadline));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

// When a connection gives up on its client: at `deadline`, or after a pause of `pause`.
struct Patience {
  SteadyClock::time_point deadline;
  std::chrono::milliseconds pause;

  SteadyClock::time_point NextWait() const {
    return std::min(deadline, SteadyClock::now() + pause);
  }
};

// Appends what arrives on the non-blocking `fd` to `*input`. False at the end of the stream, on
// an error, or when the client ran out of `patience`. `wait_first`: nothing is expected yet (a
// kept-alive connection between requests, whose client sends its next request only after it has
// the reply), so the call waits before it reads instead of finding nothing first.
bool Receive(int fd, const Patience& patience, bool wait_first, std::string* input) {
  if (wait_first && !WaitFor(fd, POLLIN, patience.NextWait())) return false;
  char chunk[kReceiveChunkBytes];
  for (;;) {
    const ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
    if (got > 0) {
      input->append(chunk, static_cast<size_t>(got));
      return true;
    }
    if (got == 0) return false;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    if (!WaitFor(fd, POLLIN, patience.NextWait())) return false;
  }
}

// Sends every byte of `pieces` on the non-blocking `fd`; false on an error or when the client ran
// out of `patience`.
bool Send(int fd, std::vector<std::string_view> pieces, const Patience& patience) {
  size_t next = 0;
  while (next < pieces.size()) {
    iovec vectors[4];
    size_t count = 0;
    for (size_t i = next; i < pieces.size() && count < 4; ++i) {
      vectors[count++] = {const_cast<char*>(pieces[i].data()), pieces[i].size()};
    }
    msghdr message{};
    message.msg_iov = vectors;
    message.msg_iovlen = count;
    const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
      if (!WaitFor(fd, POLLOUT, patience.NextWait())) return false;
      continue;
    }
    size_t left = static_cast<size_t>(sent);
    while (next < pieces.size() && left >= pieces[next].size()) left -= pieces[next++].size();
    if (next < pieces.size()) pieces[next].remove_prefix(left);
  }
  return true;
}

// The status line and header fields of `reply`, with its framing and the connection's fate.
std::string ReplyHead(const Reply& reply, bool keep_alive, bool http_1_0) {
  std::string head;
  head.reserve(512);
  head += "HTTP/1.1 ";
  head += std::to_string(reply.http_status);
  head += ' ';
  head += ReasonPhrase(reply.http_status);
  head += "\r\nContent-Type: application/x.pb2\r\nContent-Length: ";
  head += std::to_string(reply.body.size());
  head += "\r\n";
  for (const auto& [name, value] : reply.headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (!keep_alive) {
    head += "Connection: close\r\n";
  } else if (http_1_0) {
    head += "Connection: keep-alive\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  const OtsService* service = nullptr;
  int listen_fd = -1;
  int wake_fd = -1;  // An eventfd: written once by Stop() to end the accept loop.
  std::string host;
  int port = 0;
  std::unique_ptr<WorkerPool> workers;
  std::thread acceptor;
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // Guards open_connections and stopped.
  std::unordered_set<int> open_connections;
  bool stopped = false;

  ~Impl() {
    if (listen_fd >= 0) ::close(listen_fd);
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void AcceptLoop();
  void ServeConnection(int fd);
  // Reads and answers the connection's requests until it closes, fails or times out.
  void ServeRequests(int fd);
  // Answers a refused request and closes politely (see kLingerAfterRefusal).
  void Refuse(int fd, HttpRequestReader& reader, std::string* input);
};

void HttpServer::Impl::AcceptLoop() {
  for (;;) {
    pollfd watched[2] = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    if (::poll(watched, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (watched[1].revents != 0) return;
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors or memory: the connection waits in the backlog until some close.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      continue;
    }
    // Replies are written in one sendmsg, but a reply larger than the socket buffer ends in a
    // small segment that Nagle would hold until the client's delayed acknowledgement.
    const int enabled = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &enabled, sizeof(enabled));
    {
      std::lock_guard lock(mutex);
      if (stopped) {
        ::close(fd);
        return;
      }
      open_connections.insert(fd);
    }
    workers->Submit([this, fd] { ServeConnection(fd); });
  }
}

void HttpServer::Impl::ServeConnection(int fd) {
  if (!stopping) ServeRequests(fd);
  {
    // Out of the set before the descriptor is closed, so that Stop() never shuts down a number
    // the kernel has handed to another file meanwhile.
    std::lock_guard lock(mutex);
    open_connections.erase(fd);
  }
  ::close(fd);
}

void HttpServer::Impl::ServeRequests(int fd) {
  HttpRequestLimits limits;
  limits.max_body_bytes = options.max_body_bytes;
  HttpRequestReader reader(limits);
  std::string input;
  const auto idle_timeout = std::chrono::seconds(options.keep_alive_timeout_seconds);
  const auto request_timeout = std::chrono::milliseconds(options.request_timeout_millis);
  const auto reply_timeout = std::chrono::milliseconds(options.reply_timeout_millis);
  const auto io_timeout = std::chrono::milliseconds(options.io_timeout_millis);
  for (size_t served = 0;; ++served) {
    // Until the request's first byte the connection is idle; from that byte on, the request runs
    // against its own deadline.
    bool started = !input.empty();
    Patience patience = started ? Patience{SteadyClock::now() + request_timeout, io_timeout}
                                : Patience{SteadyClock::now() + idle_timeout, idle_timeout};
    HttpRequestReader::Progress progress;
    for (;;) {
      progress = reader.Read(&input);
      if (progress == HttpRequestReader::Progress::kHeadRead) {
        if (reader.request().expects_continue && input.empty() &&
            !Send(fd, {kContinueReply}, {SteadyClock::now() + io_timeout, io_timeout})) {
          return;
        }
        continue;
      }
      if (progress != HttpRequestReader::Progress::kNeedMore) break;
      if (stopping && !reader.started()) return;
      // Closed, failed or too slow.
      if (!Receive(fd, patience, /*wait_first=*/served > 0 && !started, &input)) return;
      if (!started) {
        started = true;
        patience = {SteadyClock::now() + request_timeout, io_timeout};
      }
    }
    if (progress == HttpRequestReader::Progress::kFailed) {
      Refuse(fd, reader, &input);
      return;
    }
    HttpRequest& request = reader.request();
    IncomingRequest incoming;
    incoming.method = request.method;
    incoming.path = request.path;
    incoming.body = request.body;
    for (auto& [name, value] : request.headers) {
      if (name.rfind("x-ots-", 0) == 0 || name == wire::kContentMd5CheckHeader) {
        incoming.headers.emplace(std::move(name), std::move(value));
      }
    }
    const Reply reply = service->Handle(incoming);
    const bool keep_alive =
        request.keep_alive && served + 1 < options.keep_alive_max_requests && !stopping;
    const std::string head = ReplyHead(reply, keep_alive, request.http_1_0);
    std::vector<std::string_view> pieces = {head};
    if (request.method != "HEAD") pieces.push_back(reply.body);
    if (!Send(fd, std::move(pieces), {SteadyClock::now() + reply_timeout, io_timeout}) ||
        !keep_alive) {
      return;
    }
    reader.StartNextRequest();
  }
}

void HttpServer::Impl::Refuse(int fd, HttpRequestReader& reader, std::string* input) {
  const Reply reply = service->Reject(
      reader.request().path, StatusForRefusal(reader.failure_status(), reader.failure_reason()));
  const std::string head = ReplyHead(reply, /*keep_alive=*/false, /*http_1_0=*/false);
  const Patience patience{SteadyClock::now() + kLingerAfterRefusal, kLingerAfterRefusal};
  if (!Send(fd, {head, reply.body}, patience)) return;
  ::shutdown(fd, SHUT_WR);
  size_t drained = 0;
  while (drained < kMaxLingerBytes) {
    input->clear();
    if (!Receive(fd, patience, /*wait_first=*/false, input)) return;
    drained += input->size();
  }
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->port; }
const std::string& HttpServer::host() const { return impl_->host; }

namespace {

// A listening socket on host:port (port 0: a free one), and the port it got.
Result<std::pair<int, int>> Listen(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string service = std::to_string(port);
  const int resolved =
      ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &addresses);
  if (resolved != 0) {
    return Status::IOError("cannot listen on " + host + ":" + service + ": " +
                           ::gai_strerror(resolved));
  }
  std::string failure = "no address";
  int listening = -1;
  for (addrinfo* address = addresses; address != nullptr && listening < 0;
       address = address->ai_next) {
    const int fd =
        ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) {
      failure = std::strerror(errno);
      continue;
    }
    const int enabled = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &enabled, sizeof(enabled));
    if (::bind(fd, address->ai_addr, address->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
      failure = std::strerror(errno);
      ::close(fd);
      continue;
    }
    listening = fd;
  }
  ::freeaddrinfo(addresses);
  if (listening < 0)
    return Status::IOError("cannot listen on " + host + ":" + service + ": " + failure);
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  ::getsockname(listening, reinterpret_cast<sockaddr*>(&bound), &length);
  const int bound_port = bound.ss_family == AF_INET6
                             ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                             : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::pair<int, int>(listening, bound_port);
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      const OtsService* service) {
  if (options.threads < 1) return Status::InvalidArgument("threads must be at least 1");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->service = service;
  impl->host = options.host;
  OTSYNC_ASSIGN_OR_RETURN(auto listening, Listen(options.host, options.port));
  impl->listen_fd = listening.first;
  impl->port = listening.second;
  impl->wake_fd = ::eventfd(0, EFD_CLOEXEC);
  if (impl->wake_fd < 0) return Status::IOError("eventfd: " + std::string(std::strerror(errno)));
  impl->workers = std::make_unique<WorkerPool>(
      static_cast<size_t>(options.threads),
      static_cast<size_t>(std::max(options.max_threads, options.threads)),
      std::chrono::seconds(30));
  Impl* raw = impl.get();
  raw->acceptor = std::thread([raw] { raw->AcceptLoop(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::Stop() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->stopping = true;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(impl_->wake_fd, &one, sizeof(one));
  impl_->acceptor.join();
  {
    // Connections waiting for a request see its end now; one whose request is being answered
    // still writes its reply, then closes.
    std::lock_guard lock(impl_->mutex);
    for (int fd : impl_->open_connections) ::shutdown(fd, SHUT_RD);
  }
  impl_->workers->Shutdown();
}

}  // namespace otsync::server
