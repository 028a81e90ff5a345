#include "sync/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "base/thread_policy.h"
#include "writers/stream/stream_writer.h"
#include "writers/txtfile/txtfile_writer.h"

namespace otsync::sync {
namespace {

struct FakeTask {
  std::string id;
  std::vector<std::string> parents;
  int records = 0;
  std::string payload;  // Appended to every record, to make records bigger.
  bool fail = false;
};

// A reader whose tasks emit ("<task>", <sequence>[, payload]) records and check lineage.
class FakeReader final : public Reader {
 public:
  explicit FakeReader(std::vector<FakeTask> tasks) : tasks_(std::move(tasks)) {}

  Result<WindowKey> Prepare() override { return WindowKey{"person", "stream-1", 1000, 2000}; }

  Result<std::vector<ReaderTask>> Split(int advice) override {
    std::vector<ReaderTask> tasks;
    for (const FakeTask& task : tasks_) tasks.push_back({task.id, task.parents});
    return tasks;
  }

  Status RunTask(const ReaderTask& task, RecordSink& sink, std::stop_token stop) override {
    const FakeTask* fake = nullptr;
    for (const FakeTask& candidate : tasks_) {
      if (candidate.id == task.id) fake = &candidate;
    }
    {
      std::lock_guard lock(mutex_);
      ++run_count_[task.id];
      task_batch_policy_.insert(CurrentThreadHasBatchPolicy());
      for (const std::string& parent : fake->parents) {
        if (!finished_.contains(parent)) lineage_violated_ = true;
      }
    }
    for (int i = 0; i < fake->records; ++i) {
      if (fake->fail && i == fake->records / 2) return Status::Unavailable("shard went away");
      Record record;
      record.fields = {Field::String(task.id), Field::Integer(i)};
      if (!fake->payload.empty()) record.fields.push_back(Field::String(fake->payload));
      OTSYNC_RETURN_IF_ERROR(sink.Emit(std::move(record)));
      if (i % 100 == 0) sink.ReportLagMillis(fake->records - i);
    }
    std::lock_guard lock(mutex_);
    finished_.insert(task.id);
    return Status::OK();
  }

  Result<std::string> EndCheckpoints() override {
    ++end_checkpoint_calls_;
    return std::string("checkpoints-of-window");
  }

  Status PublishCheckpoints(const std::string& end_checkpoints) override {
    published_.push_back(end_checkpoints);
    return Status::OK();
  }

  std::string DescribeEmptyWindow() override {
    ++describe_empty_calls_;
    return empty_window_description_;
  }

  std::vector<FakeTask> tasks_;
  std::mutex mutex_;
  std::map<std::string, int> run_count_;
  std::set<bool> task_batch_policy_;  // Whether the tasks ran under SCHED_BATCH.
  std::set<std::string> finished_;
  bool lineage_violated_ = false;
  int end_checkpoint_calls_ = 0;
  std::vector<std::string> published_;
  std::string empty_window_description_;
  int describe_empty_calls_ = 0;
};

// A writer that keeps what it is given; every `dirty_every`-th record (by sequence) is dirty.
class CollectingWriter final : public Writer {
 public:
  Status Prepare() override { return Status::OK(); }
  Result<std::optional<CommittedWindow>> FindCommittedWindow(const WindowKey& key) override {
    return committed_window_;
  }
  Status Write(const std::vector<Record>& records, std::vector<DirtyRecord>* dirty) override {
    if (!write_status_.ok()) return write_status_;
    if (write_delay_.count() > 0) std::this_thread::sleep_for(write_delay_);
    ++write_calls_;
    largest_batch_ = std::max(largest_batch_, records.size());
    write_batch_policy_.insert(CurrentThreadHasBatchPolicy());
    if (!warning_.empty() && warnings_.empty()) warnings_.push_back(warning_);
    for (const Record& record : records) {
      if (dirty_every_ > 0 && record.fields[1].integer() % dirty_every_ == 0) {
        dirty->push_back({record, "column 'seq': cannot convert"});
      } else {
        staged_.push_back(record);
      }
    }
    return Status::OK();
  }
  Status Commit(const CommittedWindow& window) override {
    commit_window_ = window;
    ++commit_calls_;
    return commit_status_;
  }
  void Abort() override { ++abort_calls_; }
  std::string DescribeDestination() const override { return "memory"; }
  const std::vector<std::string>& warnings() const override { return warnings_; }

  int dirty_every_ = 0;
  std::chrono::milliseconds write_delay_{0};  // How long each Write takes.
  Status write_status_;                       // Returned by every Write when not OK.
  std::string warning_;                       // Given once, by the first Write.
  std::vector<std::string> warnings_;
  Status commit_status_;
  std::optional<CommittedWindow> committed_window_;
  std::vector<Record> staged_;
  int write_calls_ = 0;
  size_t largest_batch_ = 0;           // Records in the largest batch given to Write.
  std::set<bool> write_batch_policy_;  // Whether Write ran under SCHED_BATCH.
  int commit_calls_ = 0;
  int abort_calls_ = 0;
  CommittedWindow commit_window_;
};

FakeTask Task(std::string id, std::vector<std::string> parents, int records,
              std::string payload = "") {
  return FakeTask{std::move(id), std::move(parents), records, std::move(payload), false};
}

std::vector<FakeTask> LineageTasks(int records) {
  // Two roots; a split of root a into a1 and a2; a merge of a2 and b into m; a chain below m.
  return {Task("a", {}, records),     Task("b", {}, records),          Task("a1", {"a"}, records),
          Task("a2", {"a"}, records), Task("m", {"a2", "b"}, records), Task("m1", {"m"}, records),
          Task("c", {}, records),     Task("d", {}, records)};
}

EngineOptions QuietOptions() {
  EngineOptions options;
  options.channel_capacity = {64, 1 << 20};
  options.emit_batch_records = 16;
  return options;
}

TEST(EngineTest, DeliversEveryRecordExactlyOnceInLineageOrder) {
  FakeReader reader(LineageTasks(2000));
  CollectingWriter writer;
  SpeedSpec speed;
  speed.concurrent = 3;
  EngineOptions options = QuietOptions();
  JobResult result = RunWindow(reader, writer, speed, {}, options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();

  EXPECT_FALSE(reader.lineage_violated_);
  EXPECT_EQ(writer.staged_.size(), 8u * 2000);
  std::map<std::string, int64_t> next_sequence;
  for (const Record& record : writer.staged_) {
    int64_t& expected = next_sequence[record.fields[0].bytes()];
    EXPECT_EQ(record.fields[1].integer(), expected) << record.fields[0].bytes();
    expected = record.fields[1].integer() + 1;
  }
  for (const auto& [task, count] : reader.run_count_) EXPECT_EQ(count, 1) << task;
  EXPECT_EQ(reader.run_count_.size(), 8u);
  EXPECT_LE(result.channel_peak_records, 64u);
  EXPECT_EQ(result.progress.records_read, 16000);
  EXPECT_EQ(result.progress.tasks_done, 8);
  EXPECT_EQ(writer.commit_calls_, 1);
  EXPECT_EQ(writer.commit_window_.end_checkpoints, "checkpoints-of-window");
  EXPECT_EQ(writer.commit_window_.rows, 16000);
  EXPECT_EQ(reader.published_, std::vector<std::string>{"checkpoints-of-window"});
}

TEST(EngineTest, ReaderTasksRunUnderTheBatchPolicyAndTheWriterThreadDoesNot) {
  for (bool batch : {true, false}) {
    for (bool on_readers : {true, false}) {
      FakeReader reader(LineageTasks(200));
      CollectingWriter writer;
      SpeedSpec speed;
      speed.concurrent = 3;
      EngineOptions options = QuietOptions();
      options.reader_threads_batch_policy = batch;
      options.write_on_reader_threads = on_readers;
      JobResult result = RunWindow(reader, writer, speed, {}, options);
      ASSERT_TRUE(result.status.ok()) << result.status.ToString();
      EXPECT_EQ(reader.task_batch_policy_, std::set<bool>{batch});
      // Written on the tasks' threads, or on a writer thread of the process's own policy.
      EXPECT_EQ(writer.write_batch_policy_, std::set<bool>{batch && on_readers})
          << batch << on_readers;
      EXPECT_EQ(writer.staged_.size(), 8u * 200);
      EXPECT_FALSE(CurrentThreadHasBatchPolicy()) << "the caller's thread keeps its policy";
    }
  }
}

// A window on 4 channels, the records written on the reader tasks' threads or on a writer thread.
JobResult RunOnFourChannels(FakeReader& reader, CollectingWriter& writer, bool on_readers) {
  SpeedSpec speed;
  speed.concurrent = 4;
  EngineOptions options = QuietOptions();
  options.write_on_reader_threads = on_readers;
  return RunWindow(reader, writer, speed, {}, options);
}

TEST(EngineTest, EveryRecordIsWrittenOnceWhicheverThreadsWrite) {
  for (bool on_readers : {true, false}) {
    FakeReader reader(LineageTasks(1000));
    CollectingWriter writer;
    writer.dirty_every_ = 7;
    JobResult result = RunOnFourChannels(reader, writer, on_readers);
    ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    // Sequences 0, 7, 14, ... of each of the 8 tasks are dirty: 143 of every 1000.
    EXPECT_EQ(result.progress.dirty_records, 8 * 143) << on_readers;
    EXPECT_EQ(writer.staged_.size(), 8u * (1000 - 143)) << on_readers;
    std::map<std::string, int64_t> last;
    for (const Record& record : writer.staged_) {
      const std::string task = record.fields[0].bytes();
      auto it = last.find(task);
      if (it != last.end()) {
        EXPECT_LT(it->second, record.fields[1].integer()) << task;
      }
      last[task] = record.fields[1].integer();
    }
    EXPECT_EQ(result.progress.records_written, 8 * (1000 - 143)) << on_readers;
    EXPECT_EQ(writer.commit_window_.rows, 8 * (1000 - 143)) << on_readers;
  }
}

// Reader tasks that find the writer busy wait for it, DataX's WaitWriterTime: on a full channel,
// or, when the tasks write their own batches, for the writer another task holds.
TEST(EngineTest, TheTasksWaitsForABusyWriterAreCounted) {
  for (bool on_readers : {true, false}) {
    FakeReader reader(LineageTasks(200));
    CollectingWriter writer;
    writer.write_delay_ = std::chrono::milliseconds(2);
    JobResult result = RunOnFourChannels(reader, writer, on_readers);
    ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    EXPECT_GT(result.progress.wait_writer_micros, 0) << on_readers;
    if (on_readers) {
      EXPECT_EQ(result.progress.wait_reader_micros, 0);  // No writer thread waits.
    }
  }
}

// A task writing its own batches hands over at most written_batch_records records at once (its
// records still in the core's cache when Write converts them); through the channel a batch holds
// up to emit_batch_records.
TEST(EngineTest, ATaskWritingItsOwnBatchesWritesSmallerOnes) {
  for (bool on_readers : {true, false}) {
    FakeReader reader(LineageTasks(1000));
    CollectingWriter writer;
    EngineOptions options = QuietOptions();
    options.emit_batch_records = 64;
    options.written_batch_records = 16;
    options.write_on_reader_threads = on_readers;
    JobResult result = RunWindow(reader, writer, {}, {}, options);
    ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    EXPECT_EQ(writer.staged_.size(), 8u * 1000) << on_readers;
    if (on_readers) {
      EXPECT_EQ(writer.largest_batch_, 16u);
    } else {
      EXPECT_GT(writer.largest_batch_, 16u);
      EXPECT_LE(writer.largest_batch_, 64u);
    }
  }
}

TEST(EngineTest, AWriteFailureFailsTheJobAsTheWritersWhicheverThreadsWrite) {
  for (bool on_readers : {true, false}) {
    FakeReader reader(LineageTasks(500));
    CollectingWriter writer;
    writer.write_status_ = Status::Unavailable("disk gone");
    SpeedSpec speed;
    speed.concurrent = 3;
    EngineOptions options = QuietOptions();
    options.write_on_reader_threads = on_readers;
    JobResult result = RunWindow(reader, writer, speed, {}, options);
    EXPECT_EQ(result.status.code(), StatusCode::kUnavailable) << on_readers;
    EXPECT_EQ(result.status.message(), "writer: disk gone") << on_readers;
    EXPECT_EQ(writer.commit_calls_, 0);
    EXPECT_TRUE(reader.published_.empty());
  }
}

TEST(EngineTest, CommitFailureAbortsAndPublishesNothing) {
  FakeReader reader(LineageTasks(10));
  CollectingWriter writer;
  writer.commit_status_ = Status::IOError("disk full");
  JobResult result = RunWindow(reader, writer, {}, {}, QuietOptions());
  EXPECT_EQ(result.status.code(), StatusCode::kIOError);
  EXPECT_FALSE(result.configuration_error);
  EXPECT_TRUE(reader.published_.empty());
  EXPECT_EQ(writer.abort_calls_, 1);
}

TEST(EngineTest, CommittedWindowIsPublishedWithoutReading) {
  FakeReader reader(LineageTasks(10));
  CollectingWriter writer;
  writer.committed_window_ = CommittedWindow{{"person", "stream-1", 1000, 2000}, "earlier", 20};
  JobResult result = RunWindow(reader, writer, {}, {}, QuietOptions());
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_TRUE(result.window_already_committed);
  EXPECT_TRUE(reader.run_count_.empty());
  EXPECT_EQ(reader.end_checkpoint_calls_, 0);
  EXPECT_EQ(writer.write_calls_, 0);
  EXPECT_EQ(writer.commit_calls_, 0);
  EXPECT_EQ(reader.published_, std::vector<std::string>{"earlier"});
}

TEST(EngineTest, CommittedWindowStillPrintsASummary) {
  FakeReader reader(LineageTasks(10));
  CollectingWriter writer;
  writer.committed_window_ = CommittedWindow{{"person", "stream-1", 1000, 2000}, "earlier", 20};
  std::ostringstream log;
  EngineOptions options = QuietOptions();
  options.log = &log;
  options.time_zone = TimeZone::Utc();
  JobResult result = RunWindow(reader, writer, {}, {}, options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  const std::string text = log.str();
  EXPECT_NE(text.find("Job completed successfully: the window was already exported"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Window                    : table 'person', window [19700101000001, "
                      "19700101000002) of stream stream-1\n"
                      "Result                    : already committed, not written again\n"
                      "Rows in the window        :                  20\n"
                      "Destination               : memory\n"),
            std::string::npos)
      << text;
}

TEST(EngineTest, AWindowWithoutChangesSaysSoInTheSummary) {
  FakeReader empty({{"shard-a", {}, 0, "", false}, {"shard-b", {}, 0, "", false}});
  empty.empty_window_description_ = "the stream's oldest record was written at 19700101000003";
  CollectingWriter writer;
  std::ostringstream log;
  EngineOptions options = QuietOptions();
  options.log = &log;
  options.time_zone = TimeZone::Utc();
  JobResult result = RunWindow(empty, writer, {}, {}, options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(writer.commit_calls_, 1);  // Still committed: the next window starts from here.
  EXPECT_NE(log.str().find("No changes                : the window [19700101000001, "
                           "19700101000002) " +
                           TimeZone::Utc().name +
                           " of table 'person' holds none; the stream's oldest record was "
                           "written at 19700101000003\n"),
            std::string::npos)
      << log.str();

  FakeReader full(LineageTasks(10));
  CollectingWriter full_writer;
  std::ostringstream full_log;
  options.log = &full_log;
  ASSERT_TRUE(RunWindow(full, full_writer, {}, {}, options).status.ok());
  EXPECT_EQ(full_log.str().find("No changes"), std::string::npos) << full_log.str();
  EXPECT_EQ(full.describe_empty_calls_, 0);
}

TEST(EngineTest, WriterWarningsAreLoggedOnce) {
  FakeReader reader(LineageTasks(100));
  CollectingWriter writer;
  writer.warning_ = "the reader gives 2 fields for 3 columns, so c is NULL";
  std::ostringstream log;
  EngineOptions options = QuietOptions();
  options.log = &log;
  JobResult result = RunWindow(reader, writer, {}, {}, options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  const std::string text = log.str();
  const std::string line = "Warning: the reader gives 2 fields for 3 columns, so c is NULL\n";
  size_t first = text.find(line);
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find(line, first + 1), std::string::npos) << text;
  EXPECT_GT(writer.write_calls_, 1);
}

TEST(EngineTest, SmallRateLimitsReleaseRecordsEveryTick) {
  // 20 records/s: a tick (100 ms) is worth 2 records, so batches hold 2 records and the counts
  // move every tick instead of once per 256-record batch (12.8 s).
  auto clock = std::make_shared<ManualClock>(1'700'000'000'000'000);
  FakeReader reader({Task("a", {}, 100)});
  CollectingWriter writer;
  SpeedSpec speed;
  speed.records_per_second = 20;
  EngineOptions options;
  options.clock = clock;
  options.sleeper = std::make_shared<ManualClockSleeper>(clock);
  JobResult result = RunWindow(reader, writer, speed, {}, options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(writer.staged_.size(), 100u);
  EXPECT_GE(writer.write_calls_, 50);

  // 10 KB/s: batches of at most ~1 KB, i.e. 3 records of ~410 B.
  FakeReader big_reader({Task("b", {}, 60, std::string(400, 'x'))});
  CollectingWriter big_writer;
  SpeedSpec bytes_speed;
  bytes_speed.bytes_per_second = 10'000;
  result = RunWindow(big_reader, big_writer, bytes_speed, {}, options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(big_writer.staged_.size(), 60u);
  EXPECT_GE(big_writer.write_calls_, 20);
}

TEST(EngineTest, LiveProgressLineFitsTheTerminal) {
  auto clock = std::make_shared<ManualClock>(1'700'000'000'000'000);
  FakeReader reader(LineageTasks(300));
  CollectingWriter writer;
  SpeedSpec speed;
  speed.records_per_second = 100;
  std::ostringstream log;
  EngineOptions options = QuietOptions();
  options.clock = clock;
  options.sleeper = std::make_shared<ManualClockSleeper>(clock);
  options.log = &log;
  options.live_progress = true;
  options.progress_interval_micros = 1'000'000;
  for (size_t columns : {size_t{80}, size_t{50}}) {
    log.str("");
    options.live_progress_columns = columns;
    FakeReader run_reader(LineageTasks(300));
    JobResult result = RunWindow(run_reader, writer, speed, {}, options);
    ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    const std::string text = log.str();
    size_t lines = 0;
    for (size_t start = text.find('\r'); start != std::string::npos;
         start = text.find('\r', start + 1)) {
      size_t end = text.find("\x1b[K", start);
      ASSERT_NE(end, std::string::npos);
      EXPECT_LT(end - start - 1, columns) << text.substr(start + 1, end - start - 1);
      ++lines;
    }
    // The manual clock runs ahead of the engine's real-time polling: the final line is the one
    // that is certain.
    EXPECT_GE(lines, 1u) << text;
  }
}

TEST(EngineTest, ErrorLimitRecordStopsTheJob) {
  FakeReader reader(LineageTasks(5000));
  CollectingWriter writer;
  writer.dirty_every_ = 10;
  ErrorLimitSpec limit;
  limit.record = 5;
  std::ostringstream log;
  EngineOptions options = QuietOptions();
  options.log = &log;
  JobResult result = RunWindow(reader, writer, {}, limit, options);
  EXPECT_EQ(result.status.code(), StatusCode::kAborted);
  EXPECT_NE(result.status.message().find("Framework-14"), std::string::npos);
  EXPECT_NE(result.status.message().find("the limit is [5] records"), std::string::npos);
  EXPECT_EQ(writer.commit_calls_, 0);
  EXPECT_EQ(writer.abort_calls_, 1);
  EXPECT_TRUE(reader.published_.empty());
  EXPECT_GE(result.dirty_samples.size(), 6u);
  EXPECT_EQ(result.dirty_samples[0].reason, "column 'seq': cannot convert");
  EXPECT_NE(log.str().find("Dirty record: {\"type\":\"WRITER\""), std::string::npos);
}

TEST(EngineTest, ErrorLimitPercentageIsCheckedAtTheEnd) {
  ErrorLimitSpec strict;
  strict.percentage = 0.05;
  ErrorLimitSpec lenient;
  lenient.percentage = 0.2;
  for (const auto& [limit, ok] : {std::pair{strict, false}, std::pair{lenient, true}}) {
    FakeReader reader(LineageTasks(100));
    CollectingWriter writer;
    writer.dirty_every_ = 10;
    JobResult result = RunWindow(reader, writer, {}, limit, QuietOptions());
    EXPECT_EQ(result.status.ok(), ok) << result.status.ToString();
    EXPECT_EQ(result.progress.dirty_records, 80);
    EXPECT_EQ(reader.published_.size(), ok ? 1u : 0u);
  }
}

TEST(EngineTest, TaskFailureFailsTheJobWithoutCommit) {
  std::vector<FakeTask> tasks = LineageTasks(1000);
  tasks[3].fail = true;  // a2: its child m must never run.
  FakeReader reader(tasks);
  CollectingWriter writer;
  JobResult result = RunWindow(reader, writer, {}, {}, QuietOptions());
  EXPECT_EQ(result.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status.message().find("read task for shard 'a2' failed"), std::string::npos);
  EXPECT_FALSE(reader.run_count_.contains("m"));
  EXPECT_EQ(writer.commit_calls_, 0);
  EXPECT_EQ(writer.abort_calls_, 1);
  EXPECT_TRUE(reader.published_.empty());
}

TEST(EngineTest, UnknownDependencyIsAnError) {
  FakeReader reader({Task("a", {"ghost"}, 1)});
  CollectingWriter writer;
  JobResult result = RunWindow(reader, writer, {}, {}, QuietOptions());
  EXPECT_EQ(result.status.code(), StatusCode::kInternal);
  EXPECT_TRUE(reader.published_.empty());
}

TEST(EngineTest, RateLimitHoldsOnAManualClock) {
  auto clock = std::make_shared<ManualClock>(1'700'000'000'000'000);
  // 5 MiB of records at 1 MiB/s: about five seconds of the manual clock.
  std::string payload(1000, 'x');
  FakeReader reader({Task("a", {}, 2700, payload), Task("b", {}, 2700, payload)});
  CollectingWriter writer;
  SpeedSpec speed;
  speed.concurrent = 2;
  speed.bytes_per_second = 1 << 20;
  EngineOptions options = QuietOptions();
  options.clock = clock;
  options.sleeper = std::make_shared<ManualClockSleeper>(clock);
  int64_t start = clock->NowMicros();
  JobResult result = RunWindow(reader, writer, speed, {}, options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  double seconds = static_cast<double>(clock->NowMicros() - start) / 1e6;
  double expected = static_cast<double>(result.progress.bytes_read) / (1 << 20);
  EXPECT_NEAR(seconds, expected, expected * 0.15);
}

TEST(EngineTest, ProgressAndSummaryArePrinted) {
  auto clock = std::make_shared<ManualClock>(1'700'000'000'000'000);
  FakeReader reader(LineageTasks(300));
  CollectingWriter writer;
  SpeedSpec speed;
  speed.records_per_second = 100;  // 2400 records: 24 s on the manual clock.
  std::ostringstream log;
  EngineOptions options = QuietOptions();
  options.clock = clock;
  options.sleeper = std::make_shared<ManualClockSleeper>(clock);
  options.log = &log;
  options.time_zone = TimeZone::Utc();
  JobResult result = RunWindow(reader, writer, speed, {}, options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  std::string text = log.str();
  EXPECT_NE(text.find("Total 2400 records"), std::string::npos) << text;
  EXPECT_NE(text.find("| Percentage 100.00% | Shards 8/8 done"), std::string::npos) << text;
  EXPECT_NE(text.find("Job completed successfully."), std::string::npos);
  EXPECT_NE(text.find("Job start time            : 2023-11-14 22:13:20"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Records read              :                2400"), std::string::npos);
  EXPECT_NE(text.find("Destination               : memory"), std::string::npos);
}

TEST(EngineTest, TxtFileWriterReceivesTheWindowAtomically) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("engine_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  writers::TxtFileWriterSpec spec;
  spec.path = dir.string();
  spec.file_name = "person.csv";
  spec.file_format = writers::TxtFileFormat::kCsv;
  spec.header = {"shard", "seq"};

  {  // A failed job leaves nothing visible.
    std::vector<FakeTask> tasks = LineageTasks(500);
    tasks[0].fail = true;
    FakeReader reader(tasks);
    writers::TxtFileWriter writer(spec);
    JobResult result = RunWindow(reader, writer, {}, {}, QuietOptions());
    EXPECT_FALSE(result.status.ok());
    EXPECT_TRUE(std::filesystem::is_empty(dir));
  }
  FakeReader reader(LineageTasks(500));
  writers::TxtFileWriter writer(spec);
  SpeedSpec speed;
  speed.concurrent = 4;
  JobResult result = RunWindow(reader, writer, speed, {}, QuietOptions());
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  std::ifstream file(dir / "person.csv");
  std::string line;
  std::getline(file, line);
  EXPECT_EQ(line, "shard,seq");
  std::set<std::string> lines;
  int count = 0;
  while (std::getline(file, line)) {
    lines.insert(line);
    ++count;
  }
  EXPECT_EQ(count, 4000);
  EXPECT_EQ(lines.size(), 4000u);
  EXPECT_TRUE(lines.contains("m1,499"));
  EXPECT_EQ(reader.published_.size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(EngineTest, StreamWriterPrintsEveryRecord) {
  FakeReader reader(LineageTasks(50));
  std::ostringstream out;
  writers::StreamWriter writer(writers::StreamWriterSpec{}, out);
  JobResult result = RunWindow(reader, writer, {}, {}, QuietOptions());
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 400);
  EXPECT_NE(text.find("a1\t49\n"), std::string::npos);
  EXPECT_EQ(writer.DescribeDestination(), "400 rows printed to standard output");
}

}  // namespace
}  // namespace otsync::sync
