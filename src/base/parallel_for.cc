#include "base/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace otsync {

void ParallelFor(size_t count, size_t max_threads, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i = next++; i < count; i = next++) work(i);
  };
  const size_t threads = std::min(count, std::max<size_t>(max_threads, 1));
  std::vector<std::thread> helpers;
  helpers.reserve(threads > 0 ? threads - 1 : 0);
  for (size_t i = 1; i < threads; ++i) {
    try {
      helpers.emplace_back(run);
    } catch (const std::system_error&) {
      break;  // Out of threads: the ones running, the caller at least, take every index.
    }
  }
  run();
  for (std::thread& helper : helpers) helper.join();
}

}  // namespace otsync
