#include "server/request_id.h"

#include <cstdio>
#include <random>

namespace otsync::server {

RequestIdGenerator::RequestIdGenerator() {
  std::random_device device;
  prefix_ = (uint64_t{device()} << 32) | device();
}

std::string RequestIdGenerator::Next() {
  const uint64_t sequence = counter_.fetch_add(1, std::memory_order_relaxed);
  char text[40];
  std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(prefix_ >> 32), static_cast<unsigned>(prefix_ >> 16) & 0xffff,
                static_cast<unsigned>(prefix_) & 0xffff,
                static_cast<unsigned>(sequence >> 48) & 0xffff,
                static_cast<unsigned long long>(sequence & 0xffffffffffffULL));
  return text;
}

}  // namespace otsync::server
