// Reads the HTTP/1.1 requests of one connection from its bytes as they arrive (RFC 9112): the
// request line, the header fields, and a body framed by Content-Length or by the chunked transfer
// coding. Pure: no socket, no clock — the connection (http_server.cc) owns those and the deadlines.
//
// What is refused, and with which status (the connection closes after the refusal):
//   400  a malformed request line, header field or chunk; a header folded over lines (obs-fold);
//        Content-Length with a non-digit or two different values; Content-Length together with
//        Transfer-Encoding (the classic request-smuggling pair);
//   413  a body longer than the limit, refused before it is read when its length is announced;
//   431  a head longer than the limit;
//   501  a transfer coding other than chunked;
//   505  an HTTP version other than 1.0 and 1.1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otsync::server {

struct HttpRequest {
  std::string method;
  std::string path;  // The request target without its query ("/PutRow").
  // Every header field in arrival order, names lowercase, values without surrounding blanks.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // Decoded: the chunks of a chunked body joined.
  // Whether the client keeps the connection for another request: HTTP/1.1 unless it sent
  // "Connection: close", HTTP/1.0 only when it sent "Connection: keep-alive".
  bool keep_alive = true;
  bool http_1_0 = false;
  // "Expect: 100-continue": the client waits for an interim 100 reply before sending the body.
  bool expects_continue = false;
};

struct HttpRequestLimits {
  size_t max_head_bytes = 64 * 1024;  // The request line and header fields, blank line included.
  size_t max_body_bytes = 5 * 1024 * 1024;
};

class HttpRequestReader {
 public:
  enum class Progress {
    kNeedMore,  // Everything useful in the input was consumed; call again with more bytes.
    kHeadRead,  // The head is complete (once per request): request() has the method, path and
                // headers; call again for the body. A client that expects 100-continue waits.
    kComplete,  // request() is whole; the bytes after it stay in the input (a pipelined request).
    kFailed,    // Refused: failure_status() and failure_reason(); the connection must close.
  };

  explicit HttpRequestReader(HttpRequestLimits limits) : limits_(limits) {}

  // Reads from the front of `*input` (bytes received and not yet consumed) and erases what it
  // consumed. After kComplete or kFailed, call StartNextRequest() before reading again.
  Progress Read(std::string* input);

  // Forgets the request read, keeping the limits; the connection's next request follows.
  void StartNextRequest();

  // Whether a byte of the current request has been consumed (the empty lines a client may send
  // between requests do not count): the connection's request deadline runs from then.
  bool started() const { return phase_ != Phase::kIdle; }

  HttpRequest& request() { return request_; }
  int failure_status() const { return failure_status_; }
  const std::string& failure_reason() const { return failure_reason_; }

 private:
  enum class Phase {
    kIdle,       // No byte of the request yet.
    kHead,       // Collecting the request line and header fields.
    kHeadDone,   // kHeadRead was returned; the body comes next.
    kFixedBody,  // Content-Length bytes.
    kChunkSize,  // The line announcing a chunk.
    kChunkData,  // A chunk's bytes.
    kChunkEnd,   // The line break after a chunk's bytes.
    kTrailers,   // Trailer fields after the last chunk, up to a blank line.
    kDone,
    kFailed,
  };

  Progress Fail(int status, std::string reason);
  Progress ParseHead(std::string_view head);
  // The framing the head announced; Fail()s on a contradiction.
  Progress ChooseFraming(bool has_content_length, uint64_t content_length,
                         bool has_transfer_encoding, std::string_view transfer_encoding);
  Progress ReadBody(std::string* input);
  // Moves up to remaining_ bytes from the front of `*input` to the body; true when none remain.
  bool MoveBodyBytes(std::string* input);

  const HttpRequestLimits limits_;
  Phase phase_ = Phase::kIdle;
  HttpRequest request_;
  size_t head_scanned_ = 0;  // Bytes of the input already searched for the head's end.
  bool chunked_ = false;     // The body comes in chunks (else: remaining_ bytes).
  uint64_t remaining_ = 0;   // Of the fixed body or of the current chunk.
  size_t trailer_bytes_ = 0;
  int failure_status_ = 0;
  std::string failure_reason_;
};

}  // namespace otsync::server
