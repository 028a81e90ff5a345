#include "base/thread_policy.h"

#include <gtest/gtest.h>

#include <thread>

namespace otsync {
namespace {

// The tests change the policy of threads of their own only, never the test runner's thread.
TEST(ThreadPolicyTest, BatchPolicyCoversTheCallingThreadAndTheThreadsItStarts) {
  bool before = true;
  bool after = false;
  bool child = false;
  std::thread thread([&] {
    before = CurrentThreadHasBatchPolicy();
    ASSERT_TRUE(SetCurrentThreadBatchPolicy());
    after = CurrentThreadHasBatchPolicy();
    std::thread started([&] { child = CurrentThreadHasBatchPolicy(); });
    started.join();
  });
  thread.join();
  EXPECT_FALSE(before) << "threads start under the process's own policy";
  EXPECT_TRUE(after);
  EXPECT_TRUE(child) << "threads started by a batch thread inherit its policy";
  EXPECT_FALSE(CurrentThreadHasBatchPolicy()) << "the calling thread only";
  bool sibling = true;
  std::thread other([&] { sibling = CurrentThreadHasBatchPolicy(); });
  other.join();
  EXPECT_FALSE(sibling) << "other threads of the process keep its policy";
}

}  // namespace
}  // namespace otsync
