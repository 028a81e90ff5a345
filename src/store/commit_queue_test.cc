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

// Writer 0 leads a group of itself alone and holds it until writers 1.. (one per further size of
// `bytes`, ids in that order) have queued behind it one after the other; returns the groups
// `queue` committed once every writer returned.
std::vector<std::vector<int>> CommitBehindAHeldLeader(CommitQueue<Request>* queue,
                                                      const std::vector<size_t>& bytes,
                                                      std::vector<Request>* requests) {
  GroupLog log;
  requests->assign(bytes.size(), Request{});
  for (size_t i = 0; i < bytes.size(); ++i) (*requests)[i].id = static_cast<int>(i);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::thread> writers;
  writers.emplace_back([&] {
    queue->Commit(&(*requests)[0], bytes[0], log.Committer([released] { released.wait(); }));
  });
  WaitUntilQueued(*queue, 1);
  for (size_t i = 1; i < bytes.size(); ++i) {
    writers.emplace_back([&, i] { queue->Commit(&(*requests)[i], bytes[i], log.Committer()); });
    WaitUntilQueued(*queue, i + 1);
  }
  release.set_value();
  for (std::thread& writer : writers) writer.join();
  return log.groups();
}

TEST(CommitQueueTest, WritersQueuedBehindALeaderCommitInItsNextGroupInQueueOrder) {
  CommitQueue<Request> queue(64, 1 << 20);
  std::vector<Request> requests;
  EXPECT_EQ(CommitBehindAHeldLeader(&queue, {1, 1, 1, 1}, &requests),
            (std::vector<std::vector<int>>{{0}, {1, 2, 3}}));
  for (const Request& request : requests) EXPECT_EQ(request.commits, 1) << request.id;
  EXPECT_EQ(queue.queued(), 0u);
}

TEST(CommitQueueTest, AGroupStopsAtItsRequestAndByteLimits) {
  std::vector<Request> requests;
  // At most 2 requests a group.
  CommitQueue<Request> by_requests(2, 1 << 20);
  EXPECT_EQ(CommitBehindAHeldLeader(&by_requests, {1, 3, 9, 2, 2}, &requests),
            (std::vector<std::vector<int>>{{0}, {1, 2}, {3, 4}}));
  // At most 5 bytes past a group's first request, which it always takes: 3 + 9 > 5, 2 + 2 <= 5.
  CommitQueue<Request> by_bytes(64, 5);
  EXPECT_EQ(CommitBehindAHeldLeader(&by_bytes, {1, 3, 9, 2, 2}, &requests),
            (std::vector<std::vector<int>>{{0}, {1}, {2}, {3, 4}}));
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
