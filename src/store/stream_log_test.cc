#include "store/stream_log.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/stream_keys.h"
#include "testing/temporary_directory.h"
#include "wire/plain_buffer.h"

namespace otsync::store {
namespace {

using wire::Cell;
using wire::CellOperation;
using wire::Row;
using wire::Value;

constexpr int64_t kStart = int64_t{1'700'000'000} * 1'000'000;
constexpr int64_t kHour = int64_t{3600} * 1'000'000;
const TableRef kTable{"inst", "orders"};

Row PutRow(int64_t id, int64_t amount) {
  Row row;
  row.primary_key = {{"id", Value::Integer(id)}};
  row.cells = {Cell{"amount", Value::Integer(amount), 1000, CellOperation::kPut}};
  return row;
}

// A raw RocksDB with the stream log's column families and a manual clock: the store's role,
// including committing each batch.
class StreamLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void TearDown() override { Close(); }

  void Close() {
    log_.reset();
    for (rocksdb::ColumnFamilyHandle* handle : handles_) delete handle;
    handles_.clear();
    db_.reset();
  }

  void Reopen() {
    Close();
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families{
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
    for (const std::string& name : StreamLog::ColumnFamilyNames()) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    rocksdb::Status status = rocksdb::DB::Open(options, dir_, families, &handles_, &db);
    ASSERT_TRUE(status.ok()) << status.ToString();
    db_.reset(db);
    Result<std::unique_ptr<StreamLog>> log = StreamLog::Open(
        {db_.get(), handles_[1], handles_[2], clock_, false, enabling_period_micros_});
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }

  wire::StreamSettings Enable(StreamEnableOptions options = {}) {
    options.first_key_type = wire::PrimaryKeyType::kInteger;
    Result<wire::StreamSettings> settings = log_->EnableStream(kTable, options);
    EXPECT_TRUE(settings.ok()) << settings.status().ToString();
    return settings.ok() ? *settings : wire::StreamSettings{};
  }

  // Appends and commits one record per row, as the store's write path does.
  std::vector<wire::SequenceInfo> Write(const std::vector<Row>& rows,
                                        wire::StreamAction action = wire::StreamAction::kPutRow) {
    StreamWriteGuard guard = log_->LockForWrites({kTable});
    rocksdb::WriteBatch batch;
    std::vector<wire::SequenceInfo> sequences;
    for (size_t i = 0; i < rows.size(); ++i) {
      wire::SequenceInfo sequence;
      Status status =
          log_->Append(&guard, kTable, action, rows[i], static_cast<uint32_t>(i), &sequence);
      EXPECT_TRUE(status.ok()) << status.ToString();
      sequences.push_back(sequence);
    }
    EXPECT_TRUE(log_->PutAppendedRecords(&guard, &batch).ok());
    EXPECT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
    return sequences;
  }

  std::vector<StreamShardInfo> Shards(const std::string& stream_id) {
    Result<StreamDescription> description =
        log_->DescribeStream("inst", stream_id, "", std::nullopt);
    EXPECT_TRUE(description.ok()) << description.status().ToString();
    return description.ok() ? description->shards : std::vector<StreamShardInfo>{};
  }

  std::string Iterator(const std::string& stream_id, const std::string& shard_id,
                       std::optional<int64_t> timestamp = std::nullopt) {
    Result<std::string> iterator = log_->GetShardIterator("inst", stream_id, shard_id, timestamp);
    EXPECT_TRUE(iterator.ok()) << iterator.status().ToString();
    return iterator.ok() ? *iterator : "";
  }

  // Reads a shard from `iterator` until caught up or closed; returns every record.
  std::vector<StreamRecord> ReadAll(std::string iterator, bool* reached_end = nullptr) {
    std::vector<StreamRecord> records;
    while (true) {
      Result<StreamRecordBatch> batch = log_->GetStreamRecords("inst", iterator, 7);
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok()) break;
      for (StreamRecord& record : batch->records) records.push_back(std::move(record));
      if (!batch->next_shard_iterator.has_value()) {
        if (reached_end != nullptr) *reached_end = true;
        break;
      }
      if (batch->records.empty()) {
        EXPECT_EQ(*batch->next_shard_iterator, iterator);
        if (reached_end != nullptr) *reached_end = false;
        break;
      }
      iterator = *batch->next_shard_iterator;
    }
    return records;
  }

  static int64_t Id(const StreamRecord& record) {
    Result<Row> row = wire::DecodeRow(record.record);
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    return row.ok() ? row->primary_key.at(0).value.integer() : -1;
  }

  // Entries of the records column family: one a shard per committed batch.
  size_t CountRecordEntries() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[2]));
    size_t count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
    return count;
  }

  otsync::testing::TemporaryDirectory directory_{"stream_log_test"};
  std::string dir_ = directory_.path().string();
  int64_t enabling_period_micros_ = 0;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<StreamLog> log_;
};

TEST_F(StreamLogTest, LifecycleValidatesAndStartsNewStreams) {
  StreamEnableOptions bad;
  bad.expiration_hours = 0;
  EXPECT_EQ(log_->EnableStream(kTable, bad).status().code(), StatusCode::kInvalidArgument);
  bad.expiration_hours = 169;
  EXPECT_EQ(log_->EnableStream(kTable, bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(log_->Settings(kTable).enabled);
  EXPECT_TRUE(log_->ListStreams("inst", std::nullopt).empty());

  wire::StreamSettings first = Enable();
  EXPECT_TRUE(first.enabled);
  EXPECT_EQ(first.expiration_hours, 24);
  EXPECT_EQ(first.stream_id, "orders_" + std::to_string(kStart));
  EXPECT_EQ(first.last_enable_time_micros, kStart);
  EXPECT_EQ(log_->Settings(kTable), first);
  EXPECT_EQ(log_->EnableStream(kTable, {}).status().code(), StatusCode::kInvalidArgument);

  std::vector<StreamSummary> streams = log_->ListStreams("inst", "orders");
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].stream_id, first.stream_id);
  EXPECT_TRUE(log_->ListStreams("inst", "other").empty());
  EXPECT_TRUE(log_->ListStreams("other-inst", std::nullopt).empty());

  Result<StreamDescription> description =
      log_->DescribeStream("inst", first.stream_id, "", std::nullopt);
  ASSERT_TRUE(description.ok());
  EXPECT_EQ(description->status, wire::StreamStatus::kActive);
  EXPECT_EQ(description->table_name, "orders");
  ASSERT_EQ(description->shards.size(), 1u);  // A fresh table has one shard.
  EXPECT_EQ(log_->DescribeStream("other-inst", first.stream_id, "", std::nullopt).status().code(),
            StatusCode::kNotFound);

  Write({PutRow(1, 1)});
  std::string iterator = Iterator(first.stream_id, description->shards[0].shard_id);
  ASSERT_TRUE(log_->DisableStream(kTable).ok());
  EXPECT_FALSE(log_->Settings(kTable).enabled);
  EXPECT_EQ(CountRecordEntries(), 0u);
  Result<StreamRecordBatch> dropped = log_->GetStreamRecords("inst", iterator, std::nullopt);
  EXPECT_EQ(dropped.status().code(), StatusCode::kTrimmedDataAccess);
  Write({PutRow(2, 2)});  // No stream: appends nothing.
  EXPECT_EQ(CountRecordEntries(), 0u);

  // Re-enabling in the same microsecond still yields a new id.
  wire::StreamSettings second = Enable();
  EXPECT_NE(second.stream_id, first.stream_id);
  EXPECT_EQ(log_->DescribeStream("inst", first.stream_id, "", std::nullopt).status().code(),
            StatusCode::kNotFound);
}

// The service reports a new stream as ENABLING for a moment (the Go SDK's test polls until
// ACTIVE); with an enabling period, otsd does the same by its clock. Records are kept from the
// start.
TEST_F(StreamLogTest, ANewStreamIsEnablingForItsPeriodThenActive) {
  enabling_period_micros_ = 2'000'000;
  Reopen();
  const wire::StreamSettings settings = Enable();
  auto status = [&] {
    Result<StreamDescription> description =
        log_->DescribeStream("inst", settings.stream_id, "", std::nullopt);
    EXPECT_TRUE(description.ok()) << description.status().ToString();
    return description.ok() ? description->status : wire::StreamStatus::kActive;
  };
  EXPECT_EQ(status(), wire::StreamStatus::kEnabling);
  Write({PutRow(1, 10)});
  clock_->AdvanceMicros(1'999'999);
  EXPECT_EQ(status(), wire::StreamStatus::kEnabling);
  clock_->AdvanceMicros(1);
  EXPECT_EQ(status(), wire::StreamStatus::kActive);
  Reopen();
  EXPECT_EQ(status(), wire::StreamStatus::kActive);
  const std::vector<StreamShardInfo> shards = Shards(settings.stream_id);
  ASSERT_EQ(shards.size(), 1u);
  const std::vector<StreamRecord> records =
      ReadAll(Iterator(settings.stream_id, shards[0].shard_id));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(Id(records[0]), 1);
}

TEST_F(StreamLogTest, AppendsReadBackInCommitOrderAsPlainBuffer) {
  wire::StreamSettings settings = Enable();
  std::string shard = Shards(settings.stream_id).at(0).shard_id;
  std::string start = Iterator(settings.stream_id, shard);

  Write({PutRow(3, 30), PutRow(1, 10)});
  clock_->AdvanceMicros(5);
  Row update;
  update.primary_key = {{"id", Value::Integer(3)}};
  update.cells = {Cell{"a", Value::String("x"), 2000, CellOperation::kPut},
                  Cell{"b", std::nullopt, 1500, CellOperation::kDeleteOneVersion},
                  Cell{"c", std::nullopt, std::nullopt, CellOperation::kDeleteAllVersions}};
  Write({update}, wire::StreamAction::kUpdateRow);
  Row deletion = PutRow(1, 0);  // Cells of a delete are ignored.
  deletion.delete_marker = true;
  Write({deletion}, wire::StreamAction::kDeleteRow);

  Result<StreamRecordBatch> batch = log_->GetStreamRecords("inst", start, std::nullopt);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->records.size(), 4u);
  EXPECT_FALSE(batch->may_more_record);
  const std::vector<wire::StreamAction> actions{
      wire::StreamAction::kPutRow, wire::StreamAction::kPutRow, wire::StreamAction::kUpdateRow,
      wire::StreamAction::kDeleteRow};
  const std::vector<int64_t> ids{3, 1, 3, 1};
  for (size_t i = 0; i < 4; ++i) {
    const StreamRecord& record = batch->records[i];
    EXPECT_EQ(record.action, actions[i]);
    Result<Row> row = wire::DecodeRow(record.record);
    ASSERT_TRUE(row.ok()) << row.status().ToString();
    ASSERT_TRUE(row->sequence_info.has_value());
    EXPECT_EQ(*row->sequence_info, record.sequence);
    EXPECT_EQ(row->primary_key.at(0).value.integer(), ids[i]);
    if (i > 0) {
      EXPECT_GT(record.sequence.timestamp, batch->records[i - 1].sequence.timestamp);
    }
  }
  EXPECT_EQ(batch->records[0].sequence.timestamp, kStart);
  EXPECT_EQ(batch->records[1].sequence.timestamp, kStart + 1);  // The clock stalled.
  EXPECT_EQ(batch->records[1].sequence.row_index, 1u);
  Row decoded_update = *wire::DecodeRow(batch->records[2].record);
  ASSERT_EQ(decoded_update.cells.size(), 3u);
  EXPECT_EQ(decoded_update.cells[0].operation, CellOperation::kPut);
  EXPECT_EQ(decoded_update.cells[1].operation, CellOperation::kDeleteOneVersion);
  EXPECT_EQ(decoded_update.cells[1].timestamp, 1500);
  EXPECT_EQ(decoded_update.cells[2].operation, CellOperation::kDeleteAllVersions);
  EXPECT_TRUE(wire::DecodeRow(batch->records[3].record)->cells.empty());

  // Caught up on an open shard: no records, the very same iterator back.
  ASSERT_TRUE(batch->next_shard_iterator.has_value());
  std::string caught_up = *batch->next_shard_iterator;
  Result<StreamRecordBatch> empty = log_->GetStreamRecords("inst", caught_up, std::nullopt);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->records.empty());
  EXPECT_FALSE(empty->may_more_record);
  EXPECT_EQ(empty->next_shard_iterator, caught_up);
  // The checkpointed iterator picks up later writes.
  Write({PutRow(9, 9)});
  std::vector<StreamRecord> later = ReadAll(caught_up);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(Id(later[0]), 9);
}

TEST_F(StreamLogTest, RejectsMalformedChangesWithoutTouchingTheBatch) {
  Enable();
  StreamWriteGuard guard = log_->LockForWrites({kTable});
  rocksdb::WriteBatch batch;
  Row increment = PutRow(1, 1);
  increment.cells[0].operation = CellOperation::kIncrement;
  EXPECT_EQ(log_->Append(&guard, kTable, wire::StreamAction::kUpdateRow, increment, 0).code(),
            StatusCode::kInvalidArgument);
  Row no_timestamp = PutRow(1, 1);
  no_timestamp.cells[0].timestamp.reset();
  EXPECT_FALSE(log_->Append(&guard, kTable, wire::StreamAction::kPutRow, no_timestamp, 0).ok());
  Row string_key;
  string_key.primary_key = {{"id", Value::String("1")}};
  EXPECT_FALSE(log_->Append(&guard, kTable, wire::StreamAction::kDeleteRow, string_key, 0).ok());
  ASSERT_TRUE(log_->PutAppendedRecords(&guard, &batch).ok());
  EXPECT_EQ(batch.Count(), 0u);
  StreamWriteGuard other = log_->LockForWrites({TableRef{"inst", "other"}});
  EXPECT_EQ(log_->Append(&other, kTable, wire::StreamAction::kPutRow, PutRow(1, 1), 0).code(),
            StatusCode::kInternal);
}

TEST_F(StreamLogTest, AppendsNothingForATableWithoutAStream) {
  StreamWriteGuard guard = log_->LockForWrites({kTable});
  rocksdb::WriteBatch batch;
  wire::SequenceInfo assigned{0, -1, 0};
  EXPECT_TRUE(
      log_->Append(&guard, kTable, wire::StreamAction::kPutRow, PutRow(1, 1), 0, &assigned).ok());
  ASSERT_TRUE(log_->PutAppendedRecords(&guard, &batch).ok());
  EXPECT_EQ(batch.Count(), 0u);
  EXPECT_EQ(assigned.timestamp, -1);
}

TEST_F(StreamLogTest, EachGuardSeesTheStreamAsItIsWhenTaken) {
  Enable();
  {
    StreamWriteGuard guard = log_->LockForWrites({kTable});
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(log_->Append(&guard, kTable, wire::StreamAction::kPutRow, PutRow(1, 1), 0).ok());
    ASSERT_TRUE(log_->PutAppendedRecords(&guard, &batch).ok());
    EXPECT_EQ(batch.Count(), 1u);
  }
  ASSERT_TRUE(log_->DisableStream(kTable).ok());
  StreamWriteGuard guard = log_->LockForWrites({kTable});
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(log_->Append(&guard, kTable, wire::StreamAction::kPutRow, PutRow(1, 1), 0).ok());
  ASSERT_TRUE(log_->PutAppendedRecords(&guard, &batch).ok());
  EXPECT_EQ(batch.Count(), 0u);
}

TEST_F(StreamLogTest, UncommittedAppendsStayInvisible) {
  wire::StreamSettings settings = Enable();
  std::string start = Iterator(settings.stream_id, Shards(settings.stream_id).at(0).shard_id);
  wire::SequenceInfo dropped;
  {
    StreamWriteGuard guard = log_->LockForWrites({kTable});
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(
        log_->Append(&guard, kTable, wire::StreamAction::kPutRow, PutRow(1, 1), 0, &dropped).ok());
    ASSERT_TRUE(log_->PutAppendedRecords(&guard, &batch).ok());
    // The batch is never committed (a failed condition elsewhere in it, say).
  }
  EXPECT_TRUE(ReadAll(start).empty());
  std::vector<wire::SequenceInfo> committed = Write({PutRow(2, 2)});
  EXPECT_GT(committed[0].timestamp, dropped.timestamp);
  std::vector<StreamRecord> records = ReadAll(start);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(Id(records[0]), 2);
}

TEST_F(StreamLogTest, IteratorsAreCheckedAndSurviveReopen) {
  wire::StreamSettings settings = Enable();
  std::string shard = Shards(settings.stream_id).at(0).shard_id;
  std::string start = Iterator(settings.stream_id, shard);
  Write({PutRow(1, 1), PutRow(2, 2)});

  auto code = [&](const std::string& iterator, const std::string& instance = "inst") {
    return log_->GetStreamRecords(instance, iterator, std::nullopt).status().code();
  };
  // What otsd did not issue (for this instance) names no data: answered as a trimmed position.
  EXPECT_EQ(code(""), StatusCode::kTrimmedDataAccess);
  EXPECT_EQ(code("garbage"), StatusCode::kTrimmedDataAccess);
  std::string damaged = start;
  damaged[damaged.size() / 2] = damaged[damaged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(code(damaged), StatusCode::kTrimmedDataAccess);
  EXPECT_EQ(code(start, "other-inst"), StatusCode::kTrimmedDataAccess);
  EXPECT_EQ(log_->GetStreamRecords("inst", start, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->GetShardIterator("inst", "nope", shard, std::nullopt).status().code(),
            StatusCode::kNotFound);
  Result<std::string> unknown_shard =
      log_->GetShardIterator("inst", settings.stream_id, "nope", std::nullopt);
  EXPECT_EQ(unknown_shard.status().code(), StatusCode::kTrimmedDataAccess);
  EXPECT_EQ(unknown_shard.status().message(), kTrimmedDataMessage);

  Result<StreamRecordBatch> first = log_->GetStreamRecords("inst", start, 1);
  ASSERT_TRUE(first.ok());
  std::string checkpoint = *first->next_shard_iterator;
  Reopen();  // The HMAC key, streams and shards are persisted.
  EXPECT_EQ(Iterator(settings.stream_id, shard), start);
  std::vector<StreamRecord> rest = ReadAll(checkpoint);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(Id(rest[0]), 2);
}

TEST_F(StreamLogTest, SeeksByTimestamp) {
  wire::StreamSettings settings = Enable();
  std::string shard = Shards(settings.stream_id).at(0).shard_id;
  for (int64_t id = 0; id < 5; ++id) {
    Write({PutRow(id, id)});
    clock_->AdvanceMicros(1000);
  }
  std::vector<StreamRecord> from_third =
      ReadAll(Iterator(settings.stream_id, shard, kStart + 2000));
  ASSERT_EQ(from_third.size(), 3u);
  EXPECT_EQ(Id(from_third[0]), 2);
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, shard, kStart + 1500)).size(), 3u);
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, shard, 0)).size(), 5u);
  EXPECT_TRUE(ReadAll(Iterator(settings.stream_id, shard, kStart + kHour)).empty());
}

TEST_F(StreamLogTest, LimitPagesAndReportsMayMoreRecord) {
  wire::StreamSettings settings = Enable();
  std::string iterator = Iterator(settings.stream_id, Shards(settings.stream_id).at(0).shard_id);
  std::vector<Row> rows;
  for (int64_t id = 0; id < 10; ++id) rows.push_back(PutRow(id, id));
  Write(rows);
  // As the Java live test expects: limit 1 over 10 records gives true ten times, then false.
  for (int64_t id = 0; id < 10; ++id) {
    Result<StreamRecordBatch> batch = log_->GetStreamRecords("inst", iterator, 1);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->records.size(), 1u);
    EXPECT_EQ(Id(batch->records[0]), id);
    EXPECT_TRUE(batch->may_more_record);
    iterator = *batch->next_shard_iterator;
  }
  Result<StreamRecordBatch> end = log_->GetStreamRecords("inst", iterator, 1);
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->records.empty());
  EXPECT_FALSE(end->may_more_record);

  rows.clear();
  for (int64_t id = 0; id < kMaxStreamRecordLimit + 50; ++id) rows.push_back(PutRow(id, id));
  Write(rows);
  Result<StreamRecordBatch> capped = log_->GetStreamRecords("inst", iterator, 5000);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->records.size(), static_cast<size_t>(kMaxStreamRecordLimit));
  EXPECT_TRUE(capped->may_more_record);
  Result<StreamRecordBatch> by_default = log_->GetStreamRecords("inst", iterator, std::nullopt);
  ASSERT_TRUE(by_default.ok());
  EXPECT_EQ(by_default->records.size(), static_cast<size_t>(kDefaultStreamRecordLimit));
}

TEST_F(StreamLogTest, SplitAndMergeKeepLineageRoutingAndOrder) {
  wire::StreamSettings settings = Enable();
  std::string root = Shards(settings.stream_id).at(0).shard_id;
  std::string root_iterator = Iterator(settings.stream_id, root);
  Write({PutRow(1, 1), PutRow(8, 8)});

  EXPECT_EQ(log_->SplitShard(kTable, root, Value::String("x")).status().code(),
            StatusCode::kInvalidArgument);
  clock_->AdvanceMicros(-kHour);  // The clock goes back: children still stamp after the parent.
  Result<std::vector<std::string>> children = log_->SplitShard(kTable, root, Value::Integer(5));
  ASSERT_TRUE(children.ok()) << children.status().ToString();
  const std::string low = children->at(0);
  const std::string high = children->at(1);
  EXPECT_EQ(log_->SplitShard(kTable, root, Value::Integer(3)).status().code(),
            StatusCode::kInvalidArgument);  // Closed.
  EXPECT_EQ(log_->SplitShard(kTable, low, Value::Integer(7)).status().code(),
            StatusCode::kInvalidArgument);  // Outside the shard.

  std::vector<wire::SequenceInfo> after_split = Write({PutRow(2, 2), PutRow(7, 7)});
  std::vector<StreamShardInfo> shards = Shards(settings.stream_id);
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(shards[0].shard_id, root);
  EXPECT_FALSE(shards[0].open);
  EXPECT_EQ(shards[1].parent_id, root);
  EXPECT_EQ(shards[2].parent_id, root);
  EXPECT_EQ(shards[1].exclusive_end, Value::Integer(5));
  EXPECT_EQ(shards[2].inclusive_start, Value::Integer(5));

  // The closed parent ends: its records, then no next iterator.
  bool reached_end = false;
  std::vector<StreamRecord> parent_records = ReadAll(root_iterator, &reached_end);
  EXPECT_TRUE(reached_end);
  ASSERT_EQ(parent_records.size(), 2u);
  EXPECT_GT(after_split[0].timestamp, parent_records.back().sequence.timestamp);
  std::vector<StreamRecord> low_records = ReadAll(Iterator(settings.stream_id, low), &reached_end);
  EXPECT_FALSE(reached_end);
  ASSERT_EQ(low_records.size(), 1u);
  EXPECT_EQ(Id(low_records[0]), 2);
  std::vector<StreamRecord> high_records = ReadAll(Iterator(settings.stream_id, high));
  ASSERT_EQ(high_records.size(), 1u);
  EXPECT_EQ(Id(high_records[0]), 7);

  EXPECT_EQ(log_->MergeShards(kTable, low, low).status().code(), StatusCode::kInvalidArgument);
  Result<std::string> merged = log_->MergeShards(kTable, high, low);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  Write({PutRow(4, 4), PutRow(6, 6)});
  shards = Shards(settings.stream_id);
  ASSERT_EQ(shards.size(), 4u);
  EXPECT_EQ(shards[3].shard_id, *merged);
  EXPECT_EQ(shards[3].parent_id, low);
  EXPECT_EQ(shards[3].parent_sibling_id, high);
  EXPECT_EQ(shards[3].inclusive_start, Value::InfMin());
  EXPECT_EQ(shards[3].exclusive_end, Value::InfMax());
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, low), &reached_end).size(), 1u);
  EXPECT_TRUE(reached_end);
  std::vector<StreamRecord> merged_records = ReadAll(Iterator(settings.stream_id, *merged));
  ASSERT_EQ(merged_records.size(), 2u);
  EXPECT_EQ(Id(merged_records[0]), 4);
  EXPECT_EQ(Id(merged_records[1]), 6);

  // Paging through the shard list.
  Result<StreamDescription> page = log_->DescribeStream("inst", settings.stream_id, "", 3);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->shards.size(), 3u);
  EXPECT_EQ(page->next_shard_id, *merged);
  page = log_->DescribeStream("inst", settings.stream_id, page->next_shard_id, 3);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->shards.size(), 1u);
  EXPECT_TRUE(page->next_shard_id.empty());

  Reopen();  // Lineage and routing survive.
  EXPECT_EQ(Shards(settings.stream_id).size(), 4u);
  Write({PutRow(100, 100)});
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, *merged)).size(), 3u);
}

TEST_F(StreamLogTest, InitialPartitionsRouteByFirstKeyColumn) {
  StreamEnableOptions options;
  options.split_points = {Value::Integer(0), Value::Integer(100)};
  wire::StreamSettings settings = Enable(options);
  std::vector<StreamShardInfo> shards = Shards(settings.stream_id);
  ASSERT_EQ(shards.size(), 3u);
  Write({PutRow(-5, 0), PutRow(0, 0), PutRow(99, 0), PutRow(100, 0), PutRow(1000, 0)});
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, shards[0].shard_id)).size(), 1u);
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, shards[1].shard_id)).size(), 2u);
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, shards[2].shard_id)).size(), 2u);

  StreamEnableOptions counted;
  counted.partition_count = 4;
  counted.first_key_type = wire::PrimaryKeyType::kString;
  Result<wire::StreamSettings> strings = log_->EnableStream({"inst", "names"}, counted);
  ASSERT_TRUE(strings.ok());
  EXPECT_EQ(Shards(strings->stream_id).size(), 4u);
  counted.partition_count = kMaxStreamPartitions + 1;
  EXPECT_EQ(log_->EnableStream({"inst", "other"}, counted).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(StreamLogTest, TimestampsKeepIncreasingAcrossClockBackAndReopen) {
  wire::StreamSettings settings = Enable();
  std::string start = Iterator(settings.stream_id, Shards(settings.stream_id).at(0).shard_id);
  int64_t last = Write({PutRow(1, 1)})[0].timestamp;
  clock_->AdvanceMicros(-10 * kHour);
  int64_t after_back = Write({PutRow(2, 2)})[0].timestamp;
  EXPECT_EQ(after_back, last + 1);
  Reopen();
  int64_t after_reopen = Write({PutRow(3, 3)})[0].timestamp;
  EXPECT_EQ(after_reopen, after_back + 1);
  std::vector<StreamRecord> records = ReadAll(start);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(Id(records[2]), 3);
}

TEST_F(StreamLogTest, ABatchsRecordsShareAnEntryAndReadFromAnyPosition) {
  wire::StreamSettings settings = Enable();
  const std::string shard = Shards(settings.stream_id).at(0).shard_id;
  const std::string oldest = Iterator(settings.stream_id, shard);
  int64_t id = 0;
  for (int count : {25, 1, 40}) {  // A block, a record alone, a block.
    std::vector<Row> rows;
    for (int i = 0; i < count; ++i, ++id) rows.push_back(PutRow(id, id));
    Write(rows);
    clock_->AdvanceMicros(1000);
  }
  EXPECT_EQ(CountRecordEntries(), 3u);
  const std::vector<StreamRecord> all = ReadAll(oldest);
  ASSERT_EQ(all.size(), 66u);
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(Id(all[i]), static_cast<int64_t>(i));
    if (i > 0) {
      ASSERT_LT(all[i - 1].sequence.timestamp, all[i].sequence.timestamp);
    }
  }
  // From each record's own timestamp, whether it opens its entry or lies inside it.
  for (size_t i = 0; i < all.size(); ++i) {
    std::vector<StreamRecord> from =
        ReadAll(Iterator(settings.stream_id, shard, all[i].sequence.timestamp));
    ASSERT_EQ(from.size(), all.size() - i) << i;
    EXPECT_EQ(Id(from.front()), static_cast<int64_t>(i));
  }
  // Every limit pages through the entries without losing or repeating a record.
  for (int32_t limit = 1; limit <= 30; ++limit) {
    std::string iterator = oldest;
    int64_t next_id = 0;
    while (true) {
      Result<StreamRecordBatch> batch = log_->GetStreamRecords("inst", iterator, limit);
      ASSERT_TRUE(batch.ok()) << batch.status().ToString();
      for (const StreamRecord& record : batch->records) ASSERT_EQ(Id(record), next_id++) << limit;
      if (batch->records.empty()) break;
      EXPECT_EQ(batch->may_more_record,
                next_id < 66 || batch->records.size() == static_cast<size_t>(limit));
      iterator = *batch->next_shard_iterator;
    }
    EXPECT_EQ(next_id, 66) << limit;
  }
}

TEST_F(StreamLogTest, LastTimestampIsRecoveredFromABlock) {
  wire::StreamSettings settings = Enable();
  std::vector<Row> rows;
  for (int64_t id = 0; id < 5; ++id) rows.push_back(PutRow(id, id));
  const int64_t last = Write(rows).back().timestamp;
  clock_->AdvanceMicros(-10 * kHour);
  Reopen();
  EXPECT_EQ(Write({PutRow(5, 5)})[0].timestamp, last + 1);
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, Shards(settings.stream_id).at(0).shard_id)).size(),
            6u);
}

TEST_F(StreamLogTest, TrimKeepsAnEntryUntilAllItsRecordsExpire) {
  StreamEnableOptions options;
  options.expiration_hours = 1;
  wire::StreamSettings settings = Enable(options);
  const std::string shard = Shards(settings.stream_id).at(0).shard_id;
  const std::string oldest = Iterator(settings.stream_id, shard);
  std::vector<Row> rows;
  for (int64_t id = 0; id < 5; ++id) rows.push_back(PutRow(id, id));
  const std::vector<wire::SequenceInfo> first = Write(rows);  // kStart .. kStart + 4 µs.
  clock_->AdvanceMicros(100);
  rows.clear();
  for (int64_t id = 5; id < 25; ++id) rows.push_back(PutRow(id, id));
  const std::vector<wire::SequenceInfo> second = Write(rows);  // kStart + 100 .. + 119 µs.
  ASSERT_EQ(second.back().timestamp, second.front().timestamp + 19);
  const std::string at_second = Iterator(settings.stream_id, shard, second.front().timestamp);

  // The cutoff falls inside the second entry: the first goes, the second stays for its last ten
  // records, and its first ten (expired) are read no more.
  clock_->SetMicros(second.front().timestamp + kHour + 10);
  Result<TrimStats> stats = log_->Trim(clock_->NowMicros());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->shards_trimmed, 1u);
  EXPECT_EQ(CountRecordEntries(), 1u);
  EXPECT_EQ(log_->GetStreamRecords("inst", oldest, std::nullopt).status().code(),
            StatusCode::kTrimmedDataAccess);
  EXPECT_EQ(log_->GetStreamRecords("inst", at_second, std::nullopt).status().code(),
            StatusCode::kTrimmedDataAccess);
  std::vector<StreamRecord> retained = ReadAll(Iterator(settings.stream_id, shard));
  ASSERT_EQ(retained.size(), 10u);
  EXPECT_EQ(Id(retained.front()), 15);
  EXPECT_EQ(retained.front().sequence.timestamp, second[10].timestamp);
  EXPECT_EQ(Id(retained.back()), 24);
  const std::string at_kept = Iterator(settings.stream_id, shard, second[10].timestamp);
  EXPECT_EQ(ReadAll(at_kept).size(), 10u);

  // The same cutoff again: nothing more to do.
  stats = log_->Trim(clock_->NowMicros());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->shards_trimmed, 0u);
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, shard)).size(), 10u);

  // Past its last record: the second entry goes too, and every iterator into it.
  clock_->SetMicros(second.back().timestamp + kHour + 1);
  stats = log_->Trim(clock_->NowMicros());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->shards_trimmed, 1u);
  EXPECT_EQ(CountRecordEntries(), 0u);
  EXPECT_EQ(log_->GetStreamRecords("inst", at_kept, std::nullopt).status().code(),
            StatusCode::kTrimmedDataAccess);
  EXPECT_TRUE(ReadAll(Iterator(settings.stream_id, shard)).empty());
}

TEST_F(StreamLogTest, TrimInsideTheOnlyEntryHidesItsExpiredRecords) {
  StreamEnableOptions options;
  options.expiration_hours = 1;
  wire::StreamSettings settings = Enable(options);
  const std::string shard = Shards(settings.stream_id).at(0).shard_id;
  std::vector<Row> rows;
  for (int64_t id = 0; id < 8; ++id) rows.push_back(PutRow(id, id));
  const std::vector<wire::SequenceInfo> written = Write(rows);
  ASSERT_EQ(CountRecordEntries(), 1u);
  const std::string at_expired = Iterator(settings.stream_id, shard, written[2].timestamp);

  clock_->SetMicros(written[3].timestamp + kHour);
  Result<TrimStats> stats = log_->Trim(clock_->NowMicros());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->shards_trimmed, 1u);
  EXPECT_EQ(CountRecordEntries(), 1u);
  std::vector<StreamRecord> retained = ReadAll(Iterator(settings.stream_id, shard));
  ASSERT_EQ(retained.size(), 5u);
  EXPECT_EQ(Id(retained.front()), 3);
  EXPECT_EQ(log_->GetStreamRecords("inst", at_expired, std::nullopt).status().code(),
            StatusCode::kTrimmedDataAccess);
  // An iterator asked for at an expired time starts at the first record kept.
  EXPECT_EQ(ReadAll(Iterator(settings.stream_id, shard, written[2].timestamp)).size(), 5u);
}

TEST_F(StreamLogTest, TrimDeletesExpiredRecordsAndClosedShards) {
  StreamEnableOptions options;
  options.expiration_hours = 1;
  wire::StreamSettings settings = Enable(options);
  std::string root = Shards(settings.stream_id).at(0).shard_id;
  std::string oldest = Iterator(settings.stream_id, root);
  Write({PutRow(1, 1), PutRow(2, 2), PutRow(3, 3)});
  clock_->AdvanceMicros(kHour / 2);
  Write({PutRow(4, 4), PutRow(5, 5)});
  std::string caught_up;
  {
    Result<StreamRecordBatch> all = log_->GetStreamRecords("inst", oldest, std::nullopt);
    ASSERT_TRUE(all.ok());
    caught_up = *all->next_shard_iterator;
  }
  EXPECT_EQ(CountRecordEntries(), 2u);

  Result<TrimStats> nothing = log_->Trim(clock_->NowMicros());
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->shards_trimmed, 0u);

  clock_->SetMicros(kStart + kHour + 10);  // The first three records are now past retention.
  Result<TrimStats> stats = log_->Trim(clock_->NowMicros());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->shards_trimmed, 1u);
  EXPECT_EQ(CountRecordEntries(), 1u);
  Result<StreamRecordBatch> trimmed = log_->GetStreamRecords("inst", oldest, std::nullopt);
  EXPECT_EQ(trimmed.status().code(), StatusCode::kTrimmedDataAccess);
  EXPECT_EQ(trimmed.status().message(), kTrimmedDataMessage);
  std::vector<StreamRecord> retained = ReadAll(Iterator(settings.stream_id, root));
  ASSERT_EQ(retained.size(), 2u);
  EXPECT_EQ(Id(retained[0]), 4);
  EXPECT_TRUE(ReadAll(caught_up).empty());  // Nothing it would read was lost.

  // The horizon is persisted.
  Reopen();
  EXPECT_EQ(log_->GetStreamRecords("inst", oldest, std::nullopt).status().code(),
            StatusCode::kTrimmedDataAccess);

  // A split closes the root; once all its records expire it leaves the stream.
  Result<std::vector<std::string>> children = log_->SplitShard(kTable, root, Value::Integer(3));
  ASSERT_TRUE(children.ok());
  Write({PutRow(1, 1)});
  clock_->SetMicros(kStart + 2 * kHour);
  stats = log_->Trim(clock_->NowMicros());
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->shards_removed, 0u);  // Closed at kStart + 1h: not yet fully expired.
  clock_->SetMicros(kStart + 3 * kHour);
  stats = log_->Trim(clock_->NowMicros());
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->shards_removed, 1u);
  EXPECT_EQ(stats->shards_trimmed, 1u);  // The child that got a record.
  std::vector<StreamShardInfo> shards = Shards(settings.stream_id);
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[0].parent_id, root);  // A parent that is gone counts as fully read.
  EXPECT_EQ(CountRecordEntries(), 0u);
  EXPECT_EQ(log_->GetStreamRecords("inst", caught_up, std::nullopt).status().code(),
            StatusCode::kTrimmedDataAccess);
  Reopen();
  EXPECT_EQ(Shards(settings.stream_id).size(), 2u);
}

TEST_F(StreamLogTest, ConcurrentWritersAcrossSplitAndMergeLoseNothing) {
  wire::StreamSettings settings = Enable();
  std::string root = Shards(settings.stream_id).at(0).shard_id;
  constexpr int kThreads = 4;
  constexpr int kWritesPerThread = 200;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        // Thread t owns keys t*100 + (0..9), spread over both halves of the split below.
        Write({PutRow(t * 100 + i % 10, i)});
      }
    });
  }
  Result<std::vector<std::string>> children = log_->SplitShard(kTable, root, Value::Integer(200));
  ASSERT_TRUE(children.ok()) << children.status().ToString();
  Result<std::string> merged = log_->MergeShards(kTable, children->at(0), children->at(1));
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  for (std::thread& writer : writers) writer.join();

  // Shard ids follow creation order, so reading them in order reads parents before children.
  std::map<int64_t, int64_t> last_amount;
  size_t total = 0;
  for (const StreamShardInfo& shard : Shards(settings.stream_id)) {
    for (const StreamRecord& record : ReadAll(Iterator(settings.stream_id, shard.shard_id))) {
      Result<Row> row = wire::DecodeRow(record.record);
      ASSERT_TRUE(row.ok());
      const int64_t id = row->primary_key[0].value.integer();
      const int64_t amount = row->cells.at(0).value->integer();
      auto [it, fresh] = last_amount.emplace(id, amount);
      if (!fresh) {
        EXPECT_GT(amount, it->second) << "key " << id;
        it->second = amount;
      }
      ++total;
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kWritesPerThread));
}

}  // namespace
}  // namespace otsync::store
