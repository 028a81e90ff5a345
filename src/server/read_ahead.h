// ReadAhead: prepares the answer a sequential reader will ask for next while the reader is still
// busy with the one it just received.
//
// A stream consumer reads a shard as a chain (each GetStreamRecord answer carries the iterator of
// the next call), and a scan reads a range as a chain (each GetRange answer carries the next start
// key). Served one call at a time, otsd and the reader take turns on the CPU; with the next
// answer built (read and encoded, and hashed: in the job itself, or by the finish step on a
// second thread) on a background thread as soon as the current one is sent, both run at once. The
// handlers decide what is worth preparing and whether a prepared answer may still be served
// (stream_handlers.cc, row_handlers.cc); this class holds the prepared answers.
//
// Contracts:
//  - A prepared answer is handed out at most once (Take removes it): two readers of the same
//    position each get a correct answer, the second one computed afresh.
//  - Take on a key whose preparation (or finish step) is running waits for it; on a key only
//    queued, it drops the job and returns nothing, so that the caller computes the answer itself
//    at once instead of queueing behind other readers' jobs; on an answer built but not yet
//    finished, it returns the answer unfinished.
//  - At most `max_entries` answers are queued or kept; the oldest is dropped to make room. A
//    kept answer that nobody takes within `max_age` is dropped (a reader that went away).
//  - Whether an answer may still be served is the caller's decision (see PreparedAnswer::
//    state_version); this class never looks inside.
//  - One worker thread, started by the first Schedule, and one finisher thread beside it when a
//    finish step is set, both under SCHED_BATCH (base/thread_policy.h). The destructor finishes
//    the running job and finish step, drops the queued ones and joins both.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace otsync::server {

// One answer built ahead of its request.
struct PreparedAnswer {
  std::string body;  // The serialized response.
  // x-ots-contentmd5 of `body`; empty: computed when the answer is sent.
  std::string content_md5;
  // Whether a finish step that computes the content MD5 (WithContentMd5Finish) computes it: false
  // for an answer prepared for a reader that does not check it (ApiContext::content_md5_unchecked),
  // which is sent without one; if a caller that checks it takes the answer after all, the front
  // computes it then.
  bool content_md5_wanted = true;
  // The store's version of what the answer was read from (Store::StreamStateVersion for stream
  // records, Store::WriteVersion for rows), read before it was: the answer may be served only
  // while the store still reports this version.
  uint64_t state_version = 0;
  // What the answer names for the next call (a shard iterator, a start key) and whether that call
  // is expected, so that the handler can chain the next preparation.
  std::optional<std::string> continuation;
  bool more_expected = false;
  // The handler's own state of the reader this answer was prepared for (e.g. a scan's chain of
  // pages); never looked at by ReadAhead.
  std::shared_ptr<void> chain;
};

struct ReadAheadOptions {
  size_t max_entries = 8;
  std::chrono::milliseconds max_age{10'000};
  // A last step for each built answer (e.g. its content MD5), run on a second thread so that the
  // worker starts the next job at once; null = none. An answer taken before its finish began is
  // handed out unfinished: `finish` must only add what the taker can compute itself.
  std::function<void(PreparedAnswer*)> finish;
};

// `options` with a finish step that computes a built answer's content MD5 when it has none and
// wants one (PreparedAnswer::content_md5_wanted).
ReadAheadOptions WithContentMd5Finish(ReadAheadOptions options = {});

class ReadAhead {
 public:
  // Builds the answer for a key; nullopt when there is nothing worth keeping (an error, or an
  // answer that could already be stale when taken).
  using Job = std::function<std::optional<PreparedAnswer>()>;

  explicit ReadAhead(ReadAheadOptions options = {});
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // Queues `job` for `key` unless that key is already queued, running or kept.
  void Schedule(std::string key, Job job);
  // The prepared answer for `key`, waiting while it is being built; nullopt when none was
  // prepared, the job found nothing worth keeping, or the job was still queued (then dropped).
  std::optional<PreparedAnswer> Take(const std::string& key);
  // Runs `job` for `key` on the worker thread and returns its answer (finished or not, as Take
  // would), but only when the worker is idle: nothing running, queued or kept under `key`.
  // Otherwise, and when the job finds nothing worth keeping, nullopt (at once when the worker is
  // busy), and the caller computes the answer itself. For a reader's first answer, which nothing
  // prepared: the worker's memory is warm from the answers it built before, where the calling
  // thread's may have to be faulted in (docs/benchmarks.md, Scan run 4).
  std::optional<PreparedAnswer> RunIfIdle(std::string key, Job job);

  // For tests: jobs that ran, finish steps that ran, and answers handed out by Take.
  uint64_t jobs_run() const;
  uint64_t finishes_run() const;
  uint64_t answers_taken() const;

 private:
  // kBuilt: the job is done and `finish` has yet to run; kFinishing: `finish` is running.
  enum class EntryState { kQueued, kRunning, kBuilt, kFinishing, kDone };
  struct Entry {
    std::string key;
    Job job;
    EntryState state = EntryState::kQueued;
    std::optional<PreparedAnswer> answer;
    std::chrono::steady_clock::time_point created;
  };

  void Run();
  // The finisher thread's loop: runs options_.finish over built answers, oldest first.
  void RunFinisher();
  // REQUIRES: mu_ held. Drops expired answers and, while more than max_entries - 1 remain,
  // the oldest entry that is neither running nor being finished.
  void MakeRoomLocked();
  std::deque<Entry>::iterator FindLocked(const std::string& key);
  // REQUIRES: mu_ held. The oldest entry in `state`, or end().
  std::deque<Entry>::iterator FirstInStateLocked(EntryState state);
  // REQUIRES: mu_ held, no entry under `key`. Starts the threads if not yet started, makes room
  // and queues `job`; the caller notifies work_ready_.
  void QueueLocked(std::string key, Job job);
  // REQUIRES: `lock` holds mu_. Waits while the entry of `key` is running or being finished (and
  // queued, when `while_queued`), unless stopping; returns the entry, or end() when it is gone.
  std::deque<Entry>::iterator WaitWhileBusyLocked(std::unique_lock<std::mutex>& lock,
                                                  const std::string& key, bool while_queued);

  ReadAheadOptions options_;
  mutable std::mutex mu_;
  std::condition_variable work_ready_;  // A job was queued, or stopping_.
  std::condition_variable job_done_;    // A running job or finish step finished.
  std::condition_variable built_;       // An answer awaits its finish, or stopping_.
  std::deque<Entry> entries_;           // Oldest first. Guarded by mu_.
  bool stopping_ = false;               // Guarded by mu_.
  uint64_t jobs_run_ = 0;               // Guarded by mu_.
  uint64_t finishes_run_ = 0;           // Guarded by mu_.
  uint64_t answers_taken_ = 0;          // Guarded by mu_.
  std::thread worker_;                  // Started under mu_ by the first Schedule.
  std::thread finisher_;                // The same, when options_.finish is set.
};

}  // namespace otsync::server
