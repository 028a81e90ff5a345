// The framing of an HTTP/1.1 response (RFC 9112): the head (status line and header fields) and
// the chunk-size lines of a chunked body, parsed from bytes already read. Pure functions, no I/O:
// the client's plain-HTTP connection (plain_http_connection.h) reads, these decide.
//
// Only what the client acts on is kept: the status, the body's framing, whether the connection
// may be reused, and the two x-ots-* headers the Client reads. Errors never quote the reply's
// bytes (a reply may echo what it was sent).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace otsync::client {

// A head longer than this is refused: Tablestore's replies carry a dozen short headers.
inline constexpr size_t kMaxResponseHeadBytes = 64 * 1024;

struct HttpResponseHead {
  int status = 0;
  // Set when the head has a valid Content-Length and no Transfer-Encoding.
  std::optional<uint64_t> content_length;
  bool chunked = false;  // Transfer-Encoding: chunked (the only coding accepted).
  // The server will close the connection after this reply: "Connection: close", or HTTP/1.0
  // without "Connection: keep-alive", or a body framed by the end of the connection.
  bool connection_close = false;
  std::string content_md5;  // x-ots-contentmd5, empty when absent.
  std::string request_id;   // x-ots-requestid, empty when absent.

  // 1xx replies precede the real one and have no body (RFC 9110 §15.2).
  bool informational() const { return status >= 100 && status < 200; }
  // 204 and 304 replies have no body whatever their headers say (RFC 9112 §6.3).
  bool has_body() const { return status != 204 && status != 304 && !informational(); }
};

// The length of the head at the start of `bytes`, its empty line included, or 0 while the empty
// line has not arrived. Lines may end in CRLF or a bare LF (RFC 9112 §2.2).
size_t FindResponseHeadEnd(std::string_view bytes);

// Parses a complete head, as FindResponseHeadEnd delimits it. kCorruption, naming the part, for a
// status line that is not "HTTP/1.x NNN ...", a header line without a colon, a Content-Length that
// is not one decimal number (or several that disagree), or a transfer coding other than chunked.
Result<HttpResponseHead> ParseResponseHead(std::string_view head);

struct ChunkSizeLine {
  uint64_t size = 0;       // The chunk's data length; 0 for the last chunk.
  size_t line_length = 0;  // Bytes of the line, its line end included.
};

// The chunk-size line at the start of `bytes` ("1a3f", optional ";extensions", CRLF or LF), or
// nullopt while its line end has not arrived. kCorruption for a size that is not hexadecimal or
// exceeds 2^48, or a line longer than 4 KiB.
Result<std::optional<ChunkSizeLine>> ParseChunkSizeLine(std::string_view bytes);

}  // namespace otsync::client
