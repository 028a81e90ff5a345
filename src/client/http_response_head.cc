#include "client/http_response_head.h"

#include <cstring>

namespace otsync::client {
namespace {

constexpr size_t kMaxChunkSizeLineBytes = 4096;
constexpr uint64_t kMaxChunkSize = uint64_t{1} << 48;

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Calls `each` with every trimmed, non-empty element of a comma-separated list.
template <typename Each>
void ForEachListElement(std::string_view list, Each each) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view element = TrimSpaces(list.substr(0, comma));
    if (!element.empty()) each(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

std::optional<uint64_t> ParseDecimal(std::string_view digits) {
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// The next line of `text` without its line end; `text` moves past the line end.
std::string_view TakeLine(std::string_view& text) {
  const size_t newline = text.find('\n');
  std::string_view line = text.substr(0, newline);
  text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

size_t FindResponseHeadEnd(std::string_view bytes) {
  size_t from = 0;
  while (true) {
    const void* found = std::memchr(bytes.data() + from, '\n', bytes.size() - from);
    if (found == nullptr) return 0;
    const size_t newline = static_cast<size_t>(static_cast<const char*>(found) - bytes.data());
    if (newline + 1 < bytes.size() && bytes[newline + 1] == '\n') return newline + 2;
    if (newline + 2 < bytes.size() && bytes[newline + 1] == '\r' && bytes[newline + 2] == '\n') {
      return newline + 3;
    }
    if (newline + 2 >= bytes.size()) return 0;  // The next line has not arrived whole.
    from = newline + 1;
  }
}

Result<HttpResponseHead> ParseResponseHead(std::string_view head) {
  HttpResponseHead parsed;
  std::string_view status_line = TakeLine(head);
  // "HTTP/1.x NNN[ reason]"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[7] < '0' ||
      status_line[7] > '9' || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return Status(StatusCode::kCorruption, "the reply's status line is not HTTP/1.x");
  }
  const std::optional<uint64_t> status = ParseDecimal(status_line.substr(9, 3));
  if (!status || *status < 100) {
    return Status(StatusCode::kCorruption, "the reply's status code is not three digits");
  }
  parsed.status = static_cast<int>(*status);
  const bool http_1_0 = status_line[7] == '0';
  bool keep_alive = false;
  bool has_transfer_encoding = false;
  std::optional<uint64_t> content_length;

  while (!head.empty()) {
    const std::string_view line = TakeLine(head);
    if (line.empty()) break;  // The head's closing empty line.
    if (line.front() == ' ' || line.front() == '\t') {
      return Status(StatusCode::kCorruption, "the reply folds a header over lines");
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status(StatusCode::kCorruption, "a header line of the reply has no name and colon");
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = TrimSpaces(line.substr(colon + 1));
    if (EqualsIgnoringCase(name, "content-length")) {
      bool valid = true;
      ForEachListElement(value, [&](std::string_view element) {
        const std::optional<uint64_t> length = ParseDecimal(element);
        if (!length || (content_length && *content_length != *length)) valid = false;
        if (length) content_length = length;
      });
      if (!valid || !content_length) {
        return Status(StatusCode::kCorruption, "the reply's Content-Length is not one number");
      }
    } else if (EqualsIgnoringCase(name, "transfer-encoding")) {
      has_transfer_encoding = true;
      bool only_chunked = true;
      bool any = false;
      ForEachListElement(value, [&](std::string_view coding) {
        any = true;
        if (!EqualsIgnoringCase(coding, "chunked")) only_chunked = false;
      });
      if (!any || !only_chunked) {
        return Status(StatusCode::kCorruption,
                      "the reply uses a transfer coding other than chunked");
      }
      parsed.chunked = true;
    } else if (EqualsIgnoringCase(name, "connection")) {
      ForEachListElement(value, [&](std::string_view option) {
        if (EqualsIgnoringCase(option, "close")) parsed.connection_close = true;
        if (EqualsIgnoringCase(option, "keep-alive")) keep_alive = true;
      });
    } else if (EqualsIgnoringCase(name, "x-ots-contentmd5")) {
      parsed.content_md5 = std::string(value);
    } else if (EqualsIgnoringCase(name, "x-ots-requestid")) {
      parsed.request_id = std::string(value);
    }
  }

  // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3); such a reply may be an attempt
  // at request smuggling, so the connection is not reused after it.
  if (has_transfer_encoding) {
    if (content_length) parsed.connection_close = true;
  } else {
    parsed.content_length = content_length;
  }
  if (http_1_0 && !keep_alive) parsed.connection_close = true;
  if (parsed.has_body() && !parsed.chunked && !parsed.content_length) {
    parsed.connection_close = true;  // The body ends where the connection does.
  }
  return parsed;
}

Result<std::optional<ChunkSizeLine>> ParseChunkSizeLine(std::string_view bytes) {
  const size_t newline = bytes.substr(0, kMaxChunkSizeLineBytes).find('\n');
  if (newline == std::string_view::npos) {
    if (bytes.size() >= kMaxChunkSizeLineBytes) {
      return Status(StatusCode::kCorruption, "a chunk-size line of the reply is too long");
    }
    return std::optional<ChunkSizeLine>();
  }
  ChunkSizeLine line;
  line.line_length = newline + 1;
  std::string_view digits = bytes.substr(0, newline);
  if (!digits.empty() && digits.back() == '\r') digits.remove_suffix(1);
  digits = TrimSpaces(digits.substr(0, digits.find(';')));
  if (digits.empty()) {
    return Status(StatusCode::kCorruption, "a chunk size of the reply is not hexadecimal");
  }
  for (char c : digits) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return Status(StatusCode::kCorruption, "a chunk size of the reply is not hexadecimal");
    }
    line.size = line.size * 16 + static_cast<uint64_t>(digit);
    if (line.size > kMaxChunkSize) {
      return Status(StatusCode::kCorruption, "a chunk of the reply is larger than 2^48 bytes");
    }
  }
  return std::optional<ChunkSizeLine>(line);
}

}  // namespace otsync::client
