#include "server/http_request_reader.h"

#include <algorithm>
#include <cctype>

namespace otsync::server {
namespace {

constexpr std::string_view kLineBreak = "\r\n";
constexpr std::string_view kHeadEnd = "\r\n\r\n";
// A chunk-size line (hex digits and extensions) longer than this is refused.
constexpr size_t kMaxChunkSizeLine = 4096;
// 15 hex digits stay below 2^60: no overflow while adding a chunk to the body's length.
constexpr size_t kMaxChunkSizeDigits = 15;

// RFC 9110 tchar: the characters of a method or a header field's name.
bool IsTokenCharacter(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsTokenCharacter);
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The elements of a comma-separated header value, blanks trimmed, empty elements skipped.
std::vector<std::string_view> ListElements(std::string_view value) {
  std::vector<std::string_view> elements;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view element = TrimBlanks(value.substr(0, comma));
    if (!element.empty()) elements.push_back(element);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return elements;
}

// A field value may hold visible characters, blanks and obs-text, never other control bytes.
bool IsFieldValue(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7f;
  });
}

// The path of a request target: origin-form "/a?q", absolute-form "http://host/a?q", or "*".
bool TargetPath(std::string_view target, std::string* path) {
  if (target == "*") {
    *path = "*";
    return true;
  }
  if (target.front() != '/') {
    const size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos ||
        !(EqualsIgnoringCase(target.substr(0, scheme_end), "http") ||
          EqualsIgnoringCase(target.substr(0, scheme_end), "https"))) {
      return false;
    }
    target.remove_prefix(scheme_end + 3);
    const size_t path_start = target.find_first_of("/?");
    target =
        path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
    if (target.front() == '?') target = "/";
  }
  *path = std::string(target.substr(0, target.find('?')));
  return true;
}

}  // namespace

HttpRequestReader::Progress HttpRequestReader::Fail(int status, std::string reason) {
  phase_ = Phase::kFailed;
  failure_status_ = status;
  failure_reason_ = std::move(reason);
  return Progress::kFailed;
}

void HttpRequestReader::StartNextRequest() {
  phase_ = Phase::kIdle;
  request_ = HttpRequest();
  head_scanned_ = 0;
  remaining_ = 0;
  chunked_ = false;
  trailer_bytes_ = 0;
  failure_status_ = 0;
  failure_reason_.clear();
}

HttpRequestReader::Progress HttpRequestReader::Read(std::string* input) {
  switch (phase_) {
    case Phase::kDone:
      return Progress::kComplete;
    case Phase::kFailed:
      return Progress::kFailed;
    case Phase::kIdle: {
      // RFC 9112 §2.2: empty lines before a request line are ignored.
      size_t skip = 0;
      while (input->compare(skip, kLineBreak.size(), kLineBreak) == 0) skip += kLineBreak.size();
      input->erase(0, skip);
      if (input->empty() || *input == "\r") return Progress::kNeedMore;
      phase_ = Phase::kHead;
      [[fallthrough]];
    }
    case Phase::kHead: {
      const size_t from = head_scanned_ < kHeadEnd.size() ? 0 : head_scanned_ - kHeadEnd.size();
      const size_t end = input->find(kHeadEnd, from);
      if (end == std::string::npos) {
        if (input->size() > limits_.max_head_bytes) {
          return Fail(431, "the request head is longer than " +
                               std::to_string(limits_.max_head_bytes) + " bytes");
        }
        head_scanned_ = input->size();
        return Progress::kNeedMore;
      }
      const size_t head_size = end + kHeadEnd.size();
      if (head_size > limits_.max_head_bytes) {
        return Fail(431, "the request head is longer than " +
                             std::to_string(limits_.max_head_bytes) + " bytes");
      }
      // The head's lines, each with its line break, the blank line left out.
      const Progress parsed = ParseHead(std::string_view(*input).substr(0, end + 2));
      input->erase(0, head_size);
      return parsed;
    }
    case Phase::kHeadDone:
    case Phase::kFixedBody:
    case Phase::kChunkSize:
    case Phase::kChunkData:
    case Phase::kChunkEnd:
    case Phase::kTrailers:
      return ReadBody(input);
  }
  return Progress::kNeedMore;
}

HttpRequestReader::Progress HttpRequestReader::ParseHead(std::string_view head) {
  const size_t line_end = head.find(kLineBreak);
  const std::string_view line = head.substr(0, line_end);
  head.remove_prefix(line_end + kLineBreak.size());

  const size_t first_space = line.find(' ');
  const size_t second_space =
      first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) {
    return Fail(400, "the request line is not: method, target, version");
  }
  const std::string_view method = line.substr(0, first_space);
  const std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  const std::string_view version = line.substr(second_space + 1);
  if (!IsToken(method)) return Fail(400, "the request method is not a token");
  if (target.empty() || !std::all_of(target.begin(), target.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte > 0x20 && byte != 0x7f;
      })) {
    return Fail(400, "the request target is empty or holds a blank or a control byte");
  }
  if (version == "HTTP/1.0") {
    request_.http_1_0 = true;
    request_.keep_alive = false;
  } else if (version != "HTTP/1.1") {
    if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && std::isdigit(version[5]) &&
        version[6] == '.' && std::isdigit(version[7])) {
      return Fail(505, "HTTP version " + std::string(version.substr(5)) + " is not served");
    }
    return Fail(400, "the request line does not end with an HTTP version");
  }
  request_.method = std::string(method);
  if (!TargetPath(target, &request_.path)) {
    return Fail(400, "the request target is not a path, an http URL or *");
  }

  bool has_content_length = false;
  uint64_t content_length = 0;
  bool has_transfer_encoding = false;
  std::string transfer_encoding;
  while (!head.empty()) {
    const size_t end = head.find(kLineBreak);
    const std::string_view field = head.substr(0, end);
    head.remove_prefix(end + kLineBreak.size());
    if (field.front() == ' ' || field.front() == '\t') {
      return Fail(400, "a header field is folded over lines");
    }
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos || !IsToken(field.substr(0, colon))) {
      return Fail(400, "a header field is not a name, a colon and a value");
    }
    const std::string_view value = TrimBlanks(field.substr(colon + 1));
    if (!IsFieldValue(value)) return Fail(400, "a header field's value holds a control byte");
    std::string name = Lowercase(field.substr(0, colon));
    if (name == "content-length") {
      for (std::string_view element : ListElements(value)) {
        if (element.size() > 18 || !std::all_of(element.begin(), element.end(),
                                                [](char c) { return c >= '0' && c <= '9'; })) {
          return Fail(400, "Content-Length is not a number of bytes");
        }
        const uint64_t length = std::stoull(std::string(element));
        if (has_content_length && length != content_length) {
          return Fail(400, "two different Content-Length values");
        }
        has_content_length = true;
        content_length = length;
      }
      if (!has_content_length) return Fail(400, "Content-Length is empty");
    } else if (name == "transfer-encoding") {
      if (has_transfer_encoding) transfer_encoding += ',';
      transfer_encoding += value;
      has_transfer_encoding = true;
    } else if (name == "connection") {
      for (std::string_view option : ListElements(value)) {
        if (EqualsIgnoringCase(option, "close")) request_.keep_alive = false;
        if (EqualsIgnoringCase(option, "keep-alive") && request_.http_1_0) {
          request_.keep_alive = true;
        }
      }
    } else if (name == "expect") {
      // RFC 9110 §10.1.1: an HTTP/1.0 client's expectation is ignored.
      request_.expects_continue = !request_.http_1_0 && EqualsIgnoringCase(value, "100-continue");
    }
    request_.headers.emplace_back(std::move(name), std::string(value));
  }
  return ChooseFraming(has_content_length, content_length, has_transfer_encoding,
                       transfer_encoding);
}

HttpRequestReader::Progress HttpRequestReader::ChooseFraming(bool has_content_length,
                                                             uint64_t content_length,
                                                             bool has_transfer_encoding,
                                                             std::string_view transfer_encoding) {
  if (has_transfer_encoding) {
    if (has_content_length) return Fail(400, "both Content-Length and Transfer-Encoding");
    if (request_.http_1_0) return Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    const std::vector<std::string_view> codings = ListElements(transfer_encoding);
    if (codings.empty() || !EqualsIgnoringCase(codings.back(), "chunked")) {
      return Fail(400, "the last transfer coding is not chunked");
    }
    if (codings.size() > 1) return Fail(501, "transfer codings other than chunked");
    chunked_ = true;
    phase_ = Phase::kHeadDone;
    remaining_ = 0;
    return Progress::kHeadRead;
  }
  if (content_length > limits_.max_body_bytes) {
    return Fail(413, "the body of " + std::to_string(content_length) + " bytes is longer than " +
                         std::to_string(limits_.max_body_bytes));
  }
  request_.body.reserve(content_length);
  remaining_ = content_length;
  phase_ = Phase::kHeadDone;
  return Progress::kHeadRead;
}

bool HttpRequestReader::MoveBodyBytes(std::string* input) {
  const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, input->size()));
  request_.body.append(*input, 0, take);
  input->erase(0, take);
  remaining_ -= take;
  return remaining_ == 0;
}

HttpRequestReader::Progress HttpRequestReader::ReadBody(std::string* input) {
  if (phase_ == Phase::kHeadDone) phase_ = chunked_ ? Phase::kChunkSize : Phase::kFixedBody;
  for (;;) {
    switch (phase_) {
      case Phase::kFixedBody:
        if (!MoveBodyBytes(input)) return Progress::kNeedMore;
        phase_ = Phase::kDone;
        return Progress::kComplete;
      case Phase::kChunkSize: {
        const size_t end = input->find(kLineBreak);
        // The same refusal whether the line is here whole or still arriving (its last byte
        // here may be the '\r' of its line break).
        if (end == std::string::npos) {
          if (input->size() > kMaxChunkSizeLine + 1) {
            return Fail(400, "a chunk-size line is too long");
          }
          return Progress::kNeedMore;
        }
        if (end > kMaxChunkSizeLine) return Fail(400, "a chunk-size line is too long");
        const std::string_view line = std::string_view(*input).substr(0, end);
        size_t digits = 0;
        uint64_t size = 0;
        while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) {
          const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(line[digits])));
          size = size * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
          ++digits;
        }
        const std::string_view rest = TrimBlanks(line.substr(digits));
        if (digits == 0 || digits > kMaxChunkSizeDigits || (!rest.empty() && rest[0] != ';')) {
          return Fail(400, "a chunk size is not a hexadecimal number");
        }
        input->erase(0, end + kLineBreak.size());
        if (size == 0) {
          phase_ = Phase::kTrailers;
          break;
        }
        if (request_.body.size() + size > limits_.max_body_bytes) {
          return Fail(413, "the chunked body is longer than " +
                               std::to_string(limits_.max_body_bytes) + " bytes");
        }
        remaining_ = size;
        phase_ = Phase::kChunkData;
        break;
      }
      case Phase::kChunkData:
        if (!MoveBodyBytes(input)) return Progress::kNeedMore;
        phase_ = Phase::kChunkEnd;
        break;
      case Phase::kChunkEnd:
        if (input->size() < kLineBreak.size()) return Progress::kNeedMore;
        if (input->compare(0, kLineBreak.size(), kLineBreak) != 0) {
          return Fail(400, "a chunk does not end with a line break");
        }
        input->erase(0, kLineBreak.size());
        phase_ = Phase::kChunkSize;
        break;
      case Phase::kTrailers: {
        // A trailer field line is refused when, with its line break, it takes the trailer past
        // the limit — decided the same way whether the line is here whole or still arriving.
        const size_t end = input->find(kLineBreak);
        if (end == std::string::npos) {
          if (input->size() >= 2 && trailer_bytes_ + input->size() + 1 > limits_.max_head_bytes) {
            return Fail(431, "the trailer fields are longer than " +
                                 std::to_string(limits_.max_head_bytes) + " bytes");
          }
          return Progress::kNeedMore;
        }
        trailer_bytes_ += end + kLineBreak.size();
        input->erase(0, end + kLineBreak.size());
        if (end == 0) {
          phase_ = Phase::kDone;
          return Progress::kComplete;
        }
        // Trailer fields are read past and dropped: nothing otsd serves depends on one.
        if (trailer_bytes_ > limits_.max_head_bytes) {
          return Fail(431, "the trailer fields are longer than " +
                               std::to_string(limits_.max_head_bytes) + " bytes");
        }
        break;
      }
      default:
        return Progress::kNeedMore;
    }
  }
}

}  // namespace otsync::server
