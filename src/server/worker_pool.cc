#include "server/worker_pool.h"

#include <algorithm>
#include <thread>
#include <utility>

namespace otsync::server {

WorkerPool::WorkerPool(size_t core_threads, size_t max_threads,
                       std::chrono::milliseconds idle_timeout)
    : core_threads_(std::max<size_t>(core_threads, 1)),
      max_threads_(std::max(max_threads, std::max<size_t>(core_threads, 1))),
      idle_timeout_(idle_timeout) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < core_threads_; ++i) StartThreadLocked();
}

WorkerPool::~WorkerPool() { Shutdown(); }

size_t WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return threads_;
}

void WorkerPool::StartThreadLocked() {
  ++threads_;
  // Detached: a thread's last touch of the pool is the notification under the mutex that
  // Shutdown() waits for.
  std::thread([this] { WorkerLoop(); }).detach();
}

void WorkerPool::Submit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shutting_down_) return;
  tasks_.push_back(std::move(task));
  if (idle_threads_ < tasks_.size() && threads_ < max_threads_) StartThreadLocked();
  work_available_.notify_one();
}

void WorkerPool::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    ++idle_threads_;
    bool timed_out = false;
    while (tasks_.empty() && !shutting_down_ && !timed_out) {
      if (threads_ > core_threads_) {
        timed_out = work_available_.wait_for(lock, idle_timeout_) == std::cv_status::timeout &&
                    tasks_.empty();
      } else {
        work_available_.wait(lock);
      }
    }
    --idle_threads_;
    if (tasks_.empty() && (shutting_down_ || (timed_out && threads_ > core_threads_))) break;
    if (tasks_.empty()) continue;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    task = nullptr;
    lock.lock();
  }
  --threads_;
  all_exited_.notify_all();
}

void WorkerPool::Shutdown() {
  std::unique_lock<std::mutex> lock(mutex_);
  shutting_down_ = true;
  work_available_.notify_all();
  all_exited_.wait(lock, [this] { return threads_ == 0; });
}

}  // namespace otsync::server
