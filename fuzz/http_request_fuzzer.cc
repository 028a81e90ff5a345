// otsd's HTTP/1.1 request reading (server/http_request_reader.h): any bytes a client sends, read
// as one connection's pipelined requests. The same bytes arriving in pieces of any size must read
// exactly as when they arrive at once (the same requests, the same refusal), and a request read
// whole keeps the limits: a body no longer than the limit, a method that is a token, a path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_checks.h"
#include "server/http_request_reader.h"

namespace {

using otsync::server::HttpRequest;
using otsync::server::HttpRequestLimits;
using otsync::server::HttpRequestReader;
using Progress = HttpRequestReader::Progress;

constexpr size_t kMaxRequests = 16;

// One request's outcome, as text: comparable and printable.
std::string Describe(Progress progress, HttpRequestReader& reader) {
  if (progress == Progress::kFailed) return "refused " + std::to_string(reader.failure_status());
  if (progress != Progress::kComplete) return "incomplete";
  const HttpRequest& request = reader.request();
  std::string text = request.method + " " + request.path + " body " +
                     std::to_string(request.body.size()) + ":" + request.body;
  text += request.keep_alive ? " keep" : " close";
  text += request.expects_continue ? " continue" : "";
  for (const auto& [name, value] : request.headers) text += "|" + name + "=" + value;
  return text;
}

void CheckLimits(const HttpRequest& request, const HttpRequestLimits& limits) {
  using otsync::fuzz::Check;
  Check(request.body.size() <= limits.max_body_bytes, "a body longer than the limit");
  Check(!request.method.empty(), "an empty method");
  Check(request.path == "*" || (!request.path.empty() && request.path[0] == '/'),
        "a path that is neither * nor absolute", request.path);
}

// Reads `bytes` as pipelined requests, handing them over `piece` bytes at a time (0: at once).
std::vector<std::string> ReadAll(std::string_view bytes, size_t piece,
                                 const HttpRequestLimits& limits) {
  HttpRequestReader reader(limits);
  std::vector<std::string> outcomes;
  std::string input;
  size_t fed = 0;
  auto feed = [&] {
    const size_t take = piece == 0 ? bytes.size() - fed : std::min(piece, bytes.size() - fed);
    input.append(bytes.substr(fed, take));
    fed += take;
  };
  feed();
  while (outcomes.size() < kMaxRequests) {
    const Progress progress = reader.Read(&input);
    if (progress == Progress::kHeadRead) continue;
    if (progress == Progress::kNeedMore) {
      if (fed < bytes.size()) {
        feed();
        continue;
      }
      if (reader.started()) outcomes.push_back(Describe(progress, reader));
      break;
    }
    if (progress == Progress::kComplete) CheckLimits(reader.request(), limits);
    outcomes.push_back(Describe(progress, reader));
    if (progress == Progress::kFailed) break;
    reader.StartNextRequest();
  }
  return outcomes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the piece size and small limits, so that inputs of a few hundred bytes
  // reach the head, body and trailer limits too.
  const size_t piece = 1 + data[0] % 61;
  HttpRequestLimits limits;
  if (data[0] & 0x80) {
    limits.max_head_bytes = 96;
    limits.max_body_bytes = 24;
  }
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::vector<std::string> at_once = ReadAll(bytes, 0, limits);
  const std::vector<std::string> in_pieces = ReadAll(bytes, piece, limits);
  if (at_once != in_pieces) {
    std::string detail = "at once:";
    for (const std::string& outcome : at_once) detail += " [" + outcome + "]";
    detail += " in pieces of " + std::to_string(piece) + ":";
    for (const std::string& outcome : in_pieces) detail += " [" + outcome + "]";
    otsync::fuzz::Fail("the bytes read differently in pieces", detail);
  }
  return 0;
}
