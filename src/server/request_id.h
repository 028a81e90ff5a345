// Request ids for x-ots-requestid: UUID-shaped, unique within and across otsd processes
// (a random per-generator prefix plus a counter).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace otsync::server {

class RequestIdGenerator {
 public:
  RequestIdGenerator();
  // Thread-safe.
  std::string Next();

 private:
  uint64_t prefix_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace otsync::server
