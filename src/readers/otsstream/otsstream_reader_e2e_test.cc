// End to end: the otsstream reader against a real otsd (built from this tree) started by the
// test on a loopback port. otsd runs 30 minutes in the past (--clock-offset=-30m) so that every
// write is old enough for the "end <= now - 5 min" rule without waiting.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "client/client.h"
#include "readers/otsstream/otsstream_reader.h"
#include "readers/otsstream/status_keys.h"
#include "readers/otsstream/status_table.h"
#include "testing/otsd_process.h"

namespace otsync::readers::otsstream {
namespace {

using otsync::testing::OtsdProcess;

using wire::Value;

constexpr int64_t kOtsdOffsetMicros = -int64_t{30} * 60 * 1000 * 1000;

class CollectingSink final : public sync::RecordSink {
 public:
  Status Emit(sync::Record record) override {
    records.push_back(std::move(record));
    return Status::OK();
  }
  Status EmitDirty(sync::DirtyRecord record) override {
    dirty.push_back(std::move(record));
    return Status::OK();
  }
  void ReportLagMillis(int64_t) override {}

  std::vector<sync::Record> records;
  std::vector<sync::DirtyRecord> dirty;
};

std::string Render(const sync::Record& record) {
  std::string line;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    if (i > 0) line += ",";
    const sync::Field& field = record.fields[i];
    line += field.type() == wire::ValueType::kNull ? "null" : field.DebugString();
  }
  return line;
}

struct WindowRun {
  Status status;
  std::vector<std::string> rows;
  std::vector<sync::Record> records;
  std::vector<sync::ReaderTask> tasks;
};

class OtsStreamReaderE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<OtsdProcess>> otsd =
        OtsdProcess::Start(OTSYNC_OTSD_PATH, {"--clock-offset=-30m"});
    ASSERT_TRUE(otsd.ok()) << otsd.status().ToString();
    otsd_ = std::move(*otsd).release();
  }
  static void TearDownTestSuite() {
    delete otsd_;
    otsd_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(otsd_, nullptr);
    client::ClientOptions options;
    options.endpoint = otsd_->endpoint();
    options.instance = "local";
    options.credentials = {"otsync-local-id", "otsync-local-secret", ""};
    Result<std::unique_ptr<client::Client>> made = client::Client::Create(options);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    client_ = std::move(*made);
  }

  // The time otsd stamps writes with, in millis.
  static int64_t OtsdNowMillis() { return SystemClock(kOtsdOffsetMicros).NowMillis(); }

  // A moment strictly between the writes before and after it.
  static int64_t Boundary() {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    const int64_t boundary = OtsdNowMillis();
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    return boundary;
  }

  void CreateTable(const std::string& name, wire::PrimaryKeyType first_key_type) {
    wire::TableDescription table;
    table.name = name;
    table.primary_key = {{"pk1", first_key_type, false},
                         {"pk2", wire::PrimaryKeyType::kInteger, false}};
    table.options.max_versions = 3;
    table.stream.enabled = true;
    table.stream.expiration_hours = 24;
    ASSERT_TRUE(client_->CreateTable(table).ok());
  }

  OtsStreamReaderSpec Spec(const std::string& table, const std::string& status_table, int64_t start,
                           int64_t end) {
    OtsStreamReaderSpec spec;
    spec.data_table = table;
    spec.status_table = status_table;
    spec.time_range_form = TimeRangeForm::kTimestampMillis;
    spec.start_timestamp_millis = start;
    spec.end_timestamp_millis = end;
    spec.time_zone = "Asia/Shanghai";
    spec.is_export_sequence_info = true;
    spec.max_retries = 2;
    return spec;
  }

  OtsConnectionSpec Connection() {
    return {otsd_->endpoint(), "otsync-local-id", "otsync-local-secret", "local"};
  }

  // One window as the engine drives it: Prepare, Split, every task after its dependencies,
  // EndCheckpoints, then (the writer having committed) PublishCheckpoints.
  WindowRun RunWindow(const OtsStreamReaderSpec& spec, bool publish = true) {
    WindowRun run;
    Result<std::unique_ptr<OtsStreamReader>> reader =
        OtsStreamReader::Create(spec, Connection(), DefaultClock());
    if (!reader.ok()) return {reader.status(), {}, {}, {}};
    Result<sync::WindowKey> key = (*reader)->Prepare();
    if (!key.ok()) return {key.status(), {}, {}, {}};
    Result<std::vector<sync::ReaderTask>> tasks = (*reader)->Split(4);
    if (!tasks.ok()) return {tasks.status(), {}, {}, {}};
    run.tasks = *tasks;
    std::set<std::string> done;
    CollectingSink sink;
    while (done.size() < tasks->size()) {
      bool progressed = false;
      for (const sync::ReaderTask& task : *tasks) {
        if (done.contains(task.id)) continue;
        if (!std::all_of(task.depends_on.begin(), task.depends_on.end(),
                         [&](const std::string& id) { return done.contains(id); })) {
          continue;
        }
        Status status = (*reader)->RunTask(task, sink, {});
        if (!status.ok()) return {status, {}, {}, run.tasks};
        done.insert(task.id);
        progressed = true;
      }
      if (!progressed) return {Status::Internal("dependency cycle"), {}, {}, run.tasks};
    }
    EXPECT_TRUE(sink.dirty.empty());
    Result<std::string> checkpoints = (*reader)->EndCheckpoints();
    if (!checkpoints.ok()) return {checkpoints.status(), {}, {}, run.tasks};
    if (publish) {
      Status published = (*reader)->PublishCheckpoints(*checkpoints);
      if (!published.ok()) return {published, {}, {}, run.tasks};
    }
    for (const sync::Record& record : sink.records) run.rows.push_back(Render(record));
    run.records = std::move(sink.records);
    return run;
  }

  void Put(const std::string& table, Value pk1, int64_t pk2,
           std::vector<std::pair<std::string, Value>> cells, std::optional<int64_t> version = {}) {
    wire::RowWrite write;
    write.row.primary_key = {{"pk1", std::move(pk1)}, {"pk2", Value::Integer(pk2)}};
    for (auto& [name, value] : cells) {
      write.row.cells.push_back({name, std::move(value), version, wire::CellOperation::kPut});
    }
    const Result<client::WriteResult> written = client_->PutRow(table, write);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }
  void Update(const std::string& table, Value pk1, int64_t pk2, std::vector<wire::Cell> cells) {
    wire::RowWrite write;
    write.row.primary_key = {{"pk1", std::move(pk1)}, {"pk2", Value::Integer(pk2)}};
    write.row.cells = std::move(cells);
    ASSERT_TRUE(client_->UpdateRow(table, write).ok());
  }
  void Delete(const std::string& table, Value pk1, int64_t pk2) {
    wire::RowWrite write;
    write.row.primary_key = {{"pk1", std::move(pk1)}, {"pk2", Value::Integer(pk2)}};
    ASSERT_TRUE(client_->DeleteRow(table, write).ok());
  }

  static std::vector<std::string> Concat(const std::vector<WindowRun>& runs) {
    std::vector<std::string> rows;
    for (const WindowRun& run : runs) rows.insert(rows.end(), run.rows.begin(), run.rows.end());
    return rows;
  }

  // The record's write time in millis, from its sequence column "…_<µs>_…".
  static int64_t WriteMillisOf(const sync::Record& record) {
    const std::string& sequence = record.fields.back().bytes();
    return std::stoll(sequence.substr(11, 20)) / 1000;
  }

  static OtsdProcess* otsd_;
  std::unique_ptr<client::Client> client_;
};

OtsdProcess* OtsStreamReaderE2eTest::otsd_ = nullptr;

TEST_F(OtsStreamReaderE2eTest, SeedScenarioTwoEntriesInTheWindow) {
  CreateTable("person", wire::PrimaryKeyType::kString);
  const int64_t start = Boundary();
  const int64_t v1 = start - 5000;
  const int64_t v2 = v1 + 1;
  Put("person", Value::String("zhangsan"), 1,
      {{"name", Value::String("Zhang San")}, {"age", Value::Integer(30)}}, v1);
  Put("person", Value::String("lisi"), 2,
      {{"name", Value::String("Li Si")},
       {"score", Value::Double(92.5)},
       {"vip", Value::Boolean(true)},
       {"avatar", Value::Binary(std::string("\x89PNG", 4))}},
      v2);
  const int64_t end = Boundary();

  OtsStreamReaderSpec spec = Spec("person", "person_status", start - 60'000, end + 1000);
  spec.is_export_sequence_info = false;
  WindowRun run = RunWindow(spec);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.rows, (std::vector<std::string>{
                          "\"zhangsan\",1,null,null,null,\"DR\"",
                          "\"zhangsan\",1,\"name\"," + std::to_string(v1) + ",\"Zhang San\",\"U\"",
                          "\"zhangsan\",1,\"age\"," + std::to_string(v1) + ",30,\"U\"",
                          "\"lisi\",2,null,null,null,\"DR\"",
                          "\"lisi\",2,\"name\"," + std::to_string(v2) + ",\"Li Si\",\"U\"",
                          "\"lisi\",2,\"score\"," + std::to_string(v2) + ",92.5,\"U\"",
                          "\"lisi\",2,\"vip\"," + std::to_string(v2) + ",true,\"U\"",
                          "\"lisi\",2,\"avatar\"," + std::to_string(v2) +
                              ",b\"\\x89\\x50\\x4e\\x47\",\"U\""}))
      << ::testing::PrintToString(run.rows);
  ASSERT_EQ(run.tasks.size(), 1u);

  // With sequence info, on a fresh status table: same rows plus the sequence column.
  spec.status_table = "person_status_seq";
  spec.is_export_sequence_info = true;
  WindowRun with_sequence = RunWindow(spec);
  ASSERT_TRUE(with_sequence.status.ok()) << with_sequence.status.ToString();
  ASSERT_EQ(with_sequence.records.size(), 8u);
  const std::string shard = run.tasks[0].id;
  for (size_t i = 0; i < with_sequence.records.size(); ++i) {
    const std::string& sequence = with_sequence.records[i].fields.back().bytes();
    const int64_t column_index = i < 3 ? static_cast<int64_t>(i) : static_cast<int64_t>(i - 3);
    char suffix[32];
    std::snprintf(suffix, sizeof(suffix), ":%010lld", static_cast<long long>(column_index));
    EXPECT_EQ(sequence.size(), 10 + 1 + 20 + 1 + 10 + 1 + shard.size() + 11) << sequence;
    EXPECT_EQ(sequence.substr(sequence.size() - shard.size() - 11), shard + suffix);
    const int64_t written = WriteMillisOf(with_sequence.records[i]);
    EXPECT_GE(written, start);
    EXPECT_LT(written, end);
  }

  // Single-version mode: one row per record, the configured columns.
  spec.status_table = "person_status_single";
  spec.is_export_sequence_info = false;
  spec.mode = OtsStreamMode::kSingleVersionAndUpdateOnly;
  spec.columns = {{"pk1", false}, {"name", false}, {"age", false}, {"vip", false}};
  WindowRun single = RunWindow(spec);
  ASSERT_TRUE(single.status.ok()) << single.status.ToString();
  EXPECT_EQ(single.rows, (std::vector<std::string>{"\"zhangsan\",\"Zhang San\",30,null",
                                                   "\"lisi\",\"Li Si\",null,true"}));

  // The status table reads as DataX's: job row at the window's end, checkpoint per shard.
  StatusTable status(client_.get(), "person_status", RetryPolicy{0, nullptr});
  Result<std::vector<client::StreamInfo>> streams = client_->ListStream("person");
  ASSERT_TRUE(streams.ok() && streams->size() == 1);
  Result<std::optional<JobDesc>> job = status.ReadJobDesc(streams->at(0).stream_id, end + 1000);
  ASSERT_TRUE(job.ok() && job->has_value()) << job.status().ToString();
  EXPECT_EQ((*job)->shard_ids, std::vector<std::string>{shard});
  EXPECT_EQ((*job)->start_millis, start - 60'000);
  EXPECT_EQ((*job)->table_name, "person");
  auto checkpoints = status.ReadCheckpoints(streams->at(0).stream_id, end + 1000);
  ASSERT_TRUE(checkpoints.ok());
  ASSERT_EQ(checkpoints->size(), 1u);
  EXPECT_EQ(checkpoints->at(shard).version, (*job)->version);
  EXPECT_FALSE(checkpoints->at(shard).checkpoint.empty());
}

TEST_F(OtsStreamReaderE2eTest, ConsecutiveWindowsEqualOneWindowAndReruns) {
  CreateTable("orders", wire::PrimaryKeyType::kString);
  const int64_t a = Boundary();
  for (int i = 0; i < 5; ++i) {
    Put("orders", Value::String("k" + std::to_string(i)), i,
        {{"qty", Value::Integer(i)}, {"note", Value::String("first")}});
  }
  const int64_t b1 = Boundary();
  for (int i = 0; i < 5; ++i) {
    Update("orders", Value::String("k" + std::to_string(i)), i,
           {{"qty", Value::Integer(100 + i), std::nullopt, wire::CellOperation::kPut},
            {"note", std::nullopt, std::nullopt, wire::CellOperation::kDeleteAllVersions}});
  }
  const int64_t mid = Boundary();
  for (int i = 0; i < 150; ++i) {  // More than one GetStreamRecord page.
    Put("orders", Value::String("bulk"), i, {{"qty", Value::Integer(i)}});
  }
  const int64_t b2 = Boundary();
  Delete("orders", Value::String("k0"), 0);
  Put("orders", Value::String("k1"), 1, {{"qty", Value::Double(0.25)}});
  const int64_t b = Boundary() + 1000;

  // The chain [a,b1) [b1,b2) [b2,b) and the one window [a,b) on another status table.
  std::vector<WindowRun> chain;
  for (auto [start, end] : {std::pair{a, b1}, std::pair{b1, b2}, std::pair{b2, b}}) {
    chain.push_back(RunWindow(Spec("orders", "orders_chain", start, end)));
    ASSERT_TRUE(chain.back().status.ok()) << chain.back().status.ToString();
  }
  WindowRun whole = RunWindow(Spec("orders", "orders_whole", a, b));
  ASSERT_TRUE(whole.status.ok()) << whole.status.ToString();
  EXPECT_EQ(whole.rows.size(), 5u * 3 + 5u * 2 + 150u * 2 + 1 + 2);
  EXPECT_EQ(Concat(chain), whole.rows);
  for (size_t i = 0; i < chain.size(); ++i) {
    for (const sync::Record& record : chain[i].records) {
      const int64_t written = WriteMillisOf(record);
      const int64_t starts[] = {a, b1, b2};
      const int64_t ends[] = {b1, b2, b};
      EXPECT_GE(written, starts[i]);
      EXPECT_LT(written, ends[i]);
    }
  }

  // A rerun of the middle window reads the same rows, and so does the window after it.
  WindowRun rerun = RunWindow(Spec("orders", "orders_chain", b1, b2));
  ASSERT_TRUE(rerun.status.ok()) << rerun.status.ToString();
  EXPECT_EQ(rerun.rows, chain[1].rows);
  WindowRun rerun_next = RunWindow(Spec("orders", "orders_chain", b2, b));
  ASSERT_TRUE(rerun_next.status.ok());
  EXPECT_EQ(rerun_next.rows, chain[2].rows);

  // A window whose start has no checkpoint falls back (nearest shard-time checkpoint or the
  // trim horizon) and skips what was written before its start.
  WindowRun fallback = RunWindow(Spec("orders", "orders_chain", mid, b));
  ASSERT_TRUE(fallback.status.ok()) << fallback.status.ToString();
  std::vector<std::string> expected;
  for (size_t i = 0; i < whole.records.size(); ++i) {
    if (WriteMillisOf(whole.records[i]) >= mid) expected.push_back(whole.rows[i]);
  }
  EXPECT_EQ(fallback.rows, expected);
  EXPECT_EQ(fallback.rows.size(), 150u * 2 + 1 + 2);

  // Checkpoints not published (the writer did not commit): the next window falls back to
  // time filtering instead of continuing a chain it cannot trust, and still reads [b2, b).
  WindowRun unpublished = RunWindow(Spec("orders", "orders_unpublished", a, b2), false);
  ASSERT_TRUE(unpublished.status.ok());
  WindowRun after_unpublished = RunWindow(Spec("orders", "orders_unpublished", b2, b));
  ASSERT_TRUE(after_unpublished.status.ok());
  EXPECT_EQ(after_unpublished.rows, chain[2].rows);
}

TEST_F(OtsStreamReaderE2eTest, WindowRuleAndConfigurationErrors) {
  CreateTable("rules", wire::PrimaryKeyType::kString);
  const int64_t now = DefaultClock()->NowMillis();
  WindowRun late = RunWindow(Spec("rules", "rules_status", now - 3'600'000, now - 60'000));
  EXPECT_EQ(late.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(late.status.message().rfind(
                "To avoid timing error between different machines, the end timestamp must "
                "smaller than ",
                0),
            0u)
      << late.status.message();
  WindowRun early = RunWindow(Spec("rules", "rules_status", now - 24 * 3'600'000, now - 3'600'000));
  EXPECT_EQ(early.status.message().rfind("As expiration time is 86400000, so the start", 0), 0u)
      << early.status.message();

  WindowRun missing =
      RunWindow(Spec("no_such_table", "rules_status", now - 3'600'000, now - 600'000));
  EXPECT_EQ(missing.status.message().rfind("The data table is not exist. No table "
                                           "'no_such_table' (otsync table list",
                                           0),
            0u)
      << missing.status.message();

  wire::TableDescription plain;
  plain.name = "no_stream";
  plain.primary_key = {{"id", wire::PrimaryKeyType::kInteger, false}};
  ASSERT_TRUE(client_->CreateTable(plain).ok());
  WindowRun off = RunWindow(Spec("no_stream", "rules_status", now - 3'600'000, now - 600'000));
  EXPECT_EQ(off.status.message().rfind("The stream of data table is not enabled. Enable it with: "
                                       "otsync table enable-stream ",
                                       0),
            0u)
      << off.status.message();

  // A status table with another key is refused with DataX's message.
  WindowRun wrong_status = RunWindow(Spec("rules", "no_stream", now - 3'600'000, now - 600'000));
  EXPECT_EQ(wrong_status.status.message(),
            "Unexpected table meta in status table, please check your config.");

  // A stale end checkpoint of another job is cleared by the rerun rule.
  Result<std::vector<client::StreamInfo>> streams = client_->ListStream("rules");
  ASSERT_TRUE(streams.ok() && streams->size() == 1);
  StatusTable status(client_.get(), "rules_status", RetryPolicy{0, nullptr});
  ASSERT_TRUE(status.EnsureExists({}).ok());
  ASSERT_TRUE(status
                  .WriteCheckpoint(streams->at(0).stream_id, now - 600'000, "ghost",
                                   StoredCheckpoint{"other-version", "SHARD_END", 0, 0})
                  .ok());
  WindowRun clean = RunWindow(Spec("rules", "rules_status", now - 3'600'000, now - 600'000));
  ASSERT_TRUE(clean.status.ok()) << clean.status.ToString();
  auto checkpoints = status.ReadCheckpoints(streams->at(0).stream_id, now - 600'000);
  ASSERT_TRUE(checkpoints.ok());
  EXPECT_FALSE(checkpoints->contains("ghost"));
}

// Nothing listening on this machine: the seed's maxRetries (30, minutes of pauses) would not
// start otsd, so the first failure is reported at once, with how to start it. (A remote endpoint
// keeps its retries; no test here talks to anything but loopback.)
TEST_F(OtsStreamReaderE2eTest, NothingListeningOnLoopbackIsReportedWithoutRetrying) {
  OtsStreamReaderSpec spec = Spec("person", "person_status", 0, 600'000);
  spec.max_retries = 30;
  int pauses = 0;
  OtsStreamReaderOptions options;
  options.retry_sleep = [&pauses](std::chrono::milliseconds, std::stop_token) { ++pauses; };
  OtsConnectionSpec nowhere{"http://127.0.0.1:1", "otsync-local-id", "otsync-local-secret",
                            "local"};
  Result<std::unique_ptr<OtsStreamReader>> reader =
      OtsStreamReader::Create(spec, nowhere, DefaultClock(), options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Result<sync::WindowKey> prepared = (*reader)->Prepare();
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(pauses, 0);
  EXPECT_NE(prepared.status().message().find("Is otsd running?"), std::string::npos)
      << prepared.status().message();
}

TEST_F(OtsStreamReaderE2eTest, SplitAndMergeBetweenWindowsEveryChangeOnceInKeyOrder) {
  CreateTable("lineage", wire::PrimaryKeyType::kInteger);
  int64_t counter = 0;
  const auto write_round = [&] {
    for (int key = 0; key < 20; ++key) {
      Put("lineage", Value::Integer(key), 0, {{"n", Value::Integer(++counter)}});
    }
  };
  const auto open_shards = [&] {
    Result<std::vector<client::StreamInfo>> streams = client_->ListStream("lineage");
    EXPECT_TRUE(streams.ok() && streams->size() == 1);
    Result<client::StreamDescription> stream =
        client_->DescribeStreamAllShards(streams->at(0).stream_id);
    EXPECT_TRUE(stream.ok());
    std::set<std::string> parents;
    for (const client::StreamShard& shard : stream->shards) {
      parents.insert(shard.parent_id);
      parents.insert(shard.parent_sibling_id);
    }
    std::vector<std::string> open;
    for (const client::StreamShard& shard : stream->shards) {
      if (!parents.contains(shard.shard_id)) open.push_back(shard.shard_id);
    }
    return open;
  };

  const int64_t t0 = Boundary();
  write_round();
  const int64_t t1 = Boundary();
  std::vector<std::string> open = open_shards();
  ASSERT_EQ(open.size(), 1u);
  Result<std::string> split =
      otsd_->Admin({"split-shard", "--table=lineage", "--shard=" + open[0], "--key=10"});
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  write_round();
  const int64_t t2 = Boundary();
  write_round();  // Inside the window the merge happens in.
  open = open_shards();
  ASSERT_EQ(open.size(), 2u);
  Result<std::string> merge = otsd_->Admin(
      {"merge-shards", "--table=lineage", "--shard-a=" + open[0], "--shard-b=" + open[1]});
  ASSERT_TRUE(merge.ok()) << merge.status().ToString();
  write_round();
  const int64_t t3 = Boundary();
  write_round();
  const int64_t t4 = Boundary() + 1000;

  std::vector<WindowRun> chain;
  for (auto [start, end] :
       {std::pair{t0, t1}, std::pair{t1, t2}, std::pair{t2, t3}, std::pair{t3, t4}}) {
    chain.push_back(RunWindow(Spec("lineage", "lineage_status", start, end)));
    ASSERT_TRUE(chain.back().status.ok()) << chain.back().status.ToString();
  }
  WindowRun whole = RunWindow(Spec("lineage", "lineage_whole", t0, t4));
  ASSERT_TRUE(whole.status.ok()) << whole.status.ToString();

  for (const std::vector<const WindowRun*>& runs :
       {std::vector<const WindowRun*>{&chain[0], &chain[1], &chain[2], &chain[3]},
        std::vector<const WindowRun*>{&whole}}) {
    std::map<int64_t, std::vector<int64_t>> per_key;
    std::multiset<int64_t> seen;
    for (const WindowRun* run : runs) {
      for (const sync::Record& record : run->records) {
        if (record.fields[5] != Value::String("U")) continue;
        const int64_t n = record.fields[4].integer();
        per_key[record.fields[0].integer()].push_back(n);
        seen.insert(n);
      }
    }
    ASSERT_EQ(seen.size(), static_cast<size_t>(counter));
    int64_t expected = 0;
    for (int64_t n : seen) EXPECT_EQ(n, ++expected);  // Each change exactly once.
    for (const auto& [key, values] : per_key) {
      EXPECT_TRUE(std::is_sorted(values.begin(), values.end())) << "key " << key;
      EXPECT_EQ(values.size(), 5u);
    }
  }
}

}  // namespace
}  // namespace otsync::readers::otsstream
