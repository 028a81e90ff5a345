#include "server/read_ahead.h"

#include <algorithm>
#include <utility>

#include "base/thread_policy.h"
#include "wire/signature.h"

namespace otsync::server {

ReadAheadOptions WithContentMd5Finish(ReadAheadOptions options) {
  options.finish = [](PreparedAnswer* answer) {
    if (answer->content_md5_wanted && answer->content_md5.empty()) {
      answer->content_md5 = wire::ContentMd5(answer->body);
    }
  };
  return options;
}

ReadAhead::ReadAhead(ReadAheadOptions options) : options_(options) {
  if (options_.max_entries == 0) options_.max_entries = 1;
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  built_.notify_all();
  job_done_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (finisher_.joinable()) finisher_.join();
}

std::deque<ReadAhead::Entry>::iterator ReadAhead::FindLocked(const std::string& key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->key == key) return it;
  }
  return entries_.end();
}

std::deque<ReadAhead::Entry>::iterator ReadAhead::FirstInStateLocked(EntryState state) {
  return std::find_if(entries_.begin(), entries_.end(),
                      [state](const Entry& entry) { return entry.state == state; });
}

void ReadAhead::MakeRoomLocked() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->state == EntryState::kDone && now - it->created > options_.max_age) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = entries_.begin();
       it != entries_.end() && entries_.size() >= options_.max_entries;) {
    if (it->state == EntryState::kRunning || it->state == EntryState::kFinishing) {
      ++it;
    } else {
      it = entries_.erase(it);
    }
  }
}

void ReadAhead::QueueLocked(std::string key, Job job) {
  // Started by the first job: an otsd that serves no reader keeps no idle thread. Both run
  // under SCHED_BATCH (base/thread_policy.h): a reader's call wakes them to prepare the next
  // answer while the reader works on this one, and woken they wait for the running thread's
  // time slice instead of preempting it: the reader (or, with otsd beside an export, otsync's
  // writer) keeps its core. The 4-shard odps export's ratio to its limit 0.68 against 0.65
  // (docs/benchmarks.md, "Priority run 1").
  if (!worker_.joinable()) {
    worker_ = std::thread([this] {
      SetCurrentThreadBatchPolicy();
      Run();
    });
  }
  if (options_.finish && !finisher_.joinable()) {
    finisher_ = std::thread([this] {
      SetCurrentThreadBatchPolicy();
      RunFinisher();
    });
  }
  MakeRoomLocked();
  Entry entry;
  entry.key = std::move(key);
  entry.job = std::move(job);
  entry.created = std::chrono::steady_clock::now();
  entries_.push_back(std::move(entry));
}

std::deque<ReadAhead::Entry>::iterator ReadAhead::WaitWhileBusyLocked(
    std::unique_lock<std::mutex>& lock, const std::string& key, bool while_queued) {
  auto it = FindLocked(key);
  while (it != entries_.end() && !stopping_ &&
         ((while_queued && it->state == EntryState::kQueued) || it->state == EntryState::kRunning ||
          it->state == EntryState::kFinishing)) {
    job_done_.wait(lock);
    it = FindLocked(key);  // The deque may have changed while waiting.
  }
  return it;
}

void ReadAhead::Schedule(std::string key, Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || FindLocked(key) != entries_.end()) return;
    QueueLocked(std::move(key), std::move(job));
  }
  work_ready_.notify_one();
}

std::optional<PreparedAnswer> ReadAhead::Take(const std::string& key) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = WaitWhileBusyLocked(lock, key, /*while_queued=*/false);
  if (it == entries_.end()) return std::nullopt;
  std::optional<PreparedAnswer> answer;
  if (it->state == EntryState::kDone || it->state == EntryState::kBuilt) {
    answer = std::move(it->answer);
  }
  // A queued job is dropped; an entry a stop left running stays for its worker.
  if (it->state != EntryState::kRunning && it->state != EntryState::kFinishing) entries_.erase(it);
  if (answer.has_value()) ++answers_taken_;
  return answer;
}

std::optional<PreparedAnswer> ReadAhead::RunIfIdle(std::string key, Job job) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_ || FindLocked(key) != entries_.end()) return std::nullopt;
  if (FirstInStateLocked(EntryState::kQueued) != entries_.end() ||
      FirstInStateLocked(EntryState::kRunning) != entries_.end()) {
    return std::nullopt;
  }
  QueueLocked(key, std::move(job));
  work_ready_.notify_one();
  auto it = WaitWhileBusyLocked(lock, key, /*while_queued=*/true);
  // Taken or dropped by another caller, or left unbuilt by a stop.
  if (it == entries_.end() || (it->state != EntryState::kBuilt && it->state != EntryState::kDone)) {
    return std::nullopt;
  }
  std::optional<PreparedAnswer> answer = std::move(it->answer);
  entries_.erase(it);
  return answer;
}

void ReadAhead::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    auto queued = entries_.end();
    work_ready_.wait(lock, [&] {
      queued = FirstInStateLocked(EntryState::kQueued);
      return stopping_ || queued != entries_.end();
    });
    if (stopping_) return;
    queued->state = EntryState::kRunning;
    const std::string key = queued->key;
    Job job = std::move(queued->job);
    lock.unlock();
    std::optional<PreparedAnswer> answer = job();
    lock.lock();
    ++jobs_run_;
    // Running entries are never erased by others, so the key still names this entry.
    auto it = FindLocked(key);
    const bool to_finish = options_.finish && answer.has_value();
    it->answer = std::move(answer);
    it->state = to_finish ? EntryState::kBuilt : EntryState::kDone;
    it->created = std::chrono::steady_clock::now();
    job_done_.notify_all();
    if (to_finish) built_.notify_one();
  }
}

void ReadAhead::RunFinisher() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    auto built = entries_.end();
    built_.wait(lock, [&] {
      built = FirstInStateLocked(EntryState::kBuilt);
      return stopping_ || built != entries_.end();
    });
    if (stopping_) return;
    built->state = EntryState::kFinishing;
    const std::string key = built->key;
    // Moved out: the deque may change while the lock is released.
    PreparedAnswer answer = std::move(*built->answer);
    lock.unlock();
    options_.finish(&answer);
    lock.lock();
    ++finishes_run_;
    // Finishing entries are never erased by others either.
    auto it = FindLocked(key);
    it->answer = std::move(answer);
    it->state = EntryState::kDone;
    job_done_.notify_all();
  }
}

uint64_t ReadAhead::jobs_run() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_run_;
}

uint64_t ReadAhead::finishes_run() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finishes_run_;
}

uint64_t ReadAhead::answers_taken() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answers_taken_;
}

}  // namespace otsync::server
