// A thread pool that grows under load: `core_threads` stay alive; when a task arrives and no
// thread is idle, another is started, up to `max_threads`; threads beyond the core exit after
// idling for `idle_timeout`.
//
// Why: the HTTP server (http_server.h) serves one connection per task and a keep-alive connection
// keeps its thread until it closes, idles out or runs out of time, so a fixed pool smaller than
// the number of client connections starves the extra connections for as long as the others stay
// busy.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace otsync::server {

class WorkerPool {
 public:
  WorkerPool(size_t core_threads, size_t max_threads, std::chrono::milliseconds idle_timeout);
  ~WorkerPool();  // Shutdown().

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Thread-safe. Tasks submitted after Shutdown() are dropped.
  void Submit(std::function<void()> task);
  // Runs the tasks already queued, then waits for every thread to exit. Idempotent.
  void Shutdown();

  size_t threads() const;

 private:
  void StartThreadLocked();
  void WorkerLoop();

  const size_t core_threads_;
  const size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable work_available_;
  std::condition_variable all_exited_;
  std::deque<std::function<void()>> tasks_;
  size_t threads_ = 0;
  size_t idle_threads_ = 0;
  bool shutting_down_ = false;
};

}  // namespace otsync::server
