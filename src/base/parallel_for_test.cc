#include "base/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace otsync {
namespace {

TEST(ParallelForTest, RunsEveryIndexExactlyOnceWithMoreIndicesThanThreads) {
  constexpr size_t kCount = 1000;
  std::vector<std::atomic<int>> calls(kCount);
  ParallelFor(kCount, 8, [&](size_t i) { calls[i].fetch_add(1); });
  for (size_t i = 0; i < kCount; ++i) EXPECT_EQ(calls[i].load(), 1) << "index " << i;
}

TEST(ParallelForTest, RunsNoMoreCallsAtOnceThanItsThreadsAndUsesSeveral) {
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::mutex mutex;
  std::set<std::thread::id> threads;
  ParallelFor(40, 4, [&](size_t) {
    const int now = ++running;
    for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
    }
    {
      std::lock_guard<std::mutex> guard(mutex);
      threads.insert(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --running;
  });
  EXPECT_LE(most.load(), 4);
  EXPECT_GT(most.load(), 1);
  EXPECT_LE(threads.size(), 4u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 1u);
}

TEST(ParallelForTest, ZeroIndicesCallNothingAndZeroThreadsMeansTheCallerAlone) {
  std::atomic<int> calls{0};
  ParallelFor(0, 8, [&](size_t) { ++calls; });
  EXPECT_EQ(calls.load(), 0);

  const std::thread::id caller = std::this_thread::get_id();
  std::vector<size_t> order;  // Unguarded: only the caller may run the calls.
  ParallelFor(5, 0, [&](size_t i) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    order.push_back(i);
  });
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace otsync
