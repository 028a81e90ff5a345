// CommitQueue: writers that reach their commit at the same time commit together. Each joins the
// queue; the writer at its front (the leader) commits its own request and those queued behind it,
// up to a limit, in one group, while they wait; then it wakes them and the next writer in the
// queue leads the next group. The group's requests stay in queue order, so whatever order the
// leader gives them (their stream records' timestamps, their place in one RocksDB write batch)
// is the order in which they joined. This is LevelDB's writer queue: concurrent writes share one
// log write, and with every write synced one fsync.
//
// Thread safety: Commit may be called from many threads at once. `commit_group` runs on the
// leader's thread with no lock of the queue held; it must not call Commit.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

namespace otsync::store {

template <typename Request>
class CommitQueue {
 public:
  // Commits `group` (in queue order, the leader's own request first) and records each request's
  // outcome in the request itself.
  using CommitGroup = std::function<void(std::span<Request* const> group)>;

  // A group takes requests while it holds at most `max_requests` and, past its first request,
  // `max_bytes` (a request's size as its writer gives it).
  CommitQueue(size_t max_requests, size_t max_bytes)
      : max_requests_(max_requests), max_bytes_(max_bytes) {}
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Returns once `request` was committed by a group: this thread's own `commit_group`, or
  // another leader's.
  void Commit(Request* request, size_t bytes, const CommitGroup& commit_group) {
    Waiter self(request, bytes);
    std::unique_lock<std::mutex> lock(mutex_);
    waiters_.push_back(&self);
    self.wakeup.wait(lock, [&] { return self.done || waiters_.front() == &self; });
    if (self.done) return;

    std::vector<Request*> group;
    size_t group_bytes = 0;
    for (Waiter* waiter : waiters_) {
      if (!group.empty() &&
          (group.size() >= max_requests_ || group_bytes + waiter->bytes > max_bytes_)) {
        break;
      }
      group.push_back(waiter->request);
      group_bytes += waiter->bytes;
    }
    lock.unlock();
    commit_group(group);
    lock.lock();
    for (size_t i = 0; i < group.size(); ++i) {
      Waiter* waiter = waiters_.front();
      waiters_.pop_front();
      waiter->done = true;
      if (waiter != &self) waiter->wakeup.notify_one();
    }
    if (!waiters_.empty()) waiters_.front()->wakeup.notify_one();
  }

  // Writers waiting in the queue, the leader among them (for tests).
  size_t queued() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return waiters_.size();
  }

 private:
  struct Waiter {
    Waiter(Request* request, size_t bytes) : request(request), bytes(bytes) {}
    Request* const request;
    const size_t bytes;
    bool done = false;
    std::condition_variable wakeup;
  };

  const size_t max_requests_;
  const size_t max_bytes_;
  mutable std::mutex mutex_;
  std::deque<Waiter*> waiters_;  // Guarded by mutex_; the front one leads.
};

}  // namespace otsync::store
