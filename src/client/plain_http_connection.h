// PlainHttpConnection: one kept-alive HTTP/1.1 connection over plain TCP, for the client's one
// kind of exchange — POST a body of known length, read the whole reply.
//
// Why not cpp-httplib, which https:// endpoints still use: the Client reads large replies
// (GetStreamRecord, GetRange: up to megabytes each) and httplib reads them 4 KiB at a time and
// grows the body by appending, a third of the client's time on a stream read. This connection
// reads the head into a 64 KiB buffer and a Content-Length body straight into the reply's string,
// in reads as large as the socket has.
//
// Contract: Post sends one request and returns its reply; after an error, or a reply after which
// the server closes, reusable() is false and the connection must be dropped. Every wait for the
// network is bounded by the io timeout (per read or write, as the official SDKs time out).
// Not thread-safe: one exchange at a time (the transport's pool hands a connection to one caller).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "client/http_transport.h"

namespace otsync::client {

struct PlainHttpTarget {
  std::string host;  // A name or address; an IPv6 literal without its brackets.
  uint16_t port = 80;
};

// The host and port of "http://host[:port]" (an endpoint without its path). kInvalidArgument
// for another scheme, or as wire::ParseEndpoint refuses it (no host, a port that is not 1–65535).
Result<PlainHttpTarget> ParsePlainHttpEndpoint(std::string_view endpoint);

class PlainHttpConnection {
 public:
  // Resolves the host and connects to its first address that answers within connect_timeout.
  // kUnavailable "Connection" (refused, unresolvable) or "ConnectionTimeout".
  static Result<std::unique_ptr<PlainHttpConnection>> Open(
      const PlainHttpTarget& target, std::chrono::milliseconds connect_timeout,
      std::chrono::milliseconds io_timeout);
  // Takes a connected stream socket (made non-blocking here): tests and the fuzz target speak
  // through a socketpair.
  static std::unique_ptr<PlainHttpConnection> FromConnectedSocket(
      int fd, std::chrono::milliseconds io_timeout);
  ~PlainHttpConnection();
  PlainHttpConnection(const PlainHttpConnection&) = delete;
  PlainHttpConnection& operator=(const PlainHttpConnection&) = delete;

  // Sends `head` (request line and headers, ending in the empty line) and `body` in one write and
  // reads the reply. kUnavailable naming the kind ("Write", "Read", "ReadTimeout", "the reply's
  // status line is not HTTP/1.x", ...) when no whole reply was read.
  Result<HttpReply> Post(std::string_view head, std::string_view body);
  // The same into `*reply`, every field of which is overwritten; its body keeps its capacity, so
  // that a caller reading many large replies into one HttpReply does not fault in a fresh buffer
  // for each.
  Status Post(std::string_view head, std::string_view body, HttpReply* reply);

  // Whether the connection may carry another request: no error so far, the last reply did not
  // close it, and the server has not closed it (or sent unasked bytes) while it sat idle.
  bool ReusableNow();
  // The cheap part of ReusableNow: false after an error or a reply that closes the connection.
  bool reusable() const { return reusable_; }

 private:
  PlainHttpConnection(int fd, std::chrono::milliseconds io_timeout);

  Status SendAll(std::string_view head, std::string_view body);
  // Reads at least one byte into buffer_ past buffer_end_; kUnavailable on a timeout, an error or
  // the end of the connection (`at_end` set instead for the last, when it is not an error).
  Status ReadMore(bool* at_end);
  // Copies buffered bytes, then reads, until `out` holds `length` more bytes.
  Status ReadExactly(uint64_t length, std::string* out);
  Status ReadChunkedBody(std::string* body);
  Status WaitFor(short events, std::string_view kind);
  // One recv into `into`, waiting (bounded by the io timeout) while nothing has arrived: the
  // bytes received, 0 at the end of the connection.
  Result<size_t> Receive(char* into, size_t capacity);

  int fd_;
  std::chrono::milliseconds io_timeout_;
  bool reusable_ = true;
  std::unique_ptr<char[]> buffer_;
  size_t buffer_begin_ = 0;  // Bytes of buffer_[begin, end) are read and not yet consumed.
  size_t buffer_end_ = 0;
};

}  // namespace otsync::client
