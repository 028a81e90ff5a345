#include "base/thread_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(ThreadPolicyTest, LowersThePriorityOfTheCallingThreadOnly) {
  const int process = ProcessNice();
  int lowered = 0;
  int child = 0;
  std::thread thread([&] {
    ASSERT_TRUE(LowerCurrentThreadPriority(3));
    lowered = CurrentThreadNice();
    std::thread started([&] { child = CurrentThreadNice(); });
    started.join();
  });
  thread.join();
  EXPECT_EQ(lowered, std::min(19, process + 3));
  EXPECT_EQ(child, lowered) << "threads started by a lowered thread inherit its value";
  EXPECT_EQ(CurrentThreadNice(), process) << "the calling thread only";
  int sibling = 99;
  std::thread other([&] { sibling = CurrentThreadNice(); });
  other.join();
  EXPECT_EQ(sibling, process);
}

TEST(ThreadPolicyTest, PriorityStepsCountFromTheProcessAndStopAtTheLowest) {
  const int process = ProcessNice();
  int twice = 0;
  int far = 0;
  int none = 0;
  std::thread([&] {
    ASSERT_TRUE(LowerCurrentThreadPriority(2));
    ASSERT_TRUE(LowerCurrentThreadPriority(2));  // The process's plus 2 again, not plus 4.
    twice = CurrentThreadNice();
  }).join();
  std::thread([&] {
    ASSERT_TRUE(LowerCurrentThreadPriority(100));
    far = CurrentThreadNice();
  }).join();
  std::thread([&] {
    EXPECT_TRUE(LowerCurrentThreadPriority(0));
    EXPECT_TRUE(LowerCurrentThreadPriority(-5));
    none = CurrentThreadNice();
  }).join();
  EXPECT_EQ(twice, std::min(19, process + 2));
  EXPECT_EQ(far, 19);
  EXPECT_EQ(none, process);
}

}  // namespace
}  // namespace otsync
