#include "sync/engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>

#include "base/kill_point.h"
#include "base/thread_policy.h"
#include "sync/error_limit.h"
#include "sync/field_text.h"
#include "sync/job_summary.h"
#include "sync/rate_limiter.h"

namespace otsync::sync {
namespace {

// The tasks of a window as a dependency graph, handed out to workers as they become ready.
class TaskScheduler {
 public:
  // kInternal when an id repeats, a dependency is unknown or the dependencies form a cycle.
  static Result<TaskScheduler> Create(std::vector<ReaderTask> tasks) {
    TaskScheduler scheduler;
    std::map<std::string, size_t, std::less<>> index;
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (!index.emplace(tasks[i].id, i).second) {
        return Status::Internal("the reader split two tasks with the id '" + tasks[i].id + "'");
      }
    }
    scheduler.children_.resize(tasks.size());
    scheduler.pending_parents_.assign(tasks.size(), 0);
    for (size_t i = 0; i < tasks.size(); ++i) {
      for (const std::string& parent : tasks[i].depends_on) {
        auto it = index.find(parent);
        if (it == index.end()) {
          return Status::Internal("task '" + tasks[i].id + "' depends on '" + parent +
                                  "', which the reader did not split");
        }
        scheduler.children_[it->second].push_back(i);
        ++scheduler.pending_parents_[i];
      }
    }
    std::vector<size_t> pending = scheduler.pending_parents_;
    std::deque<size_t> ready;
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (pending[i] == 0) ready.push_back(i);
    }
    size_t reachable = 0;
    while (!ready.empty()) {
      size_t task = ready.front();
      ready.pop_front();
      ++reachable;
      for (size_t child : scheduler.children_[task]) {
        if (--pending[child] == 0) ready.push_back(child);
      }
    }
    if (reachable != tasks.size()) {
      return Status::Internal("the dependencies of the reader's tasks form a cycle");
    }
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (scheduler.pending_parents_[i] == 0) scheduler.ready_.push_back(i);
    }
    scheduler.tasks_ = std::move(tasks);
    return scheduler;
  }

  TaskScheduler(TaskScheduler&& other) noexcept
      : tasks_(std::move(other.tasks_)),
        children_(std::move(other.children_)),
        pending_parents_(std::move(other.pending_parents_)),
        ready_(std::move(other.ready_)) {}

  size_t size() const { return tasks_.size(); }
  const ReaderTask& task(size_t i) const { return tasks_[i]; }

  // The next ready task; nullopt once every task finished or the job stops.
  std::optional<size_t> Next(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, stop, [&] { return !ready_.empty() || finished_ == tasks_.size(); });
    if (stop.stop_requested() || ready_.empty()) return std::nullopt;
    size_t task = ready_.front();
    ready_.pop_front();
    return task;
  }

  void Finished(size_t task) {
    {
      std::lock_guard lock(mutex_);
      ++finished_;
      for (size_t child : children_[task]) {
        if (--pending_parents_[child] == 0) ready_.push_back(child);
      }
    }
    changed_.notify_all();
  }

  int64_t finished() const {
    std::lock_guard lock(mutex_);
    return static_cast<int64_t>(finished_);
  }

 private:
  TaskScheduler() = default;

  std::vector<ReaderTask> tasks_;
  std::vector<std::vector<size_t>> children_;
  std::vector<size_t> pending_parents_;
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  std::deque<size_t> ready_;
  size_t finished_ = 0;
};

std::string WindowText(const WindowKey& key, const TimeZone& zone) {
  return "table '" + key.source_table + "', window [" +
         FormatCompactDateTime(key.start_millis, zone) + ", " +
         FormatCompactDateTime(key.end_millis, zone) + ")" +
         (key.stream_id.empty() ? "" : " of stream " + key.stream_id);
}

std::string DirtyRecordJson(const DirtyRecord& dirty, bool from_reader) {
  nlohmann::ordered_json record = nlohmann::ordered_json::array();
  for (const Field& field : dirty.record.fields) {
    if (field.type() == wire::ValueType::kNull) {
      record.push_back(nullptr);
    } else {
      record.push_back(FieldToText(field, ""));
    }
  }
  nlohmann::ordered_json json = {{"type", from_reader ? "READER" : "WRITER"},
                                 {"message", dirty.reason},
                                 {"record", std::move(record)}};
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

class WindowRun {
 public:
  WindowRun(Reader& reader, Writer& writer, const SpeedSpec& speed,
            const ErrorLimitSpec& error_limit, const EngineOptions& options)
      : reader_(reader),
        writer_(writer),
        speed_(speed),
        options_(options),
        clock_(options.clock ? options.clock : DefaultClock()),
        sleeper_(options.sleeper ? options.sleeper : MakeRealSleeper(clock_)),
        limiter_(RateLimits{speed.bytes_per_second, speed.records_per_second}, clock_, sleeper_),
        error_limit_(error_limit),
        channel_(options.channel_capacity) {}

  JobResult Run();

 private:
  class TaskSink;

  void Log(const std::string& line) {
    if (options_.log == nullptr) return;
    std::lock_guard lock(log_mutex_);
    if (live_line_open_) {
      *options_.log << "\n";
      live_line_open_ = false;
    }
    *options_.log << line << "\n";
    options_.log->flush();
  }

  // Records the first failure and stops everything.
  void Fail(Status status) {
    {
      std::lock_guard lock(failure_mutex_);
      if (failure_.ok()) failure_ = std::move(status);
    }
    stop_.request_stop();
    channel_.Cancel();
  }

  Status failure() {
    std::lock_guard lock(failure_mutex_);
    return failure_;
  }

  // Counts dirty records and keeps samples; fails the job once the record limit is exceeded.
  void AddDirty(std::vector<DirtyRecord> dirty, bool from_reader);

  void WorkerLoop(TaskScheduler& scheduler);
  void WriterLoop();
  // Hands `records` to writer_.Write, one caller at a time, and counts what it wrote and found
  // dirty. A failure of the writer fails the job (as the writer's) and is returned.
  Status WriteRecords(const std::vector<Record>& records);
  JobProgress Snapshot(const TaskScheduler* scheduler);
  // REQUIRES: lag_mutex_ held. Null for an id the split did not make.
  ShardProgress* Shard(const std::string& task_id) {
    auto it = shard_index_.find(task_id);
    return it == shard_index_.end() ? nullptr : &shards_[it->second];
  }
  void SetShardState(const std::string& task_id, const char* state) {
    std::lock_guard lock(lag_mutex_);
    if (ShardProgress* shard = Shard(task_id)) {
      shard->state = state;
      if (std::string_view(state) == "done") {
        shard->lag_millis = 0;
        shard->checkpoint_millis = window_end_millis_;
      }
    }
  }
  void ReportProgress(const JobProgress& current);
  JobResult Finish(JobResult result);
  // The commit was refused because the window is already committed (another job's commit won):
  // publishes the committed window's checkpoints, as a rerun would.
  JobResult FinishAsCommittedByAnother(JobResult result, const WindowKey& window,
                                       const Status& refusal);

  // The phases of Run, in order. Once the writer is prepared, every failure before the commit
  // ends through AbortWith, the one place that undoes the writer's work.
  // Prepares reader and writer; sets result->window. Errors carry their context and set
  // result->configuration_error when the job script is at fault.
  Status PrepareReaderAndWriter(JobResult* result);
  // The destination already holds the window: publishes its recorded checkpoints, reads nothing.
  JobResult PublishCommittedWindow(JobResult result, const CommittedWindow& committed);
  // The window's tasks, with their lineage dependencies.
  Result<TaskScheduler> PlanTasks(JobResult* result);
  // Runs the workers and the writer thread until every task is read and written or the job
  // fails, reporting progress meanwhile; sets result->progress. Returns the transfer's length.
  int64_t TransferRecords(TaskScheduler& scheduler, JobResult* result);
  // After the transfer: the job's failure, unread shards or the error limit, else the reader's
  // end checkpoints.
  Result<std::string> CheckTransfer(const JobResult& result);
  void LogJobSummary(const JobResult& result, int64_t start_micros, int64_t transfer_micros);
  JobResult AbortWith(JobResult result, Status status);

  Reader& reader_;
  Writer& writer_;
  const SpeedSpec& speed_;
  const EngineOptions& options_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<Sleeper> sleeper_;
  RateLimiter limiter_;
  ErrorLimitChecker error_limit_;
  RecordChannel channel_;
  std::stop_source stop_;

  std::mutex failure_mutex_;
  Status failure_;

  // Serialises writer_.Write and the reading of its warnings (Writer's contract: one thread at
  // a time), whether the writer thread or the reader tasks call it.
  std::mutex write_mutex_;

  std::atomic<int64_t> records_read_{0};
  std::atomic<int64_t> bytes_read_{0};
  std::atomic<int64_t> records_written_{0};
  // Time reader tasks waited for write_mutex_ while another task's batch was being written.
  std::atomic<int64_t> write_wait_micros_{0};

  std::mutex dirty_mutex_;
  int64_t dirty_records_ = 0;
  int64_t dirty_bytes_ = 0;
  int64_t read_failed_records_ = 0;
  std::vector<DirtyRecord> dirty_samples_;

  std::mutex lag_mutex_;
  std::map<std::string, int64_t> lags_;  // Running tasks only.
  std::vector<ShardProgress> shards_;    // Guarded by lag_mutex_; in split order.
  std::map<std::string, size_t> shard_index_;
  int64_t window_end_millis_ = 0;
  int64_t last_listened_micros_ = 0;

  size_t warnings_logged_ = 0;  // Of writer_.warnings(); guarded by write_mutex_.

  std::mutex log_mutex_;
  bool live_line_open_ = false;
  JobProgress last_report_;
};

class WindowRun::TaskSink final : public RecordSink {
 public:
  TaskSink(WindowRun& run, const std::string& task_id, std::stop_token stop)
      : run_(run), task_id_(task_id), stop_(std::move(stop)) {
    const size_t records = writes_own_batches_ ? std::min(run.options_.emit_batch_records,
                                                          run.options_.written_batch_records)
                                               : run.options_.emit_batch_records;
    batch_limit_ = std::max<size_t>(1, std::min(records, run.options_.channel_capacity.records));
    batch_bytes_limit_ = run.options_.emit_batch_bytes;
    // A batch larger than a tick's worth of the limit would make the task sleep for seconds
    // before anything is counted: the progress line would stand still under a small mbps.
    const SpeedSpec& speed = run.speed_;
    if (speed.records_per_second.has_value() && *speed.records_per_second > 0) {
      batch_limit_ = std::clamp<size_t>(
          static_cast<size_t>(*speed.records_per_second * RateLimiter::kTickMicros / 1'000'000), 1,
          batch_limit_);
    }
    if (speed.bytes_per_second.has_value() && *speed.bytes_per_second > 0) {
      batch_bytes_limit_ = std::clamp<size_t>(
          static_cast<size_t>(*speed.bytes_per_second * RateLimiter::kTickMicros / 1'000'000), 1,
          batch_bytes_limit_);
    }
    batch_.records.reserve(batch_limit_);
    // Only a batch that goes through the channel comes back through its pool, which asks what
    // it retains; a task that writes its own batches keeps its records to itself.
    if (!writes_own_batches_) batch_.retained_bytes = 0;
  }

  Status Emit(Record record) override {
    if (stop_.stop_requested()) return Aborted();
    batch_.bytes += record.ByteSize();
    if (batch_.retained_bytes.has_value()) *batch_.retained_bytes += RecordRetainedBytes(record);
    batch_.records.push_back(std::move(record));
    if (batch_.records.size() >= batch_limit_ || batch_.bytes >= batch_bytes_limit_) {
      return Flush();
    }
    return Status::OK();
  }

  Record TakeRecord() override {
    if (recycled_.empty()) {
      if (writes_own_batches_) return Record();  // Its first batch: nothing written yet.
      std::optional<RecordBatch> batch = run_.channel_.TakeRecycled();
      if (!batch.has_value()) return Record();
      recycled_ = std::move(batch->records);
    }
    Record record = std::move(recycled_.back());
    recycled_.pop_back();
    // Taken from the back: the next two records to fill.
    const size_t left = recycled_.size();
    if (left >= 1) PrefetchFieldBytes</*kForWriting=*/true>(recycled_[left - 1]);
    if (left >= 2) PrefetchFieldArray</*kForWriting=*/true>(recycled_[left - 2]);
    return record;
  }

  Status EmitDirty(DirtyRecord record) override {
    std::vector<DirtyRecord> dirty;
    dirty.push_back(std::move(record));
    run_.AddDirty(std::move(dirty), /*from_reader=*/true);
    return stop_.stop_requested() ? Aborted() : Status::OK();
  }

  void ReportLagMillis(int64_t lag_millis) override {
    std::lock_guard lock(run_.lag_mutex_);
    run_.lags_[task_id_] = std::max<int64_t>(0, lag_millis);
    if (ShardProgress* shard = run_.Shard(task_id_)) {
      shard->lag_millis = std::max<int64_t>(0, lag_millis);
      shard->checkpoint_millis = run_.window_end_millis_ - shard->lag_millis;
    }
  }

  // Hands over what is batched. Called after every batch and once when the task ends.
  Status Flush() {
    if (batch_.records.empty()) return Status::OK();
    int64_t records = static_cast<int64_t>(batch_.records.size());
    int64_t bytes = static_cast<int64_t>(batch_.bytes);
    run_.limiter_.Acquire(records, bytes, stop_);
    if (writes_own_batches_) {
      if (stop_.stop_requested()) return Aborted();
      // The writer's failure is the job's cause (WriteRecords recorded it), not this task's.
      if (!run_.WriteRecords(batch_.records).ok()) return Aborted();
      // The records just written are this task's to fill again (TakeRecord).
      if (recycled_.empty()) recycled_.swap(batch_.records);
      batch_.records.clear();
      batch_.records.reserve(batch_limit_);
      batch_.bytes = 0;
    } else {
      Status pushed = run_.channel_.Push(std::move(batch_), stop_);
      batch_ = RecordBatch();
      batch_.retained_bytes = 0;
      if (recycled_.empty() && recycled_.capacity() >= batch_limit_) {
        batch_.records.swap(recycled_);  // The array of a recycled batch whose records are taken.
      } else {
        batch_.records.reserve(batch_limit_);
      }
      if (!pushed.ok()) return pushed;
    }
    run_.records_read_.fetch_add(records, std::memory_order_relaxed);
    run_.bytes_read_.fetch_add(bytes, std::memory_order_relaxed);
    std::lock_guard lock(run_.lag_mutex_);
    if (ShardProgress* shard = run_.Shard(task_id_)) shard->records += records;
    return Status::OK();
  }

 private:
  static Status Aborted() { return Status(StatusCode::kAborted, "job stopping"); }

  WindowRun& run_;
  const std::string& task_id_;
  std::stop_token stop_;
  const bool writes_own_batches_ = run_.options_.write_on_reader_threads;
  size_t batch_limit_;
  size_t batch_bytes_limit_;
  RecordBatch batch_;
  std::vector<Record> recycled_;  // Of a batch the writer is done with; TakeRecord's supply.
};

void WindowRun::AddDirty(std::vector<DirtyRecord> dirty, bool from_reader) {
  if (dirty.empty()) return;
  Status limit;
  {
    std::lock_guard lock(dirty_mutex_);
    for (DirtyRecord& record : dirty) {
      ++dirty_records_;
      if (from_reader) ++read_failed_records_;
      dirty_bytes_ += static_cast<int64_t>(record.record.ByteSize());
      if (dirty_samples_.size() < options_.dirty_samples_printed) {
        Log("Dirty record: " + DirtyRecordJson(record, from_reader));
      }
      if (dirty_samples_.size() < options_.dirty_samples_kept) {
        dirty_samples_.push_back(std::move(record));
      }
    }
    limit = error_limit_.CheckRecords(dirty_records_);
  }
  if (!limit.ok()) Fail(std::move(limit));
}

void WindowRun::WorkerLoop(TaskScheduler& scheduler) {
  if (options_.reader_threads_batch_policy) SetCurrentThreadBatchPolicy();
  std::stop_token stop = stop_.get_token();
  while (std::optional<size_t> next = scheduler.Next(stop)) {
    const ReaderTask& task = scheduler.task(*next);
    TaskSink sink(*this, task.id, stop);
    SetShardState(task.id, "running");
    Status status = reader_.RunTask(task, sink, stop);
    if (status.ok()) status = sink.Flush();
    SetShardState(task.id, status.ok() ? "done" : "failed");
    {
      std::lock_guard lock(lag_mutex_);
      lags_.erase(task.id);
    }
    if (!status.ok()) {
      // A task stopped by another failure reports kAborted; the first failure is the cause.
      if (!stop.stop_requested()) {
        Fail(status.WithContext("read task for shard '" + task.id + "' failed"));
      }
      return;
    }
    scheduler.Finished(*next);
  }
}

Status WindowRun::WriteRecords(const std::vector<Record>& records) {
  std::vector<DirtyRecord> dirty;
  {
    // A task that finds the writer busy with another's batch waits for the writer: DataX's
    // WaitWriterTime, as a producer blocked on a full channel. The clock is read only then.
    std::unique_lock lock(write_mutex_, std::try_to_lock);
    if (!lock.owns_lock()) {
      const auto blocked = std::chrono::steady_clock::now();
      lock.lock();
      write_wait_micros_.fetch_add(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - blocked)
                                       .count(),
                                   std::memory_order_relaxed);
    }
    Status written = writer_.Write(records, &dirty);
    if (!written.ok()) {
      Fail(written.WithContext("writer"));
      return written;
    }
    records_written_.fetch_add(static_cast<int64_t>(records.size() - dirty.size()),
                               std::memory_order_relaxed);
    const std::vector<std::string>& warnings = writer_.warnings();
    for (; warnings_logged_ < warnings.size(); ++warnings_logged_) {
      Log("Warning: " + warnings[warnings_logged_]);
    }
  }
  AddDirty(std::move(dirty), /*from_reader=*/false);
  return Status::OK();
}

void WindowRun::WriterLoop() {
  while (!channel_.drained()) {
    std::optional<RecordBatch> batch = channel_.Pop(std::chrono::milliseconds(100));
    if (!batch.has_value()) continue;
    if (!WriteRecords(batch->records).ok()) return;
    channel_.Recycle(std::move(*batch));
  }
}

JobProgress WindowRun::Snapshot(const TaskScheduler* scheduler) {
  JobProgress progress;
  progress.micros = clock_->NowMicros();
  progress.records_read = records_read_.load(std::memory_order_relaxed);
  progress.bytes_read = bytes_read_.load(std::memory_order_relaxed);
  progress.records_written = records_written_.load(std::memory_order_relaxed);
  progress.wait_writer_micros =
      channel_.push_wait_micros() + write_wait_micros_.load(std::memory_order_relaxed);
  progress.wait_reader_micros = channel_.pop_wait_micros();
  {
    std::lock_guard lock(dirty_mutex_);
    progress.dirty_records = dirty_records_;
    progress.dirty_bytes = dirty_bytes_;
    progress.records_read += read_failed_records_;
  }
  if (scheduler != nullptr) {
    progress.tasks_total = static_cast<int64_t>(scheduler->size());
    progress.tasks_done = scheduler->finished();
  }
  std::lock_guard lock(lag_mutex_);
  for (const auto& [task_id, lag] : lags_) progress.lags.push_back({task_id, lag});
  progress.shards = shards_;
  return progress;
}

void WindowRun::ReportProgress(const JobProgress& current) {
  if (options_.progress_listener) {
    options_.progress_listener(current);
    last_listened_micros_ = current.micros;
  }
  std::string line = options_.live_progress ? FormatLiveProgressLine(last_report_, current,
                                                                     options_.live_progress_columns)
                                            : FormatProgressLine(last_report_, current);
  last_report_ = current;
  if (options_.log == nullptr) return;
  std::lock_guard lock(log_mutex_);
  if (options_.live_progress) {
    *options_.log << "\r" << line << "\x1b[K";
    live_line_open_ = true;
  } else {
    *options_.log << line << "\n";
  }
  options_.log->flush();
}

JobResult WindowRun::Finish(JobResult result) {
  JobProgress final_progress = Snapshot(nullptr);
  final_progress.tasks_total = result.progress.tasks_total;
  final_progress.tasks_done = result.progress.tasks_done;
  result.progress = std::move(final_progress);
  std::lock_guard lock(dirty_mutex_);
  result.read_failed_records = read_failed_records_;
  result.dirty_samples = std::move(dirty_samples_);
  result.channel_peak_records = channel_.peak_records();
  result.channel_peak_bytes = channel_.peak_bytes();
  return result;
}

JobResult WindowRun::FinishAsCommittedByAnother(JobResult result, const WindowKey& window,
                                                const Status& refusal) {
  Result<std::optional<CommittedWindow>> committed = writer_.FindCommittedWindow(window);
  if (!committed.ok() || !committed->has_value()) {
    result.status = refusal.WithContext("writer: commit");
    return Finish(std::move(result));
  }
  Log("Another job committed " + WindowText(window, options_.time_zone) + " (" +
      std::to_string((*committed)->rows) +
      " rows) while this one read it; its rows stand and this job's are discarded.");
  result.window_already_committed = true;
  result.status = reader_.PublishCheckpoints((*committed)->end_checkpoints)
                      .WithContext("publishing the checkpoints of the committed window");
  return Finish(std::move(result));
}

JobResult WindowRun::Run() {
  JobResult result;
  const int64_t start_micros = clock_->NowMicros();
  last_report_.micros = start_micros;

  if (Status prepared = PrepareReaderAndWriter(&result); !prepared.ok()) {
    result.status = std::move(prepared);
    return Finish(std::move(result));
  }
  Result<std::optional<CommittedWindow>> committed = writer_.FindCommittedWindow(result.window);
  if (!committed.ok()) {
    return AbortWith(std::move(result),
                     committed.status().WithContext("writer: looking up committed windows"));
  }
  if (committed->has_value()) {
    writer_.Abort();
    return PublishCommittedWindow(std::move(result), **committed);
  }

  Result<TaskScheduler> scheduler = PlanTasks(&result);
  if (!scheduler.ok()) return AbortWith(std::move(result), scheduler.status());
  const int64_t transfer_micros = TransferRecords(*scheduler, &result);
  Result<std::string> end_checkpoints = CheckTransfer(result);
  if (!end_checkpoints.ok()) return AbortWith(std::move(result), end_checkpoints.status());

  const WindowKey window = result.window;
  CommittedWindow commit{window, *end_checkpoints, records_written_.load()};
  if (Status committed = writer_.Commit(commit); !committed.ok()) {
    if (committed.code() == StatusCode::kAlreadyExists) {
      // Another job committed this very window while this one read it: its rows stand, this
      // job's are discarded, and its recorded checkpoints are the ones to publish.
      writer_.Abort();
      return FinishAsCommittedByAnother(std::move(result), window, committed);
    }
    return AbortWith(std::move(result), committed.WithContext("writer: commit"));
  }
  OTSYNC_KILL_POINT("engine.after_commit");
  if (Status published = reader_.PublishCheckpoints(*end_checkpoints); !published.ok()) {
    result.status = published.WithContext(
        "the rows are committed, but publishing the end checkpoints failed (run the job again: "
        "it recognises the committed window and publishes them)");
    return Finish(std::move(result));
  }
  OTSYNC_KILL_POINT("engine.after_publish");
  LogJobSummary(result, start_micros, transfer_micros);
  result.status = Status::OK();
  return Finish(std::move(result));
}

Status WindowRun::PrepareReaderAndWriter(JobResult* result) {
  Result<WindowKey> window = reader_.Prepare();
  if (!window.ok()) {
    result->configuration_error = window.status().code() == StatusCode::kInvalidArgument;
    return window.status().WithContext("reader");
  }
  result->window = *window;
  if (Status prepared = writer_.Prepare(); !prepared.ok()) {
    result->configuration_error = prepared.code() == StatusCode::kInvalidArgument;
    return prepared.WithContext("writer");
  }
  return Status::OK();
}

JobResult WindowRun::PublishCommittedWindow(JobResult result, const CommittedWindow& committed) {
  const std::string window = WindowText(result.window, options_.time_zone);
  Log("The destination already holds " + window + " (" + std::to_string(committed.rows) +
      " rows); publishing its checkpoints without reading again.");
  result.window_already_committed = true;
  result.status = reader_.PublishCheckpoints(committed.end_checkpoints)
                      .WithContext("publishing the checkpoints of the committed window");
  if (result.status.ok() && options_.log != nullptr) {
    Log("Job completed successfully: the window was already exported, nothing to do.");
    std::lock_guard lock(log_mutex_);
    *options_.log << FormatCommittedWindowSummary(window, committed.rows,
                                                  writer_.DescribeDestination());
    options_.log->flush();
  }
  return Finish(std::move(result));
}

Result<TaskScheduler> WindowRun::PlanTasks(JobResult* result) {
  Result<std::vector<ReaderTask>> tasks = reader_.Split(static_cast<int>(speed_.concurrent));
  if (!tasks.ok()) {
    result->configuration_error = tasks.status().code() == StatusCode::kInvalidArgument;
    return tasks.status().WithContext("reader: splitting the window");
  }
  Result<TaskScheduler> created = TaskScheduler::Create(std::move(*tasks));
  if (!created.ok()) return created.status();
  {
    std::lock_guard lock(lag_mutex_);
    window_end_millis_ = result->window.end_millis;
    for (size_t i = 0; i < created->size(); ++i) {
      shard_index_[created->task(i).id] = i;
      shards_.push_back({created->task(i).id, "waiting", 0, 0, 0});
    }
  }
  return std::move(*created);
}

int64_t WindowRun::TransferRecords(TaskScheduler& scheduler, JobResult* result) {
  size_t worker_count =
      std::min<size_t>(static_cast<size_t>(std::max<int64_t>(1, speed_.concurrent)),
                       std::max<size_t>(1, scheduler.size()));
  Log("Reading " + WindowText(result->window, options_.time_zone) + ": " +
      std::to_string(scheduler.size()) + " shards, " + std::to_string(worker_count) + " channels" +
      (limiter_.unlimited() ? std::string(", no rate limit") : std::string(", rate limited")) +
      ".");

  const int64_t transfer_start = clock_->NowMicros();
  // Done when the last record is written: by the writer thread, or by the last reader task
  // when the tasks write their own records.
  std::mutex done_mutex;
  std::condition_variable finished;
  bool done = false;
  auto mark_done = [&] {
    std::lock_guard lock(done_mutex);
    done = true;
    finished.notify_all();
  };
  const bool writer_thread_needed = !options_.write_on_reader_threads;
  std::atomic<size_t> workers_running{worker_count};
  std::vector<std::thread> workers;
  for (size_t i = 0; i < worker_count; ++i) {
    workers.emplace_back([&] {
      WorkerLoop(scheduler);
      if (workers_running.fetch_sub(1) == 1) {
        channel_.Close();
        if (!writer_thread_needed) mark_done();
      }
    });
  }
  std::thread writer_thread;
  if (writer_thread_needed) {
    writer_thread = std::thread([&] {
      WriterLoop();
      mark_done();
    });
  }

  {
    std::unique_lock lock(done_mutex);
    while (!finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
      JobProgress now = Snapshot(&scheduler);
      if (now.micros - last_report_.micros >= options_.progress_interval_micros) {
        lock.unlock();
        ReportProgress(now);
        lock.lock();
      } else if (options_.progress_listener &&
                 now.micros - last_listened_micros_ >= options_.progress_listener_interval_micros) {
        options_.progress_listener(now);
        last_listened_micros_ = now.micros;
      }
    }
  }
  if (writer_thread.joinable()) writer_thread.join();
  for (std::thread& worker : workers) worker.join();
  const int64_t transfer_end = clock_->NowMicros();

  result->progress = Snapshot(&scheduler);
  ReportProgress(result->progress);
  return transfer_end - transfer_start;
}

Result<std::string> WindowRun::CheckTransfer(const JobResult& result) {
  OTSYNC_RETURN_IF_ERROR(failure());
  if (result.progress.tasks_done != result.progress.tasks_total) {
    return Status::Internal("the job ended with shards left unread");
  }
  OTSYNC_RETURN_IF_ERROR(
      error_limit_.CheckFinal(result.progress.dirty_records, result.progress.records_read));
  Result<std::string> checkpoints = reader_.EndCheckpoints();
  if (!checkpoints.ok()) return checkpoints.status().WithContext("reader: end checkpoints");
  return checkpoints;
}

void WindowRun::LogJobSummary(const JobResult& result, int64_t start_micros,
                              int64_t transfer_micros) {
  const WindowKey& window = result.window;
  Log("Job completed successfully.");
  JobSummary summary;
  summary.start_micros = start_micros;
  summary.end_micros = clock_->NowMicros();
  summary.transfer_micros = transfer_micros;
  summary.records_read = result.progress.records_read;
  summary.bytes_read = result.progress.bytes_read;
  summary.dirty_records = result.progress.dirty_records;
  {
    std::lock_guard lock(dirty_mutex_);
    summary.read_failed_records = read_failed_records_;
  }
  summary.destination = writer_.DescribeDestination();
  if (summary.records_read == 0) {
    // An empty partition is most often a window that missed the changes: say so, and where the
    // source's changes are, instead of leaving a silent empty partition.
    std::string where = reader_.DescribeEmptyWindow();
    summary.empty_window_note =
        "the window [" + FormatCompactDateTime(window.start_millis, options_.time_zone) + ", " +
        FormatCompactDateTime(window.end_millis, options_.time_zone) + ") " +
        options_.time_zone.name + " of table '" + window.source_table + "' holds none" +
        (where.empty() ? std::string(".") : "; " + where);
  }
  if (options_.log != nullptr) {
    std::lock_guard lock(log_mutex_);
    if (live_line_open_) *options_.log << "\n";
    live_line_open_ = false;
    *options_.log << FormatJobSummary(summary, options_.time_zone);
    options_.log->flush();
  }
}

JobResult WindowRun::AbortWith(JobResult result, Status status) {
  writer_.Abort();
  result.status = std::move(status);
  return Finish(std::move(result));
}

}  // namespace

JobResult RunWindow(Reader& reader, Writer& writer, const SpeedSpec& speed,
                    const ErrorLimitSpec& error_limit, const EngineOptions& options) {
  WindowRun run(reader, writer, speed, error_limit, options);
  return run.Run();
}

JobResult RunJob(const JobSpec& job, const PluginContext& context, const PluginRegistry& plugins,
                 const EngineOptions& options) {
  JobResult result;
  const ReaderPlugin* reader_plugin = plugins.FindReader(job.reader.plugin);
  if (reader_plugin == nullptr || !reader_plugin->make) {
    result.status = Status::Unsupported("reader plugin '" + job.reader.plugin +
                                        "' is not available in this build of otsync");
    return result;
  }
  const WriterPlugin* writer_plugin = plugins.FindWriter(job.writer.plugin);
  if (writer_plugin == nullptr || !writer_plugin->make) {
    result.status = Status::Unsupported("writer plugin '" + job.writer.plugin +
                                        "' is not available in this build of otsync");
    return result;
  }
  Result<std::unique_ptr<Reader>> reader = reader_plugin->make(context);
  if (!reader.ok()) {
    result.status = reader.status().WithContext("reader '" + job.reader.plugin + "'");
    result.configuration_error = reader.status().code() == StatusCode::kInvalidArgument;
    return result;
  }
  Result<std::unique_ptr<Writer>> writer = writer_plugin->make(context);
  if (!writer.ok()) {
    result.status = writer.status().WithContext("writer '" + job.writer.plugin + "'");
    result.configuration_error = writer.status().code() == StatusCode::kInvalidArgument;
    return result;
  }
  return RunWindow(**reader, **writer, job.speed, job.error_limit, options);
}

}  // namespace otsync::sync
