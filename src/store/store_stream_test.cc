// The Stream feature through the Store API: one record per applied row change, in the row's
// write batch; lifecycle through CreateTable/UpdateTable/DeleteTable; reopen; admin split;
// retention; a crash in the middle of a write loop; a failed fsync of RocksDB's log; a disk that
// fills while RocksDB flushes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <rocksdb/file_system.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/kill_point.h"
#include "store/store.h"
#include "store/testing/store_fixture.h"
#include "wire/plain_buffer.h"

extern char** environ;

namespace otsync::store {
namespace {

using wire::Cell;
using wire::CellOperation;
using wire::PrimaryKey;
using wire::PrimaryKeyType;
using wire::RowExistence;
using wire::Value;
using wire::WriteType;

constexpr int64_t kStartMicros = kStoreFixtureStartMicros;
constexpr int64_t kHourMicros = int64_t{3600} * 1'000'000;
const std::string kInstance = "inst";
constexpr char kCrashChildDirEnv[] = "OTSYNC_STREAM_CRASH_CHILD_DIR";
constexpr int kAckFd = 3;

PrimaryKey Key(int64_t id) { return {{"id", Value::Integer(id)}}; }

RowWrite MakeWrite(WriteType type, int64_t id, std::vector<Cell> cells = {},
                   RowExistence existence = RowExistence::kIgnore) {
  RowWrite write;
  write.type = type;
  write.row.primary_key = Key(id);
  write.row.cells = std::move(cells);
  write.row.delete_marker = type == WriteType::kDelete;
  write.condition.row_existence = existence;
  return write;
}

Cell Put(std::string name, int64_t value, std::optional<int64_t> timestamp = std::nullopt) {
  return Cell{std::move(name), Value::Integer(value), timestamp, CellOperation::kPut};
}

TableDescription IntTable(const std::string& name, bool stream) {
  TableDescription table;
  table.name = name;
  table.primary_key = {{"id", PrimaryKeyType::kInteger, false}};
  table.options.max_versions = 3;
  table.options.time_to_live_seconds = -1;
  if (stream) table.stream = wire::StreamSettings{true, 24, "", 0};
  return table;
}

struct DecodedRecord {
  wire::StreamAction action;
  wire::Row row;
};

Result<std::unique_ptr<Store>> OpenStore(const std::string& path, std::shared_ptr<Clock> clock) {
  StoreOptions options;
  options.path = path;
  options.clock = std::move(clock);
  options.trim_interval = std::chrono::milliseconds(0);
  return Store::Open(options);
}

// Every record of `iterator`'s shard from there on; `closed` tells whether the shard ended.
std::vector<DecodedRecord> ReadShard(Store* store, std::string iterator, bool* closed = nullptr) {
  std::vector<DecodedRecord> records;
  for (;;) {
    Result<StreamRecordBatch> batch = store->GetStreamRecord(kInstance, iterator, 7);
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    for (const StreamRecord& record : batch->records) {
      Result<wire::Row> row = wire::DecodeRow(record.record);
      EXPECT_TRUE(row.ok()) << row.status().ToString();
      if (!row.ok()) continue;
      EXPECT_TRUE(row->sequence_info.has_value());
      EXPECT_EQ(row->sequence_info, record.sequence);
      records.push_back({record.action, std::move(row).value()});
    }
    if (!batch->next_shard_iterator.has_value()) {
      if (closed != nullptr) *closed = true;
      break;
    }
    if (batch->records.empty()) {
      EXPECT_EQ(*batch->next_shard_iterator, iterator) << "caught up: the same iterator back";
      if (closed != nullptr) *closed = false;
      break;
    }
    iterator = *batch->next_shard_iterator;
  }
  return records;
}

// Every record of the table's stream, shards in id order (parents before children).
std::vector<DecodedRecord> ReadStream(Store* store, const std::string& table) {
  Result<std::vector<StreamSummary>> streams = store->ListStream(kInstance, table);
  EXPECT_TRUE(streams.ok()) << streams.status().ToString();
  if (!streams.ok() || streams->size() != 1) return {};
  Result<StreamDescription> description =
      store->DescribeStream(kInstance, streams->front().stream_id, "", std::nullopt);
  EXPECT_TRUE(description.ok()) << description.status().ToString();
  if (!description.ok()) return {};
  std::vector<DecodedRecord> records;
  for (const StreamShardInfo& shard : description->shards) {
    Result<std::string> iterator =
        store->GetShardIterator(kInstance, description->stream_id, shard.shard_id, std::nullopt);
    EXPECT_TRUE(iterator.ok()) << iterator.status().ToString();
    if (!iterator.ok()) continue;
    for (DecodedRecord& record : ReadShard(store, *iterator)) records.push_back(std::move(record));
  }
  return records;
}

class StoreStreamTest : public StoreFixture {
 protected:
  // Trimming runs only when a test calls TrimStreams().
  StoreStreamTest() { options_.trim_interval = std::chrono::milliseconds(0); }

  Status Write(const RowWrite& write, const std::string& table = "t") {
    return store_->WriteRow(kInstance, table, write).status();
  }

  std::string StreamId(const std::string& table = "t") {
    Result<TableDescription> description = store_->DescribeTable(kInstance, table);
    EXPECT_TRUE(description.ok());
    return description.ok() ? description->stream.stream_id : "";
  }

  // The ids of every row of table "t", through GetRange pages.
  std::set<int64_t> RowIds() {
    RangeRequest range;
    range.inclusive_start = {{"id", Value::InfMin()}};
    range.exclusive_end = {{"id", Value::InfMax()}};
    range.read.max_versions = 1;
    std::set<int64_t> rows;
    for (;;) {
      Result<RangeResult> page = store_->GetRange(kInstance, "t", range);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (const wire::Row& row : page->rows) rows.insert(row.primary_key[0].value.integer());
      if (!page->next_start_primary_key.has_value()) break;
      range.inclusive_start = *page->next_start_primary_key;
    }
    return rows;
  }

  void ExpectEveryRowWrittenAfterAnEnableRecorded();

  // Table "t"'s stream holds exactly one PutRow record for each of `rows` and none for another
  // row (every write of these tests is a PutRow of a new row).
  void ExpectOneRecordPerRow(const std::set<int64_t>& rows) {
    std::map<int64_t, int> record_counts;
    for (const DecodedRecord& record : ReadStream(store_.get(), "t")) {
      EXPECT_EQ(record.action, wire::StreamAction::kPutRow);
      ++record_counts[record.row.primary_key[0].value.integer()];
    }
    for (int64_t id : rows) EXPECT_EQ(record_counts[id], 1) << "row " << id;
    for (const auto& [id, count] : record_counts) {
      EXPECT_TRUE(rows.count(id)) << "record without its row: " << id;
    }
  }
};

// The soak's finding: the catalog's column family is written at CreateTable and then not again,
// and its unflushed write kept every log file after it alive while rows and records poured in
// (RocksDB's own cap was 2 GiB). With the cap, the families holding the oldest log are flushed
// and the logs stay near it however much is written.
TEST_F(StoreStreamTest, LogFilesStayNearTheirCapWhileARarelyWrittenFamilyHoldsTheOldest) {
  options_.max_total_wal_bytes = 2 << 20;
  Reopen();
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  const std::string value(1000, 'v');
  for (int64_t id = 0; id < 20000; ++id) {  // About 40 MB through the logs: rows and records.
    ASSERT_TRUE(
        Write(MakeWrite(WriteType::kPut, id,
                        {Cell{"v", Value::String(value), std::nullopt, CellOperation::kPut}}))
            .ok());
  }
  uint64_t log_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path())) {
    if (entry.path().extension() == ".log") log_bytes += entry.file_size();
  }
  EXPECT_LT(log_bytes, uint64_t{8} << 20);
  EXPECT_EQ(RowIds().size(), 20000u);
}

TEST_F(StoreStreamTest, EachWriteAppendsExactlyOneRecord) {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  const int64_t ms = kStartMicros / 1000;
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 1, {Put("a", 10, ms - 5)})).ok());
  clock_->AdvanceMicros(1000);
  RowWrite update = MakeWrite(
      WriteType::kUpdate, 1,
      {Put("b", 20, ms - 4), Cell{"a", std::nullopt, ms - 5, CellOperation::kDeleteOneVersion},
       Cell{"c", std::nullopt, std::nullopt, CellOperation::kDeleteAllVersions},
       Cell{"n", Value::Integer(3), std::nullopt, CellOperation::kIncrement}});
  ASSERT_TRUE(Write(update).ok());
  clock_->AdvanceMicros(1000);
  ASSERT_TRUE(Write(MakeWrite(WriteType::kDelete, 1)).ok());
  clock_->AdvanceMicros(1000);
  TableWrites batch{
      "t",
      {MakeWrite(WriteType::kPut, 7, {Put("a", 1, ms)}),
       MakeWrite(WriteType::kPut, 8, {Put("a", 2, ms)}), MakeWrite(WriteType::kDelete, 9)}};
  Result<std::vector<std::vector<RowWriteOutcome>>> outcomes =
      store_->BatchWriteRows(kInstance, {batch});
  ASSERT_TRUE(outcomes.ok());
  for (const RowWriteOutcome& outcome : (*outcomes)[0]) EXPECT_TRUE(outcome.status.ok());

  std::vector<DecodedRecord> records = ReadStream(store_.get(), "t");
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[0].action, wire::StreamAction::kPutRow);
  EXPECT_EQ(records[0].row.primary_key, Key(1));
  EXPECT_EQ(records[0].row.cells, (std::vector<Cell>{Put("a", 10, ms - 5)}));
  EXPECT_EQ(records[0].row.sequence_info->timestamp, kStartMicros);

  EXPECT_EQ(records[1].action, wire::StreamAction::kUpdateRow);
  ASSERT_EQ(records[1].row.cells.size(), 4u);
  EXPECT_EQ(records[1].row.cells[0], Put("b", 20, ms - 4));
  EXPECT_EQ(records[1].row.cells[1],
            (Cell{"a", std::nullopt, ms - 5, CellOperation::kDeleteOneVersion}));
  EXPECT_EQ(records[1].row.cells[2].operation, CellOperation::kDeleteAllVersions);
  // An increment is recorded as a put of its result, stamped by the server.
  EXPECT_EQ(records[1].row.cells[3].name, "n");
  EXPECT_EQ(records[1].row.cells[3].value, Value::Integer(3));
  EXPECT_EQ(records[1].row.cells[3].operation, CellOperation::kPut);
  EXPECT_EQ(records[1].row.cells[3].timestamp, ms + 1);

  EXPECT_EQ(records[2].action, wire::StreamAction::kDeleteRow);
  EXPECT_TRUE(records[2].row.cells.empty());

  EXPECT_EQ(records[3].action, wire::StreamAction::kPutRow);
  EXPECT_EQ(records[3].row.primary_key, Key(7));
  EXPECT_EQ(records[4].row.primary_key, Key(8));
  EXPECT_EQ(records[5].action, wire::StreamAction::kDeleteRow);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(records[3 + i].row.sequence_info->row_index, i);
  // Strictly increasing commit timestamps, even within one batch at one clock reading.
  for (size_t i = 1; i < records.size(); ++i) {
    EXPECT_GT(records[i].row.sequence_info->timestamp, records[i - 1].row.sequence_info->timestamp);
  }
}

TEST_F(StoreStreamTest, FailedWritesAppendNothing) {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  EXPECT_EQ(Write(MakeWrite(WriteType::kPut, 1, {Put("a", 1)}, RowExistence::kExpectExist)).code(),
            StatusCode::kConditionCheckFailed);
  EXPECT_EQ(
      Write(MakeWrite(WriteType::kUpdate, 1, {Put("a", 1)}, RowExistence::kExpectExist)).code(),
      StatusCode::kConditionCheckFailed);
  TableWrites batch{"t",
                    {MakeWrite(WriteType::kPut, 2, {Put("a", 1)}, RowExistence::kExpectExist),
                     MakeWrite(WriteType::kPut, 3, {Put("a", 1)})}};
  Result<std::vector<std::vector<RowWriteOutcome>>> outcomes =
      store_->BatchWriteRows(kInstance, {batch});
  ASSERT_TRUE(outcomes.ok());
  EXPECT_FALSE((*outcomes)[0][0].status.ok());
  EXPECT_TRUE((*outcomes)[0][1].status.ok());
  std::vector<DecodedRecord> records = ReadStream(store_.get(), "t");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].row.primary_key, Key(3));
  EXPECT_EQ(records[0].row.sequence_info->row_index, 1u);
}

// A batch's rows go into RocksDB in key order (rocksdb_store.cc), its records in request order.
// A key written three times in one batch keeps the order of its writes: its last put is the row.
TEST_F(StoreStreamTest, ABatchOutOfKeyOrderKeepsRequestOrderInItsRecordsAndWritesOfOneKey) {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  const std::vector<int64_t> ids = {9, 3, 7, 3, 1, 3, 5};
  TableWrites batch{
      "t",
      {MakeWrite(WriteType::kPut, 9, {Put("a", 90)}), MakeWrite(WriteType::kPut, 3, {Put("a", 1)}),
       MakeWrite(WriteType::kPut, 7, {Put("a", 70)}),
       MakeWrite(WriteType::kUpdate, 3,
                 {Cell{"a", Value::Integer(10), std::nullopt, CellOperation::kIncrement}}),
       MakeWrite(WriteType::kPut, 1, {Put("a", 10)}),
       MakeWrite(WriteType::kPut, 3, {Put("a", 5), Put("b", 6)}),
       MakeWrite(WriteType::kDelete, 5)}};
  Result<std::vector<std::vector<RowWriteOutcome>>> outcomes =
      store_->BatchWriteRows(kInstance, {batch});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  for (const RowWriteOutcome& outcome : (*outcomes)[0]) EXPECT_TRUE(outcome.status.ok());

  std::vector<DecodedRecord> records = ReadStream(store_.get(), "t");
  ASSERT_EQ(records.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(records[i].row.primary_key, Key(ids[i])) << "record " << i;
    EXPECT_EQ(records[i].row.sequence_info->row_index, i);
    if (i > 0) {
      EXPECT_GT(records[i].row.sequence_info->timestamp,
                records[i - 1].row.sequence_info->timestamp);
    }
  }
  EXPECT_EQ(records[3].row.cells[0].value, Value::Integer(11)) << "the increment saw the put";
  ReadOptions latest;
  latest.max_versions = 1;
  Result<RowReadOutcome> three = store_->GetRow(kInstance, "t", Key(3), latest);
  ASSERT_TRUE(three.ok() && three->row.has_value());
  ASSERT_EQ(three->row->cells.size(), 2u);
  EXPECT_EQ(three->row->cells[0].value, Value::Integer(5));
  EXPECT_EQ(three->row->cells[1].value, Value::Integer(6));
  EXPECT_EQ(RowIds(), (std::set<int64_t>{1, 3, 7, 9}));
}

// Blind puts hold their row's lock shared and increments hold it exclusively (row_locks.h): from
// four threads at once, puts of one row in batches with other rows, and increments of it. Read
// in the stream's order, every increment's record is one more than the value before it (no
// increment read a row that a put then replaced before the increment committed), and the row
// as stored is the one its last record leaves.
TEST_F(StoreStreamTest, ConcurrentBlindPutsAndIncrementsOfARowKeepItsRecordsInCommitOrder) {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  constexpr int64_t kSharedRow = 3;
  constexpr int kRounds = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        Status status;
        if (t == 0) {
          status = Write(
              MakeWrite(WriteType::kUpdate, kSharedRow,
                        {Cell{"n", Value::Integer(1), std::nullopt, CellOperation::kIncrement}}));
        } else {
          // The shared row among 64 others: with 1,024 stripes, batches share stripes often.
          TableWrites batch{"t", {}};
          for (int64_t id = 100; id < 164; ++id) {
            batch.rows.push_back(MakeWrite(WriteType::kPut, id + 1000 * t, {Put("n", i)}));
          }
          batch.rows.insert(batch.rows.begin() + (i % 64),
                            MakeWrite(WriteType::kPut, kSharedRow, {Put("n", 1000 * t + i)}));
          Result<std::vector<std::vector<RowWriteOutcome>>> outcomes =
              store_->BatchWriteRows(kInstance, {batch});
          status = outcomes.ok() ? Status::OK() : outcomes.status();
          if (outcomes.ok()) {
            for (const RowWriteOutcome& outcome : (*outcomes)[0]) {
              if (!outcome.status.ok()) status = outcome.status;
            }
          }
        }
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  int64_t value = 0;  // an increment of a missing column starts from 0
  int puts = 0;
  int increments = 0;
  for (const DecodedRecord& record : ReadStream(store_.get(), "t")) {
    if (record.row.primary_key != Key(kSharedRow)) continue;
    ASSERT_EQ(record.row.cells.size(), 1u);
    const int64_t recorded = record.row.cells[0].value->integer();
    if (record.action == wire::StreamAction::kPutRow) {
      ++puts;
    } else {
      ASSERT_EQ(record.action, wire::StreamAction::kUpdateRow);
      ASSERT_EQ(recorded, value + 1) << "increment " << increments << " after " << puts
                                     << " puts read a row replaced before it committed";
      ++increments;
    }
    value = recorded;
  }
  EXPECT_EQ(puts, 3 * kRounds);
  EXPECT_EQ(increments, kRounds);
  ReadOptions latest;
  latest.max_versions = 1;
  Result<RowReadOutcome> stored = store_->GetRow(kInstance, "t", Key(kSharedRow), latest);
  ASSERT_TRUE(stored.ok() && stored->row.has_value());
  EXPECT_EQ(stored->row->cells[0].value, Value::Integer(value));
}

// A stream enabled while writers write its table records every row written after it: a thread's
// writes follow each other, so once one of them has its record, every later one must have its
// own, and every batch begun after the enable returned has them; the two rows of a batch have
// their records or none. With every write synced the calls commit in groups (commit_queue.h):
// a group's leader appends the records of calls that looked before the enable.
void StoreStreamTest::ExpectEveryRowWrittenAfterAnEnableRecorded() {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", false)).ok());
  constexpr int kThreads = 4;
  constexpr int kBatchesAfterEnable = 50;
  std::atomic<int> failures{0};
  std::atomic<int64_t> batches_written{0};
  std::atomic<bool> enabled{false};
  std::vector<int64_t> rows_of_thread(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Blind puts of rows of the thread's own, two a batch, until well after the enable.
      int after_enable = 0;
      for (int64_t id = 0; after_enable < kBatchesAfterEnable; id += 2) {
        if (enabled.load()) ++after_enable;
        TableWrites batch{"t", {}};
        batch.rows.push_back(MakeWrite(WriteType::kPut, t * 1'000'000 + id, {Put("n", id)}));
        batch.rows.push_back(MakeWrite(WriteType::kPut, t * 1'000'000 + id + 1, {Put("n", id)}));
        Result<std::vector<std::vector<RowWriteOutcome>>> outcomes =
            store_->BatchWriteRows(kInstance, {batch});
        if (!outcomes.ok() || !(*outcomes)[0][0].status.ok() || !(*outcomes)[0][1].status.ok()) {
          ++failures;
        }
        rows_of_thread[t] = id + 2;
        ++batches_written;
      }
    });
  }
  while (batches_written.load() < 400) std::this_thread::yield();
  TableUpdate enable;
  enable.stream = wire::StreamSettings{true, 24, "", 0};
  const bool enable_ok = store_->UpdateTable(kInstance, "t", enable).ok();
  enabled = true;
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(enable_ok);
  ASSERT_EQ(failures.load(), 0);

  std::map<int64_t, int> record_counts;
  for (const DecodedRecord& record : ReadStream(store_.get(), "t")) {
    ++record_counts[record.row.primary_key[0].value.integer()];
  }
  int64_t rows = 0;
  for (int t = 0; t < kThreads; ++t) {
    bool recorded_before = false;
    for (int64_t id = 0; id < rows_of_thread[t]; ++id) {
      const int64_t row = t * 1'000'000 + id;
      const int count = record_counts.count(row) ? record_counts[row] : 0;
      EXPECT_LE(count, 1) << "row " << row;
      if (recorded_before) {
        ASSERT_EQ(count, 1) << "row " << row << " came after a recorded write of its thread";
      }
      // The two rows of a batch commit together: both recorded, or neither.
      if (id % 2 == 1) {
        const int first = record_counts.count(row - 1) ? record_counts[row - 1] : 0;
        EXPECT_EQ(count, first) << "rows " << row - 1 << " and " << row;
      }
      recorded_before = recorded_before || count == 1;
    }
    // Its last batches were written after the enable returned.
    EXPECT_TRUE(recorded_before) << "thread " << t;
    rows += rows_of_thread[t];
  }
  EXPECT_EQ(RowIds().size(), static_cast<size_t>(rows));
}

TEST_F(StoreStreamTest, AStreamEnabledWhileWritersRunRecordsEveryRowWrittenAfterIt) {
  ExpectEveryRowWrittenAfterAnEnableRecorded();
}

TEST_F(StoreStreamTest, AStreamEnabledWhileSyncedWritersCommitInGroupsRecordsEveryRowAfterIt) {
  options_.sync_writes = true;
  Reopen();
  ExpectEveryRowWrittenAfterAnEnableRecorded();
}

TEST_F(StoreStreamTest, TablesWithoutStreamHaveNoLog) {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("plain", false)).ok());
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 1, {Put("a", 1)}), "plain").ok());
  EXPECT_TRUE(store_->ListStream(kInstance, "plain")->empty());
  EXPECT_TRUE(store_->ListStream(kInstance, std::nullopt)->empty());
  EXPECT_FALSE(store_->DescribeTable(kInstance, "plain")->stream.enabled);
  EXPECT_EQ(store_->ListStream(kInstance, "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DescribeStream(kInstance, "plain_1", "", std::nullopt).status().code(),
            StatusCode::kNotFound);
}

TEST_F(StoreStreamTest, DisablingDropsTheLogAndEnablingStartsANewStream) {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", false)).ok());
  TableUpdate enable;
  enable.stream = wire::StreamSettings{true, 12, "", 0};
  Result<TableDescription> enabled = store_->UpdateTable(kInstance, "t", enable);
  ASSERT_TRUE(enabled.ok()) << enabled.status().ToString();
  EXPECT_TRUE(enabled->stream.enabled);
  EXPECT_EQ(enabled->stream.expiration_hours, 12);
  EXPECT_EQ(enabled->stream.last_enable_time_micros, kStartMicros);
  const std::string first_id = enabled->stream.stream_id;
  EXPECT_EQ(StreamId(), first_id);
  EXPECT_EQ(store_->ListStream(kInstance, std::nullopt)->at(0).stream_id, first_id);

  // Enabling an enabled stream again changes nothing; another expiration is refused.
  EXPECT_EQ(store_->UpdateTable(kInstance, "t", enable)->stream.stream_id, first_id);
  TableUpdate other_expiration;
  other_expiration.stream = wire::StreamSettings{true, 48, "", 0};
  EXPECT_EQ(store_->UpdateTable(kInstance, "t", other_expiration).status().code(),
            StatusCode::kInvalidArgument);

  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 1, {Put("a", 1)})).ok());
  Result<StreamDescription> described =
      store_->DescribeStream(kInstance, first_id, "", std::nullopt);
  ASSERT_TRUE(described.ok());
  Result<std::string> old_iterator =
      store_->GetShardIterator(kInstance, first_id, described->shards.at(0).shard_id, std::nullopt);
  ASSERT_TRUE(old_iterator.ok());

  TableUpdate disable;
  disable.stream = wire::StreamSettings{};
  Result<TableDescription> disabled = store_->UpdateTable(kInstance, "t", disable);
  ASSERT_TRUE(disabled.ok());
  EXPECT_EQ(disabled->stream, wire::StreamSettings{});
  EXPECT_TRUE(store_->ListStream(kInstance, "t")->empty());
  EXPECT_EQ(store_->DescribeStream(kInstance, first_id, "", std::nullopt).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->GetStreamRecord(kInstance, *old_iterator, std::nullopt).status().code(),
            StatusCode::kTrimmedDataAccess);
  // Writes while disabled leave no trace in the next stream.
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 2, {Put("a", 1)})).ok());

  clock_->AdvanceMicros(1000);
  Result<TableDescription> again = store_->UpdateTable(kInstance, "t", enable);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->stream.stream_id, first_id);
  EXPECT_EQ(again->stream.last_enable_time_micros, kStartMicros + 1000);
  EXPECT_TRUE(ReadStream(store_.get(), "t").empty());
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 3, {Put("a", 1)})).ok());
  std::vector<DecodedRecord> records = ReadStream(store_.get(), "t");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].row.primary_key, Key(3));

  // DeleteTable drops the stream with the table.
  ASSERT_TRUE(store_->DeleteTable(kInstance, "t").ok());
  EXPECT_TRUE(store_->ListStream(kInstance, std::nullopt)->empty());
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  EXPECT_TRUE(ReadStream(store_.get(), "t").empty());
}

TEST_F(StoreStreamTest, ReopenKeepsStreamsRecordsAndIterators) {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  for (int64_t id = 0; id < 5; ++id) {
    ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, id, {Put("a", id)})).ok());
  }
  const std::string stream_id = StreamId();
  const std::string shard_id =
      store_->DescribeStream(kInstance, stream_id, "", std::nullopt)->shards.at(0).shard_id;
  Result<std::string> iterator =
      store_->GetShardIterator(kInstance, stream_id, shard_id, std::nullopt);
  ASSERT_TRUE(iterator.ok());
  std::vector<DecodedRecord> before = ReadShard(store_.get(), *iterator);
  ASSERT_EQ(before.size(), 5u);

  // The clock going back across the reopen must not reorder the shard.
  clock_->SetMicros(kStartMicros - kHourMicros);
  Reopen();
  EXPECT_EQ(StreamId(), stream_id);
  std::vector<DecodedRecord> after = ReadShard(store_.get(), *iterator);
  ASSERT_EQ(after.size(), 5u);
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].row, before[i].row);
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 9, {Put("a", 9)})).ok());
  std::vector<DecodedRecord> all = ReadStream(store_.get(), "t");
  ASSERT_EQ(all.size(), 6u);
  EXPECT_GT(all[5].row.sequence_info->timestamp, all[4].row.sequence_info->timestamp);
}

TEST_F(StoreStreamTest, SplitClosesTheParentAndRoutesWritesToChildren) {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 1, {Put("a", 1)})).ok());
  const std::string stream_id = StreamId();
  const std::string parent =
      store_->DescribeStream(kInstance, stream_id, "", std::nullopt)->shards.at(0).shard_id;
  EXPECT_EQ(
      store_->SplitStreamShard(kInstance, "nope", parent, Value::Integer(100)).status().code(),
      StatusCode::kNotFound);
  EXPECT_FALSE(store_->SplitStreamShard(kInstance, "t", parent, Value::String("x")).ok());
  Result<std::vector<std::string>> children =
      store_->SplitStreamShard(kInstance, "t", parent, Value::Integer(100));
  ASSERT_TRUE(children.ok()) << children.status().ToString();
  ASSERT_EQ(children->size(), 2u);
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 5, {Put("a", 1)})).ok());
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 500, {Put("a", 1)})).ok());

  Result<StreamDescription> described =
      store_->DescribeStream(kInstance, stream_id, "", std::nullopt);
  ASSERT_TRUE(described.ok());
  ASSERT_EQ(described->shards.size(), 3u);
  EXPECT_EQ(described->shards[1].parent_id, parent);
  EXPECT_EQ(described->shards[2].parent_id, parent);
  // Paging: one shard at a time.
  Result<StreamDescription> page = store_->DescribeStream(kInstance, stream_id, "", 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->shards.size(), 1u);
  EXPECT_EQ(page->next_shard_id, described->shards[1].shard_id);

  bool closed = false;
  std::vector<DecodedRecord> parent_records = ReadShard(
      store_.get(), *store_->GetShardIterator(kInstance, stream_id, parent, std::nullopt), &closed);
  EXPECT_TRUE(closed);
  ASSERT_EQ(parent_records.size(), 1u);
  std::vector<DecodedRecord> low = ReadShard(
      store_.get(), *store_->GetShardIterator(kInstance, stream_id, (*children)[0], std::nullopt),
      &closed);
  EXPECT_FALSE(closed);
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].row.primary_key, Key(5));
  std::vector<DecodedRecord> high = ReadShard(
      store_.get(), *store_->GetShardIterator(kInstance, stream_id, (*children)[1], std::nullopt));
  ASSERT_EQ(high.size(), 1u);
  EXPECT_EQ(high[0].row.primary_key, Key(500));
  EXPECT_GT(low[0].row.sequence_info->timestamp, parent_records[0].row.sequence_info->timestamp);

  Result<std::string> merged =
      store_->MergeStreamShards(kInstance, "t", (*children)[0], (*children)[1]);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  Reopen();
  described = store_->DescribeStream(kInstance, stream_id, "", std::nullopt);
  ASSERT_EQ(described->shards.size(), 4u);
  EXPECT_EQ(described->shards[3].shard_id, *merged);
  EXPECT_EQ(described->shards[3].parent_id, (*children)[0]);
  EXPECT_EQ(described->shards[3].parent_sibling_id, (*children)[1]);
}

TEST_F(StoreStreamTest, TrimmingExpiresRecordsByTheStoreClock) {
  TableDescription table = IntTable("t", true);
  table.stream.expiration_hours = 1;
  ASSERT_TRUE(store_->CreateTable(kInstance, table).ok());
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 1, {Put("a", 1)})).ok());
  const std::string stream_id = StreamId();
  const std::string shard_id =
      store_->DescribeStream(kInstance, stream_id, "", std::nullopt)->shards.at(0).shard_id;
  const std::string iterator =
      *store_->GetShardIterator(kInstance, stream_id, shard_id, std::nullopt);
  Result<TrimStats> nothing = store_->TrimStreams();
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(store_->GetStreamRecord(kInstance, iterator, std::nullopt)->records.size(), 1u);

  clock_->AdvanceMicros(kHourMicros + 1000);
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 2, {Put("a", 2)})).ok());
  Result<TrimStats> trimmed = store_->TrimStreams();
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(trimmed->shards_trimmed, 1u);
  Result<StreamRecordBatch> stale = store_->GetStreamRecord(kInstance, iterator, std::nullopt);
  EXPECT_EQ(stale.status().code(), StatusCode::kTrimmedDataAccess);
  EXPECT_EQ(stale.status().message(), kTrimmedDataMessage);
  std::vector<DecodedRecord> left = ReadStream(store_.get(), "t");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].row.primary_key, Key(2));
}

TEST_F(StoreStreamTest, BackgroundThreadTrimsOnItsInterval) {
  options_.trim_interval = std::chrono::milliseconds(10);
  Reopen();
  TableDescription table = IntTable("t", true);
  table.stream.expiration_hours = 1;
  ASSERT_TRUE(store_->CreateTable(kInstance, table).ok());
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 1, {Put("a", 1)})).ok());
  const std::string stream_id = StreamId();
  const std::string shard_id =
      store_->DescribeStream(kInstance, stream_id, "", std::nullopt)->shards.at(0).shard_id;
  const std::string iterator =
      *store_->GetShardIterator(kInstance, stream_id, shard_id, std::nullopt);
  clock_->AdvanceMicros(kHourMicros + 1000);
  StatusCode code = StatusCode::kOk;
  for (int attempt = 0; attempt < 500 && code == StatusCode::kOk; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    code = store_->GetStreamRecord(kInstance, iterator, std::nullopt).status().code();
  }
  EXPECT_EQ(code, StatusCode::kTrimmedDataAccess);
}

// The child of CrashKeepsRowsAndRecordsTogether (re-executed test binary): writes rows with
// distinct keys until killed, acknowledging each committed key on fd kAckFd.
TEST(StoreStreamCrashChild, WriteLoop) {
  const char* dir = std::getenv(kCrashChildDirEnv);
  if (dir == nullptr) GTEST_SKIP() << "runs only as the child of the crash test";
  Result<std::unique_ptr<Store>> store = OpenStore(dir, DefaultClock());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  int64_t next_id = 0;
  for (int round = 0; round < 100000; ++round) {
    std::vector<int64_t> ids;
    if (round % 2 == 0) {
      ids.push_back(next_id++);
      ASSERT_TRUE(
          (*store)
              ->WriteRow(kInstance, "t", MakeWrite(WriteType::kPut, ids[0], {Put("v", ids[0])}))
              .ok());
    } else {
      TableWrites writes{"t", {}};
      for (int i = 0; i < 10; ++i) {
        ids.push_back(next_id++);
        writes.rows.push_back(MakeWrite(WriteType::kPut, ids.back(), {Put("v", ids.back())}));
      }
      Result<std::vector<std::vector<RowWriteOutcome>>> outcomes =
          (*store)->BatchWriteRows(kInstance, {writes});
      ASSERT_TRUE(outcomes.ok());
      for (const RowWriteOutcome& outcome : (*outcomes)[0]) ASSERT_TRUE(outcome.status.ok());
    }
    std::string acks;
    for (int64_t id : ids) acks += std::to_string(id) + "\n";
    ASSERT_EQ(::write(kAckFd, acks.data(), acks.size()), static_cast<ssize_t>(acks.size()));
  }
}

TEST_F(StoreStreamTest, CrashKeepsRowsAndRecordsTogether) {
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  store_.reset();

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The read end may hold kAckFd itself: close it before the write end takes that number.
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], kAckFd);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::string filter = "--gtest_filter=StoreStreamCrashChild.WriteLoop";
  std::string exe = "/proc/self/exe";
  char* argv[] = {exe.data(), filter.data(), nullptr};
  std::vector<std::string> env_strings = {std::string(kCrashChildDirEnv) + "=" + path().string()};
  for (char** entry = environ; *entry != nullptr; ++entry) env_strings.emplace_back(*entry);
  std::vector<char*> env;
  for (std::string& entry : env_strings) env.push_back(entry.data());
  env.push_back(nullptr);
  pid_t child = 0;
  ASSERT_EQ(posix_spawn(&child, exe.c_str(), &actions, nullptr, argv, env.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);

  // Kill the child in the middle of its write loop, then collect every acknowledgement it sent.
  std::set<int64_t> acked;
  std::string pending;
  bool killed = false;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      acked.insert(std::stoll(pending.substr(0, newline)));
      pending.erase(0, newline + 1);
    }
    if (!killed && acked.size() >= 400) {
      ::kill(child, SIGKILL);
      killed = true;
    }
  }
  ::close(pipe_fds[0]);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(killed) << "the child stopped before it was killed";
  ASSERT_TRUE(WIFSIGNALED(wait_status));

  Reopen();
  const std::set<int64_t> rows = RowIds();
  for (int64_t id : acked) EXPECT_TRUE(rows.count(id)) << "acknowledged row " << id << " lost";
  ExpectOneRecordPerRow(rows);
  EXPECT_GE(rows.size(), acked.size());
}

// An fsync of RocksDB's log that fails (the fault point "rocksdb.sync", live in test builds) with
// every write synced, as `otsd --durability=sync` writes: the write is refused with the sync's
// error, reads go on, and after a restart every acknowledged row is there with exactly one record.
// The refused row may be there too (its log record was written before the sync failed, as a
// client whose write failed cannot tell either), but never without its record.
TEST_F(StoreStreamTest, AFailedLogSyncRefusesTheWriteAndARestartLosesNothingAcknowledged) {
  if (!KillPointsCompiledIn()) GTEST_SKIP() << "fault points are compiled only into test builds";
  options_.sync_writes = true;
  Reopen();
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  std::set<int64_t> acked;
  for (int64_t id = 1; id <= 20; ++id) {
    ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, id, {Put("a", id)})).ok());
    acked.insert(id);
  }

  ASSERT_TRUE(ArmFaultPoint("rocksdb.sync", 1).ok());
  const Status refused = Write(MakeWrite(WriteType::kPut, 100, {Put("a", 100)}));
  EXPECT_FALSE(DisarmFaultPoint()) << "the write's log sync did not reach the fault point";
  EXPECT_EQ(refused.code(), StatusCode::kIOError) << refused.ToString();
  EXPECT_NE(refused.message().find("(an injected fault)"), std::string::npos) << refused.ToString();

  // Reads go on, and see what was acknowledged.
  EXPECT_EQ(RowIds(), acked);
  // Once RocksDB has seen a failed sync of its log it refuses every write until it is reopened:
  // whether the log holds the refused write cannot be known, and a later write must not be
  // acknowledged on top of it.
  const Status later = Write(MakeWrite(WriteType::kPut, 101, {Put("a", 101)}));
  EXPECT_FALSE(later.ok()) << "a write after a failed log sync was acknowledged";
  EXPECT_EQ(RowIds(), acked);

  Reopen();
  std::set<int64_t> rows = RowIds();
  for (int64_t id : acked) EXPECT_TRUE(rows.count(id)) << "acknowledged row " << id << " lost";
  rows.erase(100);  // Refused, so either way.
  EXPECT_EQ(rows, acked);
  ExpectOneRecordPerRow(RowIds());
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, 102, {Put("a", 102)})).ok())
      << "writes resume after the restart";
  EXPECT_TRUE(RowIds().count(102));
}

// The machine's disk as RocksDB's files meet it, until it is filled on command: from then on every
// allocation fails, and so does every append to a table file (.sst), as on a disk another process
// filled; its free space reads 0. An append to a log within the blocks already allocated to it
// still succeeds, as it would. Armed with FillWhenATableFileOpens, it fills the moment RocksDB
// creates its next table file: in the middle of a flush.
class FillingDisk final : public rocksdb::FileSystemWrapper {
 public:
  FillingDisk() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FillingDisk"; }

  void FillWhenATableFileOpens() { fill_at_table_file_.store(true); }
  bool full() const { return full_.load(); }
  void Free() { full_.store(false); }

  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    const bool table_file = path.size() > 4 && path.compare(path.size() - 4, 4, ".sst") == 0;
    if (table_file && fill_at_table_file_.exchange(false)) full_.store(true);
    rocksdb::IOStatus opened = FileSystemWrapper::NewWritableFile(path, options, file, debug);
    if (opened.ok()) *file = std::make_unique<File>(std::move(*file), this, table_file);
    return opened;
  }
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                 uint64_t* free, rocksdb::IODebugContext* debug) override {
    if (full()) {
      *free = 0;
      return rocksdb::IOStatus::OK();
    }
    return FileSystemWrapper::GetFreeSpace(path, options, free, debug);
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, FillingDisk* disk, bool table_file)
        : FSWritableFileOwnerWrapper(std::move(file)), disk_(disk), table_file_(table_file) {}
    rocksdb::IOStatus Allocate(uint64_t offset, uint64_t length, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override {
      if (disk_->full()) return NoSpace();
      return target()->Allocate(offset, length, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (table_file_ && disk_->full()) return NoSpace();
      return target()->Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& verification,
                             rocksdb::IODebugContext* debug) override {
      if (table_file_ && disk_->full()) return NoSpace();
      return target()->Append(data, options, verification, debug);
    }

   private:
    static rocksdb::IOStatus NoSpace() {
      return rocksdb::IOStatus::NoSpace("No space left on device (a filled disk of a test)");
    }
    FillingDisk* disk_;
    const bool table_file_;
  };

  std::atomic<bool> fill_at_table_file_{false};
  std::atomic<bool> full_{false};
};

// The reserve covers what RocksDB writes between the disk filling and the next refused write; a
// flush under way then may need more. Its failure stops RocksDB's writes (a background error):
// otsd refuses writes as for a full disk, serves reads, and writes again once space returns,
// without a restart; nothing acknowledged is lost, nothing refused appears.
TEST_F(StoreStreamTest, AFlushThatOutgrowsTheReserveStopsWritesUntilSpaceReturns) {
  auto disk = std::make_shared<FillingDisk>();
  options_.file_system = disk;
  options_.reserved_bytes = 1 << 20;
  options_.max_total_wal_bytes = 1 << 20;  // A flush after about 1 MiB of writes.
  Reopen();
  ASSERT_TRUE(store_->CreateTable(kInstance, IntTable("t", true)).ok());
  const std::string value(4000, 'v');
  auto put = [&](int64_t id) {
    return Write(MakeWrite(WriteType::kPut, id,
                           {Cell{"v", Value::String(value), std::nullopt, CellOperation::kPut}}));
  };
  std::set<int64_t> acked;
  std::set<int64_t> refused;
  int64_t next = 0;
  for (; next < 50; ++next) {
    ASSERT_TRUE(put(next).ok());
    acked.insert(next);
  }

  disk->FillWhenATableFileOpens();
  Status first_refusal;
  for (; next < 5000 && first_refusal.ok(); ++next) {
    Status status = put(next);
    (status.ok() ? acked : refused).insert(next);
    first_refusal = status;
  }
  ASSERT_TRUE(disk->full()) << "no flush began in 5,000 writes";
  ASSERT_FALSE(first_refusal.ok()) << "writes went on after a failed flush";
  EXPECT_EQ(first_refusal.code(), StatusCode::kUnavailable) << first_refusal.ToString();
  EXPECT_NE(first_refusal.message().find("disk is full"), std::string::npos)
      << first_refusal.ToString();
  // Writes stay refused while the disk is full; reads go on.
  for (int i = 0; i < 3; ++i, ++next) {
    EXPECT_EQ(put(next).code(), StatusCode::kUnavailable);
    refused.insert(next);
  }
  EXPECT_EQ(RowIds(), acked);

  disk->Free();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Status resumed = put(next);
  while (!resumed.ok() && std::chrono::steady_clock::now() < deadline) {
    EXPECT_EQ(resumed.code(), StatusCode::kUnavailable) << resumed.ToString();
    refused.insert(next++);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    resumed = put(next);
  }
  ASSERT_TRUE(resumed.ok()) << "writes did not resume within 30 s of space returning: "
                            << resumed.ToString();
  acked.insert(next++);
  for (int i = 0; i < 300; ++i, ++next) {  // Through further flushes.
    ASSERT_TRUE(put(next).ok());
    acked.insert(next);
  }
  EXPECT_EQ(RowIds(), acked);

  Reopen();
  EXPECT_EQ(RowIds(), acked);
  ExpectOneRecordPerRow(acked);
}

}  // namespace
}  // namespace otsync::store
