#include "client/plain_http_connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "client/http_response_head.h"
#include "wire/endpoint.h"

namespace otsync::client {
namespace {

// The largest body accepted: Tablestore's largest replies (GetRange, BatchGetRow,
// GetStreamRecord) are a few megabytes.
constexpr uint64_t kMaxBodyBytes = uint64_t{256} << 20;

Status NetworkError(std::string_view kind) { return Status::Unavailable(std::string(kind)); }

// A configured timeout as poll(2) takes it: at least 1 ms, at most a day.
int TimeoutMillis(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::clamp<int64_t>(timeout.count(), 1, 24 * 3600 * 1000));
}

// poll(2) of one descriptor, retried on EINTR: > 0 ready, 0 timed out, < 0 failed.
int PollOne(int fd, short events, int millis) {
  pollfd waiting{fd, events, 0};
  int ready;
  do {
    ready = ::poll(&waiting, 1, millis);
  } while (ready < 0 && errno == EINTR);
  return ready;
}

// Connects a non-blocking socket to `address` within `timeout`; the socket's fd, or -1 with
// `*timed_out` set when the wait ran out.
int ConnectWithin(const addrinfo& address, std::chrono::milliseconds timeout, bool* timed_out) {
  const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          address.ai_protocol);
  if (fd < 0) return -1;
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      ::close(fd);
      return -1;
    }
    const int ready = PollOne(fd, POLLOUT, TimeoutMillis(timeout));
    int error = 0;
    socklen_t length = sizeof(error);
    if (ready == 0) *timed_out = true;
    if (ready <= 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      ::close(fd);
      return -1;
    }
  }
  // A request goes out in one write, but one larger than a segment ends in a partial segment,
  // which Nagle's algorithm would hold back until the previous one is acknowledged.
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  return fd;
}

}  // namespace

Result<PlainHttpTarget> ParsePlainHttpEndpoint(std::string_view endpoint) {
  OTSYNC_ASSIGN_OR_RETURN(wire::Endpoint parsed, wire::ParseEndpoint(endpoint));
  if (parsed.scheme != "http") return Status::InvalidArgument("not an http:// endpoint");
  PlainHttpTarget target;
  target.host = std::move(parsed.host);
  if (parsed.port) target.port = *parsed.port;
  return target;
}

Result<std::unique_ptr<PlainHttpConnection>> PlainHttpConnection::Open(
    const PlainHttpTarget& target, std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds io_timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  const std::string port = std::to_string(target.port);
  if (::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &addresses) != 0) {
    return NetworkError("Connection");
  }
  bool timed_out = false;
  int fd = -1;
  for (const addrinfo* address = addresses; address != nullptr && fd < 0;
       address = address->ai_next) {
    fd = ConnectWithin(*address, connect_timeout, &timed_out);
  }
  ::freeaddrinfo(addresses);
  if (fd < 0) return NetworkError(timed_out ? "ConnectionTimeout" : "Connection");
  return std::unique_ptr<PlainHttpConnection>(new PlainHttpConnection(fd, io_timeout));
}

std::unique_ptr<PlainHttpConnection> PlainHttpConnection::FromConnectedSocket(
    int fd, std::chrono::milliseconds io_timeout) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return std::unique_ptr<PlainHttpConnection>(new PlainHttpConnection(fd, io_timeout));
}

PlainHttpConnection::PlainHttpConnection(int fd, std::chrono::milliseconds io_timeout)
    : fd_(fd), io_timeout_(io_timeout), buffer_(new char[kMaxResponseHeadBytes]) {}

PlainHttpConnection::~PlainHttpConnection() { ::close(fd_); }

bool PlainHttpConnection::ReusableNow() {
  if (!reusable_) return false;
  // An idle connection has nothing to read: readable means the server closed it (or broke the
  // protocol by sending unasked bytes).
  return PollOne(fd_, POLLIN, 0) == 0;
}

Status PlainHttpConnection::WaitFor(short events, std::string_view kind) {
  const int ready = PollOne(fd_, events, TimeoutMillis(io_timeout_));
  if (ready == 0) return NetworkError(std::string(kind) + "Timeout");
  if (ready < 0) return NetworkError(kind);
  return Status::OK();
}

Status PlainHttpConnection::SendAll(std::string_view head, std::string_view body) {
  iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                    {const_cast<char*>(body.data()), body.size()}};
  size_t first = 0;
  while (first < 2) {
    msghdr message{};
    message.msg_iov = parts + first;
    message.msg_iovlen = 2 - first;
    const ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        OTSYNC_RETURN_IF_ERROR(WaitFor(POLLOUT, "Write"));
        continue;
      }
      return NetworkError("Write");
    }
    size_t left = static_cast<size_t>(sent);
    while (first < 2 && left >= parts[first].iov_len) {
      left -= parts[first].iov_len;
      ++first;
    }
    if (first < 2) {
      parts[first].iov_base = static_cast<char*>(parts[first].iov_base) + left;
      parts[first].iov_len -= left;
    }
  }
  return Status::OK();
}

Status PlainHttpConnection::ReadMore(bool* at_end) {
  if (buffer_begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
    buffer_end_ -= buffer_begin_;
    buffer_begin_ = 0;
  }
  if (buffer_end_ == kMaxResponseHeadBytes) return NetworkError("Read: the read buffer is full");
  OTSYNC_ASSIGN_OR_RETURN(
      size_t got, Receive(buffer_.get() + buffer_end_, kMaxResponseHeadBytes - buffer_end_));
  buffer_end_ += got;
  *at_end = got == 0;
  return Status::OK();
}

Status PlainHttpConnection::ReadExactly(uint64_t length, std::string* out) {
  if (out->size() + length > kMaxBodyBytes) {
    return NetworkError("the reply's body is larger than 256 MiB");
  }
  size_t filled = out->size();
  out->resize(filled + length);
  const size_t buffered = std::min<size_t>(buffer_end_ - buffer_begin_, length);
  std::memcpy(out->data() + filled, buffer_.get() + buffer_begin_, buffered);
  buffer_begin_ += buffered;
  filled += buffered;
  while (filled < out->size()) {
    OTSYNC_ASSIGN_OR_RETURN(size_t got, Receive(out->data() + filled, out->size() - filled));
    if (got == 0) return NetworkError("Read: the connection closed in the middle of the reply");
    filled += got;
  }
  return Status::OK();
}

Result<size_t> PlainHttpConnection::Receive(char* into, size_t capacity) {
  while (true) {
    const ssize_t got = ::recv(fd_, into, capacity, 0);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return NetworkError("Read");
    OTSYNC_RETURN_IF_ERROR(WaitFor(POLLIN, "Read"));
  }
}

Status PlainHttpConnection::ReadChunkedBody(std::string* body) {
  auto buffered = [this] {
    return std::string_view(buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
  };
  auto read_more = [this] {
    bool at_end = false;
    OTSYNC_RETURN_IF_ERROR(ReadMore(&at_end));
    if (at_end) return NetworkError("Read: the connection closed in the middle of the reply");
    return Status::OK();
  };
  while (true) {
    Result<std::optional<ChunkSizeLine>> parsed = ParseChunkSizeLine(buffered());
    if (!parsed.ok()) return NetworkError(parsed.status().message());
    const std::optional<ChunkSizeLine> line = *parsed;
    if (!line) {
      OTSYNC_RETURN_IF_ERROR(read_more());
      continue;
    }
    buffer_begin_ += line->line_length;
    if (line->size == 0) break;
    OTSYNC_RETURN_IF_ERROR(ReadExactly(line->size, body));
    // The chunk's data ends in a line end of its own.
    while (buffered().size() < 2 && buffered() != "\n") OTSYNC_RETURN_IF_ERROR(read_more());
    if (buffered().substr(0, 2) == "\r\n") {
      buffer_begin_ += 2;
    } else if (buffered().front() == '\n') {
      buffer_begin_ += 1;
    } else {
      return NetworkError("a chunk of the reply is longer than its size says");
    }
  }
  // The trailer section: field lines (ignored) up to an empty line.
  while (true) {
    const std::string_view rest = buffered();
    if (rest.substr(0, 2) == "\r\n" || rest.substr(0, 1) == "\n") {
      buffer_begin_ += rest.front() == '\n' ? 1 : 2;
      return Status::OK();
    }
    if (const size_t end = FindResponseHeadEnd(rest); end > 0) {
      buffer_begin_ += end;
      return Status::OK();
    }
    if (rest.size() >= kMaxResponseHeadBytes) {
      return NetworkError("the reply's trailer is longer than 64 KiB");
    }
    OTSYNC_RETURN_IF_ERROR(read_more());
  }
}

Result<HttpReply> PlainHttpConnection::Post(std::string_view head, std::string_view body) {
  HttpReply reply;
  OTSYNC_RETURN_IF_ERROR(Post(head, body, &reply));
  return reply;
}

Status PlainHttpConnection::Post(std::string_view head, std::string_view body, HttpReply* reply) {
  // Whatever fails below leaves the connection in an unknown state.
  reusable_ = false;
  buffer_begin_ = buffer_end_ = 0;
  OTSYNC_RETURN_IF_ERROR(SendAll(head, body));

  HttpResponseHead reply_head;
  while (true) {
    const std::string_view buffered(buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
    const size_t head_end = FindResponseHeadEnd(buffered);
    if (head_end == 0) {
      if (buffered.size() >= kMaxResponseHeadBytes) {
        return NetworkError("the reply's head is longer than 64 KiB");
      }
      bool at_end = false;
      OTSYNC_RETURN_IF_ERROR(ReadMore(&at_end));
      if (at_end) {
        return NetworkError(buffered.empty() ? "Read: the connection closed before a reply"
                                             : "Read: the connection closed in the reply's head");
      }
      continue;
    }
    Result<HttpResponseHead> parsed = ParseResponseHead(buffered.substr(0, head_end));
    if (!parsed.ok()) return NetworkError(parsed.status().message());
    buffer_begin_ += head_end;
    if (!parsed->informational()) {
      reply_head = std::move(*parsed);
      break;
    }
  }

  reply->status = reply_head.status;
  reply->content_md5 = std::move(reply_head.content_md5);
  reply->request_id = std::move(reply_head.request_id);
  reply->body.clear();
  if (reply_head.has_body()) {
    if (reply_head.content_length) {
      OTSYNC_RETURN_IF_ERROR(ReadExactly(*reply_head.content_length, &reply->body));
    } else if (reply_head.chunked) {
      OTSYNC_RETURN_IF_ERROR(ReadChunkedBody(&reply->body));
    } else {
      while (true) {  // The body ends with the connection.
        reply->body.append(buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
        buffer_begin_ = buffer_end_ = 0;
        if (reply->body.size() > kMaxBodyBytes) {
          return NetworkError("the reply's body is larger than 256 MiB");
        }
        bool at_end = false;
        OTSYNC_RETURN_IF_ERROR(ReadMore(&at_end));
        if (at_end) break;
      }
    }
  }
  // Bytes after the reply answer nothing that was asked: the connection is not trusted again.
  reusable_ = !reply_head.connection_close && buffer_begin_ == buffer_end_;
  return Status::OK();
}

}  // namespace otsync::client
