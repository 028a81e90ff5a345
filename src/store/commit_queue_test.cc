#include "store/commit_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace otsync::store {
namespace {

struct Request {
  int id = 0;
  int commits = 0;  // Times a group committed it.
};

// Every group a queue committed, as the ids of its requests in the order the leader got them.
class GroupLog {
 public:
  CommitQueue<Request>::CommitGroup Committer(std::function<void()> before = nullptr) {
    return [this, before](std::span<Request* const> group) {
      if (before) before();
      std::lock_guard<std::mutex> lock(mutex_);
      std::vector<int> ids;
      for (Request* request : group) {
        ++request->commits;
        ids.push_back(request->id);
      }
      groups_.push_back(ids);
    };
  }
  std::vector<std::vector<int>> groups() {
    std::lock_guard<std::mutex> lock(mutex_);
    return groups_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::vector<int>> groups_;
};

void WaitUntilQueued(const CommitQueue<Request>& queue, size_t count) {
  while (queue.queued() < count) std::this_thread::yield();
}

// Starts writers 1..n behind the writer holding the queue's front, one after the other, so that
// they queue in id order; returns once all n wait.
std::vector<std::thread> QueueWriters(CommitQueue<Request>* queue, std::vector<Request>* requests,
                                      std::vector<size_t> bytes, GroupLog* log) {
  std::vector<std::thread> writers;
  for (size_t i = 1; i < requests->size(); ++i) {
    writers.emplace_back([queue, request = &(*requests)[i], size = bytes[i], log] {
      queue->Commit(request, size, log->Committer());
    });
    WaitUntilQueued(*queue, i + 1);
  }
  return writers;
}

TEST(CommitQueueTest, WritersQueuedBehindALeaderCommitInItsNextGroupInQueueOrder) {
  CommitQueue<Request> queue(64, 1 << 20);
  GroupLog log;
  std::vector<Request> requests(4);
  for (int i = 0; i < 4; ++i) requests[i].id = i;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  // Writer 0 leads a group of itself alone and holds it until the others queue.
  std::thread leader(
      [&] { queue.Commit(&requests[0], 1, log.Committer([released] { released.wait(); })); });
  WaitUntilQueued(queue, 1);
  std::vector<std::thread> writers = QueueWriters(&queue, &requests, {1, 1, 1, 1}, &log);
  release.set_value();
  leader.join();
  for (std::thread& writer : writers) writer.join();

  EXPECT_EQ(log.groups(), (std::vector<std::vector<int>>{{0}, {1, 2, 3}}));
  for (const Request& request : requests) EXPECT_EQ(request.commits, 1) << request.id;
  EXPECT_EQ(queue.queued(), 0u);
}

TEST(CommitQueueTest, AGroupStopsAtItsRequestAndByteLimits) {
  for (const bool by_bytes : {false, true}) {
    // By requests: at most 2 a group. By bytes: 3 + 3 > 5, but a group always takes its first.
    CommitQueue<Request> queue(by_bytes ? 64 : 2, by_bytes ? 5 : 1 << 20);
    GroupLog log;
    std::vector<Request> requests(5);
    for (int i = 0; i < 5; ++i) requests[i].id = i;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::thread leader(
        [&] { queue.Commit(&requests[0], 1, log.Committer([released] { released.wait(); })); });
    WaitUntilQueued(queue, 1);
    std::vector<std::thread> writers = QueueWriters(&queue, &requests, {1, 3, 9, 2, 2}, &log);
    release.set_value();
    leader.join();
    for (std::thread& writer : writers) writer.join();
    const std::vector<std::vector<int>> expected =
        by_bytes ? std::vector<std::vector<int>>{{0}, {1}, {2}, {3, 4}}
                 : std::vector<std::vector<int>>{{0}, {1, 2}, {3, 4}};
    EXPECT_EQ(log.groups(), expected) << (by_bytes ? "by bytes" : "by requests");
  }
}

TEST(CommitQueueTest, ManyWritersEachCommitOnceAndGroupsKeepEachWritersOrder) {
  constexpr int kWriters = 8;
  constexpr int kCommits = 300;
  CommitQueue<Request> queue(4, 1 << 20);
  GroupLog log;
  std::vector<std::vector<Request>> requests(kWriters, std::vector<Request>(kCommits));
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kCommits; ++i) {
        requests[w][i].id = w * kCommits + i;
        queue.Commit(&requests[w][i], 1, log.Committer());
      }
    });
  }
  for (std::thread& writer : writers) writer.join();

  std::vector<int> next(kWriters, 0);
  for (const std::vector<int>& group : log.groups()) {
    EXPECT_LE(group.size(), 4u);
    for (int id : group) {
      // A writer's commits come one after the other: each in a later group than the one before.
      EXPECT_EQ(id % kCommits, next[id / kCommits]++) << "writer " << id / kCommits;
    }
  }
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(next[w], kCommits);
    for (const Request& request : requests[w]) EXPECT_EQ(request.commits, 1) << request.id;
  }
  EXPECT_EQ(queue.queued(), 0u);
}

}  // namespace
}  // namespace otsync::store
