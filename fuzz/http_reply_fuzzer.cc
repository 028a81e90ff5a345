// The client's own HTTP/1.1 reply reading (client/plain_http_connection.h): any bytes a server
// sends back, through a real socket pair, must give a reply or a kUnavailable error — never a
// crash, a hang or a body larger than what was sent — and the head and chunk-size parsers must
// refuse with kCorruption.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "client/http_response_head.h"
#include "client/plain_http_connection.h"
#include "fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace otsync;
  const std::string_view reply_bytes(reinterpret_cast<const char*>(data), size);

  if (const size_t head_end = client::FindResponseHeadEnd(reply_bytes); head_end > 0) {
    fuzz::Check(head_end <= size, "the head ends past the input");
    Result<client::HttpResponseHead> head =
        client::ParseResponseHead(reply_bytes.substr(0, head_end));
    fuzz::Check(head.ok() || head.status().code() == StatusCode::kCorruption,
                "a bad head is not Corruption", head.status().ToString());
  }
  Result<std::optional<client::ChunkSizeLine>> chunk = client::ParseChunkSizeLine(reply_bytes);
  fuzz::Check(chunk.ok() || chunk.status().code() == StatusCode::kCorruption,
              "a bad chunk-size line is not Corruption", chunk.status().ToString());
  if (chunk.ok() && chunk->has_value()) {
    fuzz::Check((*chunk)->line_length <= size, "the chunk-size line ends past the input");
  }

  // The whole input is the server's side of one exchange, then the server closes. Inputs are
  // kept within 64 KiB, so that they fit the socket buffer before the client reads.
  if (size > 64 * 1024) return 0;  // A larger input would block in send before the read.
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sockets) != 0) return 0;
  if (size > 0 && ::send(sockets[1], data, size, MSG_NOSIGNAL) != static_cast<ssize_t>(size)) {
    ::close(sockets[0]);
    ::close(sockets[1]);
    return 0;
  }
  ::shutdown(sockets[1], SHUT_WR);
  std::unique_ptr<client::PlainHttpConnection> connection =
      client::PlainHttpConnection::FromConnectedSocket(sockets[0], std::chrono::milliseconds(1000));
  Result<client::HttpReply> reply =
      connection->Post("POST /GetRow HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 2\r\n\r\n", "{}");
  if (reply.ok()) {
    fuzz::Check(reply->body.size() <= size, "the body is larger than the bytes sent");
    fuzz::Check(reply->status >= 100 && reply->status <= 999, "the status is not three digits");
  } else {
    fuzz::Check(reply.status().code() == StatusCode::kUnavailable,
                "a broken reply is not Unavailable", reply.status().ToString());
  }
  connection.reset();
  ::close(sockets[1]);
  return 0;
}
