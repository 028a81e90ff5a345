#include "server/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>

namespace otsync::server {
namespace {

using std::chrono::milliseconds;

TEST(WorkerPoolTest, RunsEveryTask) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(2, 2, milliseconds(100));
    for (int i = 0; i < 100; ++i) pool.Submit([&done] { ++done; });
    pool.Shutdown();
  }
  EXPECT_EQ(done.load(), 100);
}

// Tasks that block until all of them run at once (as keep-alive connections do) must not
// starve: the pool grows past its core size.
TEST(WorkerPoolTest, GrowsWhenEveryThreadIsBusy) {
  WorkerPool pool(2, 16, milliseconds(50));
  std::latch all_running(8);
  std::atomic<int> done{0};
  for (int i = 0; i < 8; ++i) {
    pool.Submit([&] {
      all_running.arrive_and_wait();
      ++done;
    });
  }
  all_running.wait();
  pool.Shutdown();
  EXPECT_EQ(done.load(), 8);
}

TEST(WorkerPoolTest, ExtraThreadsExitWhenIdle) {
  WorkerPool pool(1, 8, milliseconds(20));
  std::latch all_running(4);
  for (int i = 0; i < 4; ++i) pool.Submit([&] { all_running.arrive_and_wait(); });
  all_running.wait();
  for (int i = 0; i < 200 && pool.threads() > 1; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(pool.threads(), 1u);
}

}  // namespace
}  // namespace otsync::server
