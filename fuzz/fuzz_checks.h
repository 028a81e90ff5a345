// What every fuzz target checks beyond "no crash, no sanitizer report": a broken invariant
// aborts with a message, so that libFuzzer saves the input as a finding.
#pragma once

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace otsync::fuzz {

[[noreturn]] inline void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz invariant broken: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

inline void Check(bool condition, const char* what, std::string_view detail = {}) {
  if (!condition) Fail(what, detail);
}

// An error message must name where and what, never quote the input: an access key is a run of
// 16 to 30 letters and digits, and no word of a fixed message is 12 long. Aborts when a run of
// `min_run` or more letters and digits of `message` occurs in `input`.
inline void CheckNoInputQuoted(std::string_view input, std::string_view message,
                               size_t min_run = 16) {
  size_t start = 0;
  while (start < message.size()) {
    while (start < message.size() && !std::isalnum(static_cast<unsigned char>(message[start]))) {
      ++start;
    }
    size_t end = start;
    while (end < message.size() && std::isalnum(static_cast<unsigned char>(message[end]))) ++end;
    if (end - start >= min_run && input.find(message.substr(start, end - start)) != input.npos) {
      Fail("an error message quotes the input", message);
    }
    start = end;
  }
}

}  // namespace otsync::fuzz
