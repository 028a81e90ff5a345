// The Store on RocksDB.
//
// Column families and key layout:
//   "default"    metadata
//                  "n"                               -> next table id (u64 big-endian)
//                  "t" instance '\0' table name      -> TableRecord (table_meta_codec.h)
//                  "a" table id (u64 big-endian)     -> AUTO_INCREMENT reserved ceiling (u64 BE)
//   "rows"       [table id u64 BE][encoded PK]       -> StoredRow (key_encoding.h, row_codec.h)
//                Table ids are global and never reused, so they stand for instance + table.
//                A compaction filter (row_compaction_filter.h) drops invisible versions.
//   StreamLog's two column families (stream_log.h) hold streams, shards and records. The record
//   of a row change goes into the same WriteBatch as the change: encoded before the table's
//   StreamWriteGuard is taken (StreamLog::EncodeRecord), given its timestamp under it
//   (AppendEncoded, then PutAppendedRecords()); the guard is taken after the row locks (with
//   sync_writes by the leader of the call's commit group, commit_queue.h) and held until the
//   batch is written. The table record keeps no stream settings: the stream log is their only
//   source.
//
// Write path (WriteRow and BatchWriteRows share it): validate every row, resolve AUTO_INCREMENT,
// take the striped locks of all rows, read only the rows whose write needs the current state
// (updates, row-existence or column conditions), apply, and commit every successful row of the
// call in one WriteBatch; with sync_writes, calls committing at the same time join theirs into one
// RocksDB write and one fsync (commit_queue.h: LevelDB's writer queue). A PutRow or
// DeleteRow with condition IGNORE never reads. TTL and a lowered max_versions are applied on read,
// on the next read-modify-write of a row, and by compaction.
//
// Kill points (base/kill_point.h) of the write path, for otsd's crash loop:
// store.write.before_commit (every row and stream record of the calls of a commit group is in
// their batch, the shards' timestamps are taken), store.write.after_commit (the batch is written,
// nothing is answered yet).
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "base/kill_point.h"
#include "store/commit_queue.h"
#include "store/fault_point_file_system.h"
#include "store/filter_evaluator.h"
#include "store/key_encoding.h"
#include "store/reserved_space.h"
#include "store/row_codec.h"
#include "store/row_compaction_filter.h"
#include "store/row_locks.h"
#include "store/row_mutation.h"
#include "store/row_reader.h"
#include "store/store.h"
#include "store/stream_log.h"
#include "store/table_meta_codec.h"
#include "store/table_options_registry.h"
#include "store/validation.h"
#include "wire/coding.h"

namespace otsync::store {
namespace {

constexpr char kNextTableIdKey[] = "n";
constexpr char kTablePrefix = 't';
constexpr char kAutoIncrementPrefix = 'a';
constexpr char kRowsFamily[] = "rows";

constexpr size_t kMaxBatchWriteRows = 200;
constexpr size_t kMaxBatchGetRows = 100;
constexpr size_t kMaxBatchWriteBytes = 4 * 1024 * 1024;
constexpr int32_t kMaxRangeRows = 5000;
constexpr size_t kMaxRangeBytes = 4 * 1024 * 1024;
// AUTO_INCREMENT values are reserved on disk in blocks, so that values handed out before a crash
// are never handed out again after it.
constexpr int64_t kAutoIncrementReserveBlock = 1'000'000;

const char kTableNotFound[] = "Requested table does not exist.";

Status FromRocksDb(const rocksdb::Status& status) {
  if (status.ok()) return Status::OK();
  if (status.IsCorruption()) return Status::Corruption(status.ToString());
  // A full disk is the one I/O error a client can wait out: 503, which clients retry.
  if (status.IsNoSpace()) {
    return Status::Unavailable("otsd's disk is full (" + status.ToString() +
                               "): writes are refused until space is freed; reads go on");
  }
  return Status::IOError(status.ToString());
}

std::string TableMetaKey(const std::string& instance, const std::string& table) {
  std::string key(1, kTablePrefix);
  key += instance;
  key.push_back('\0');
  key += table;
  return key;
}

std::string AutoIncrementKey(uint64_t table_id) {
  std::string key(1, kAutoIncrementPrefix);
  wire::PutBigEndian64(table_id, &key);
  return key;
}

// The row a read of `stored` returns (ProjectRow of the visible row), or nullopt when the row
// does not exist for readers or the read keeps nothing of it. `primary_key` and `stored` are
// sinks.
std::optional<wire::Row> ReturnedRow(wire::PrimaryKey primary_key, StoredRow stored,
                                     const wire::TableDescription& description,
                                     const wire::ReadOptions& read, int64_t now_millis) {
  const bool written_without_columns = stored.columns.empty();
  StoredRow visible = VisibleRow(std::move(stored), description.options, now_millis);
  if (!RowExists(written_without_columns, visible)) return std::nullopt;
  return ProjectRow(std::move(primary_key), std::move(visible), read, description.primary_key);
}

// ReturnedRow of the stored bytes; Corruption when they are malformed.
Result<std::optional<wire::Row>> ReturnedRowOfBytes(wire::PrimaryKey primary_key,
                                                    std::string_view stored,
                                                    const wire::TableDescription& description,
                                                    const wire::ReadOptions& read,
                                                    int64_t now_millis) {
  OTSYNC_ASSIGN_OR_RETURN(StoredRow row, DecodeStoredRow(stored));
  return ReturnedRow(std::move(primary_key), std::move(row), description, read, now_millis);
}

struct AutoIncrementState {
  std::mutex mutex;
  int64_t last = 0;
  int64_t reserved_ceiling = 0;
};

// An immutable snapshot of one table; UpdateTable swaps in a new one.
struct TableState {
  TableRecord record;
  std::string key_prefix;
  std::shared_ptr<AutoIncrementState> auto_increment;
  const wire::TableDescription& description() const { return record.description; }
  TableRef ref() const { return TableRef{record.instance, record.description.name}; }
};

using TablePtr = std::shared_ptr<const TableState>;

// One row of a write call on its way through the write path.
struct PendingRow {
  TablePtr table;
  const RowWrite* write = nullptr;
  RowWriteOutcome* outcome = nullptr;
  wire::PrimaryKey primary_key;  // Final: AUTO_INCREMENT resolved.
  std::string key;
  uint32_t row_index = 0;   // Position in the request, for the row's stream record.
  bool shares_key = false;  // Another row of the same call writes this key too.
};

// A row that passed its conditions and whose change is computed, waiting for its record.
struct StagedRow {
  PendingRow* row = nullptr;
  std::optional<std::string> encoded;  // nullopt: delete the row.
  AppliedRowChange change;
  // The change's stream record (StreamLog::EncodeRecord), when its table had a stream before the
  // write guard was taken.
  std::optional<std::string> record;
  std::optional<wire::Row> returned_row;
};

// Keys whose staged row failed, with the failure: later rows of these keys in the call were
// computed on top of it, so they fail too, with the same status.
using FailedKeys = std::unordered_map<std::string_view, Status>;

void FailRow(FailedKeys* failed_keys, PendingRow& row, const Status& status) {
  row.outcome->status = status;
  if (row.shares_key) failed_keys->emplace(row.key, status);
}

// Whether an earlier row of `row`'s key failed; if so `row` fails with the same status.
bool KeyFailedEarlier(FailedKeys* failed_keys, PendingRow& row) {
  if (!row.shares_key) return false;
  auto it = failed_keys->find(row.key);
  if (it == failed_keys->end()) return false;
  row.outcome->status = it->second;
  return true;
}

// One write call's staged rows on their way through the commit queue.
struct PendingCommit {
  // Each distinct table of the call once, by its state: a call writes one table or a few.
  struct Table {
    const TableState* state;
    TableRef ref;
    bool has_stream;  // As the call looked, before the guard: the guard decides.
  };
  const Table* FindTable(const TableState* state) const {
    for (const Table& table : tables) {
      if (table.state == state) return &table;
    }
    return nullptr;
  }

  std::vector<Table> tables;
  std::vector<StagedRow*> rows;  // In the call's order; once committed, those in the batch.
  rocksdb::WriteBatch batch;     // The rows, in key order.
  FailedKeys failed_keys;
};

// A WriteBatch's bytes are a 12-byte header (an 8-byte sequence number, then the count of its
// entries as 4 bytes little-endian) followed by its entries, so batches join by their entries.
// `joined` gets the entries of `group`'s batches in group order.
Status JoinBatches(std::span<PendingCommit* const> group, rocksdb::WriteBatch* joined) {
  constexpr size_t kHeaderBytes = 12;
  std::string bytes;
  uint32_t count = 0;
  size_t size = 0;
  for (const PendingCommit* commit : group) size += commit->batch.GetDataSize();
  bytes.reserve(size);
  for (const PendingCommit* commit : group) {
    const std::string& data = commit->batch.Data();
    if (data.size() < kHeaderBytes) {
      return Status::Internal("a write batch of " + std::to_string(data.size()) +
                              " bytes has no header");
    }
    bytes.append(data, bytes.empty() ? 0 : kHeaderBytes, std::string::npos);
    count += commit->batch.Count();
  }
  for (int i = 0; i < 4; ++i) bytes[8 + i] = static_cast<char>((count >> (8 * i)) & 0xff);
  *joined = rocksdb::WriteBatch(std::move(bytes));
  if (joined->Count() != count) {
    return Status::Internal("joined write batches count " + std::to_string(joined->Count()) +
                            " entries, expected " + std::to_string(count));
  }
  return Status::OK();
}

// Whether a write's outcome depends on the row as stored: an update merges into it, a condition
// reads it. Any other write (a put or a delete under IGNORE) is blind: computed from the request
// alone, it holds its row lock shared (row_locks.h).
bool ReadsItsRow(const RowWrite& write) {
  return write.type == wire::WriteType::kUpdate ||
         write.condition.row_existence != wire::RowExistence::kIgnore ||
         write.condition.column_condition.has_value();
}

// Rows computed earlier in one ExecuteWrites call, by key, for later rows of the call with the
// same key (nullopt: the row is deleted).
using WrittenRows = std::unordered_map<std::string, std::optional<StoredRow>>;

class RocksDbStore final : public Store {
 public:
  // `env`: the Env `db` was opened with when not RocksDB's default one (null otherwise);
  // `reserve`: the space that Env's file system draws on when the disk fills (null: none).
  RocksDbStore(const StoreOptions& options, std::shared_ptr<Clock> clock,
               std::unique_ptr<rocksdb::Env> env, std::shared_ptr<ReservedSpace> reserve,
               rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
               std::shared_ptr<TableOptionsRegistry> registry)
      : env_(std::move(env)),
        reserve_(std::move(reserve)),
        clock_(std::move(clock)),
        registry_(std::move(registry)),
        db_(db),
        handles_(std::move(handles)),
        meta_(handles_[0]),
        rows_(handles_[1]) {
    write_options_.sync = options.sync_writes;
    path_ = options.path;
    min_free_bytes_ = options.min_free_bytes;
  }

  ~RocksDbStore() override {
    {
      std::lock_guard lock(trim_mutex_);
      stopping_ = true;
    }
    trim_wakeup_.notify_all();
    if (trim_thread_.joinable()) trim_thread_.join();
    stream_log_.reset();
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
    delete db_;
  }

  Status LoadCatalog();
  // REQUIRED: called once, before any other method.
  Status OpenStreamLog(bool sync_writes, int64_t enabling_period_micros);
  void StartTrimThread(std::chrono::milliseconds interval);

  Status CreateTable(const std::string& instance, const TableDescription& table) override;
  Result<std::vector<std::string>> ListTables(const std::string& instance) override;
  Result<TableDescription> DescribeTable(const std::string& instance,
                                         const std::string& table) override;
  Result<TableDescription> UpdateTable(const std::string& instance, const std::string& table,
                                       const TableUpdate& update) override;
  Status DeleteTable(const std::string& instance, const std::string& table) override;

  Result<RowReadOutcome> GetRow(const std::string& instance, const std::string& table,
                                const wire::PrimaryKey& primary_key,
                                const ReadOptions& options) override;
  Result<RowWriteOutcome> WriteRow(const std::string& instance, const std::string& table,
                                   const RowWrite& write) override;
  Result<std::vector<std::vector<RowReadOutcome>>> BatchGetRows(
      const std::string& instance, const std::vector<TableReads>& tables) override;
  Result<std::vector<std::vector<RowWriteOutcome>>> BatchWriteRows(
      const std::string& instance, const std::vector<TableWrites>& tables) override;
  Result<RangeResult> GetRange(const std::string& instance, const std::string& table,
                               const RangeRequest& request) override;
  Result<std::optional<wire::PrimaryKey>> EncodeRangePage(const std::string& instance,
                                                          const std::string& table,
                                                          const RangeRequest& request,
                                                          wire::PlainBufferWriter* out) override;
  Result<std::vector<wire::PrimaryKey>> ComputeSplitPointsBySize(const std::string& instance,
                                                                 const std::string& table,
                                                                 int64_t split_size_bytes) override;

  Result<std::vector<StreamSummary>> ListStream(const std::string& instance,
                                                const std::optional<std::string>& table) override;
  Result<StreamDescription> DescribeStream(const std::string& instance,
                                           const std::string& stream_id,
                                           const std::string& inclusive_start_shard_id,
                                           std::optional<int32_t> shard_limit) override;
  Result<std::string> GetShardIterator(const std::string& instance, const std::string& stream_id,
                                       const std::string& shard_id,
                                       std::optional<int64_t> timestamp_micros) override;
  Result<StreamRecordBatch> GetStreamRecord(const std::string& instance,
                                            const std::string& iterator,
                                            std::optional<int32_t> limit) override;
  Result<StreamReadSummary> ReadStreamRecords(const std::string& instance,
                                              const std::string& iterator,
                                              std::optional<int32_t> limit,
                                              StreamRecordVisitor* visitor) override;
  uint64_t StreamStateVersion() const override { return stream_log_->StateVersion(); }
  // RocksDB publishes a write's sequence number once the write is visible to reads.
  uint64_t WriteVersion() const override { return db_->GetLatestSequenceNumber(); }
  Result<std::vector<std::string>> SplitStreamShard(const std::string& instance,
                                                    const std::string& table,
                                                    const std::string& shard_id,
                                                    const wire::Value& split_key) override;
  Result<std::string> MergeStreamShards(const std::string& instance, const std::string& table,
                                        const std::string& shard_a,
                                        const std::string& shard_b) override;
  Result<TrimStats> TrimStreams() override;

 private:
  // Called for each stored row of a range page, in range order, with its key and stored bytes;
  // returns the data size of the row it returned, or nullopt when the row is not returned.
  using RangeRowEmitter = std::function<Result<std::optional<size_t>>(
      wire::PrimaryKey& primary_key, std::string_view stored,
      const wire::TableDescription& description, int64_t now_millis)>;
  // One page of `request` (at most its limit and kMaxRangeRows rows, about kMaxRangeBytes) through
  // `emit`; returns the next start key, absent when the range is finished.
  Result<std::optional<wire::PrimaryKey>> ScanRangePage(const std::string& instance,
                                                        const std::string& table,
                                                        const RangeRequest& request,
                                                        const RangeRowEmitter& emit);

  Result<TablePtr> FindTable(const std::string& instance, const std::string& table) const;
  Result<int64_t> NextAutoIncrement(const TableState& table);
  Status PrepareRow(PendingRow* row, int64_t now_millis);
  // Runs the write path over rows whose outcome status is OK; failures land in the outcomes.
  // Its phases: lock the rows, stage each row (read, conditions, mutation), write the staged rows
  // with their stream records.
  Status ExecuteWrites(std::vector<PendingRow>* rows, int64_t now_millis);
  // Marks rows sharing a key with another row of the call and takes the row stripes of all.
  RowLockTable::Guard LockRows(std::vector<PendingRow>* rows);
  // Reads what `row` needs (from `*written` first), checks its conditions and computes its
  // change, recording the new row in `*written` when another row of the call shares its key;
  // nullopt (the reason in the row's outcome) when the row does not go on.
  // REQUIRED: the row's stripe is held.
  std::optional<StagedRow> StageRow(PendingRow* row, WrittenRows* written, int64_t now_millis);
  // Writes the staged rows and their stream records in one batch, under the stream guard (with
  // sync_writes through the commit queue: the batch may share its RocksDB write with other
  // calls'); a row whose record cannot be staged leaves the batch (and so do later rows of its
  // key).
  Status WriteStagedRows(std::vector<StagedRow>* staged_rows);
  // Commits a group of calls (one call alone, or the commit queue's group): appends their records
  // under one stream guard, in group order, and writes their rows and records in one RocksDB
  // write; each row's outcome says how it went.
  void CommitGroup(std::span<PendingCommit* const> group);
  // Puts (or deletes) `rows` into `batch` in key order.
  Status PutRowsInKeyOrder(std::vector<StagedRow*> rows, rocksdb::WriteBatch* batch);
  // Reads the stored row under `key`; nullopt when absent.
  Result<std::optional<StoredRow>> ReadStoredRow(const std::string& key);
  Result<std::optional<wire::Row>> ReadRow(const TableState& table,
                                           const wire::PrimaryKey& primary_key,
                                           const ReadOptions& options, int64_t now_millis);
  // Appends the stream record of `change` to `stream_guard`, whose records PutAppendedRecords
  // puts into the batch that commits the change itself, encoding it under the guard: for a table
  // whose stream was enabled after WriteStagedRows looked (it encodes the others' records before).
  // REQUIRED: `stream_guard` covers the table and is held until that batch is written or dropped.
  Status StageChangeRecord(StreamWriteGuard* stream_guard, const TableRef& table,
                           const AppliedRowChange& change, uint32_t row_index);
  void TrimLoop(std::chrono::milliseconds interval);
  // kUnavailable while the data directory's file system has fewer than
  // StoreOptions::min_free_bytes free (re-measured at most every 100 ms), and while the reserve
  // is given up and there is no room to hold it again (holding it again when there is). Called
  // before every write; reads never call it.
  Status CheckFreeSpace();
  // The free bytes of the data directory's file system, re-measured when the last measurement
  // is older than 100 ms.
  int64_t FreeBytes();

  // Outlives db_ (a member is destroyed after the destructor's body has closed the database).
  std::unique_ptr<rocksdb::Env> env_;
  std::shared_ptr<ReservedSpace> reserve_;
  std::shared_ptr<Clock> clock_;
  // The live tables' options, as the compaction filter of "rows" sees them.
  std::shared_ptr<TableOptionsRegistry> registry_;
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* meta_;
  rocksdb::ColumnFamilyHandle* rows_;
  rocksdb::WriteOptions write_options_;
  std::string path_;
  int64_t min_free_bytes_ = 0;
  std::atomic<int64_t> free_measured_at_nanos_{INT64_MIN / 2};  // Steady clock.
  std::atomic<int64_t> free_bytes_{INT64_MAX};

  // Guards tables_ and next_table_id_; DDL holds it exclusively for its whole duration.
  mutable std::shared_mutex catalog_mutex_;
  std::map<std::string, TablePtr> tables_;  // By TableMetaKey().
  uint64_t next_table_id_ = 1;

  RowLockTable row_locks_;
  // With sync_writes, calls that reach their commit together share one RocksDB write and its
  // fsync: up to 64 calls, 4 MiB of rows past the first call's.
  CommitQueue<PendingCommit> commit_queue_{64, 4 << 20};

  // Destroyed before the column family handles and the DB (see the destructor).
  std::unique_ptr<StreamLog> stream_log_;

  std::mutex trim_mutex_;
  std::condition_variable trim_wakeup_;
  bool stopping_ = false;  // Guarded by trim_mutex_.
  std::thread trim_thread_;
};

Status RocksDbStore::OpenStreamLog(bool sync_writes, int64_t enabling_period_micros) {
  StreamLog::Options options;
  options.db = db_;
  options.meta_family = handles_[2];
  options.records_family = handles_[3];
  options.clock = clock_;
  options.sync_writes = sync_writes;
  options.enabling_period_micros = enabling_period_micros;
  OTSYNC_ASSIGN_OR_RETURN(stream_log_, StreamLog::Open(options));
  return Status::OK();
}

void RocksDbStore::StartTrimThread(std::chrono::milliseconds interval) {
  if (interval.count() <= 0) return;
  trim_thread_ = std::thread([this, interval] { TrimLoop(interval); });
}

void RocksDbStore::TrimLoop(std::chrono::milliseconds interval) {
  std::unique_lock lock(trim_mutex_);
  while (!trim_wakeup_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    Result<TrimStats> trimmed = TrimStreams();
    if (!trimmed.ok()) {
      // No caller to return it to; the next pass retries.
      std::fprintf(stderr, "otsd: stream retention pass failed: %s\n",
                   trimmed.status().ToString().c_str());
    }
    lock.lock();
  }
}

Status RocksDbStore::LoadCatalog() {
  std::string next_id;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), meta_, kNextTableIdKey, &next_id);
  if (status.ok()) {
    if (next_id.size() != 8) return Status::Corruption("Malformed next table id.");
    next_table_id_ = wire::DecodeBigEndian64(next_id.data());
  } else if (!status.IsNotFound()) {
    return FromRocksDb(status);
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_));
  for (it->Seek(std::string(1, kTablePrefix));
       it->Valid() && it->key().size() > 0 && it->key()[0] == kTablePrefix; it->Next()) {
    OTSYNC_ASSIGN_OR_RETURN(TableRecord record, DecodeTableRecord(it->value().ToStringView()));
    auto state = std::make_shared<TableState>();
    state->key_prefix = TableKeyPrefix(record.table_id);
    state->auto_increment = std::make_shared<AutoIncrementState>();
    std::string ceiling;
    status = db_->Get(rocksdb::ReadOptions(), meta_, AutoIncrementKey(record.table_id), &ceiling);
    if (status.ok() && ceiling.size() == 8) {
      state->auto_increment->reserved_ceiling =
          static_cast<int64_t>(wire::DecodeBigEndian64(ceiling.data()));
      state->auto_increment->last = state->auto_increment->reserved_ceiling;
    } else if (!status.ok() && !status.IsNotFound()) {
      return FromRocksDb(status);
    }
    registry_->Set(record.table_id, record.description.options);
    state->record = std::move(record);
    tables_[it->key().ToString()] = std::move(state);
  }
  OTSYNC_RETURN_IF_ERROR(FromRocksDb(it->status()));
  registry_->MarkLoaded();
  return Status::OK();
}

Result<TablePtr> RocksDbStore::FindTable(const std::string& instance,
                                         const std::string& table) const {
  std::shared_lock lock(catalog_mutex_);
  auto it = tables_.find(TableMetaKey(instance, table));
  if (it == tables_.end()) return Status::NotFound(kTableNotFound);
  return it->second;
}

Status RocksDbStore::CreateTable(const std::string& instance, const TableDescription& table) {
  OTSYNC_RETURN_IF_ERROR(ValidateNewTable(table));
  OTSYNC_RETURN_IF_ERROR(CheckFreeSpace());
  std::unique_lock lock(catalog_mutex_);
  const std::string meta_key = TableMetaKey(instance, table.name);
  if (tables_.count(meta_key) != 0) {
    return Status::AlreadyExists("Requested table already exists.");
  }
  auto state = std::make_shared<TableState>();
  state->record.table_id = next_table_id_;
  state->record.instance = instance;
  state->record.description = table;
  wire::TableDescription& description = state->record.description;
  description.creation_time_micros = clock_->NowMicros();
  const wire::StreamSettings wanted_stream = description.stream;
  description.stream = wire::StreamSettings{};
  state->key_prefix = TableKeyPrefix(state->record.table_id);
  state->auto_increment = std::make_shared<AutoIncrementState>();

  std::string encoded_record;
  EncodeTableRecord(state->record, &encoded_record);
  std::string next_id;
  wire::PutBigEndian64(next_table_id_ + 1, &next_id);
  rocksdb::WriteBatch batch;
  OTSYNC_RETURN_IF_ERROR(FromRocksDb(batch.Put(meta_, meta_key, encoded_record)));
  OTSYNC_RETURN_IF_ERROR(FromRocksDb(batch.Put(meta_, kNextTableIdKey, next_id)));
  if (wanted_stream.enabled) {
    StreamEnableOptions stream_options;
    stream_options.expiration_hours = wanted_stream.expiration_hours;
    stream_options.first_key_type = table.primary_key.front().type;
    OTSYNC_RETURN_IF_ERROR(
        stream_log_->EnableStream(state->ref(), stream_options, &batch).status());
  } else {
    OTSYNC_RETURN_IF_ERROR(FromRocksDb(db_->Write(write_options_, &batch)));
  }
  ++next_table_id_;
  registry_->Set(state->record.table_id, description.options);
  tables_[meta_key] = std::move(state);
  return Status::OK();
}

Result<std::vector<std::string>> RocksDbStore::ListTables(const std::string& instance) {
  const std::string prefix = TableMetaKey(instance, "");
  std::vector<std::string> names;
  std::shared_lock lock(catalog_mutex_);
  for (auto it = tables_.lower_bound(prefix);
       it != tables_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    names.push_back(it->second->description().name);
  }
  return names;
}

Result<TableDescription> RocksDbStore::DescribeTable(const std::string& instance,
                                                     const std::string& table) {
  OTSYNC_ASSIGN_OR_RETURN(TablePtr state, FindTable(instance, table));
  TableDescription description = state->description();
  description.stream = stream_log_->Settings(state->ref());
  return description;
}

Result<TableDescription> RocksDbStore::UpdateTable(const std::string& instance,
                                                   const std::string& table,
                                                   const TableUpdate& update) {
  OTSYNC_RETURN_IF_ERROR(CheckFreeSpace());
  std::unique_lock lock(catalog_mutex_);
  const std::string meta_key = TableMetaKey(instance, table);
  auto it = tables_.find(meta_key);
  if (it == tables_.end()) return Status::NotFound(kTableNotFound);
  auto state = std::make_shared<TableState>(*it->second);
  wire::TableDescription& description = state->record.description;
  if (update.options.has_value()) {
    OTSYNC_RETURN_IF_ERROR(ValidateTableOptions(*update.options));
    description.options = *update.options;
  }
  const TableRef ref = state->ref();
  bool enable_stream = false;
  bool disable_stream = false;
  if (update.stream.has_value()) {
    const wire::StreamSettings& wanted = *update.stream;
    const wire::StreamSettings current = stream_log_->Settings(ref);
    if (wanted.enabled) {
      OTSYNC_RETURN_IF_ERROR(ValidateStreamExpiration(wanted.expiration_hours));
      if (current.enabled && current.expiration_hours != wanted.expiration_hours) {
        return Status::InvalidArgument(
            "The expiration time of an enabled stream cannot be changed; disable the stream "
            "and enable it again.");
      }
      enable_stream = !current.enabled;
    } else {
      disable_stream = current.enabled;
    }
  }
  description.stream = wire::StreamSettings{};
  if (update.reserved_read_capacity.has_value()) {
    description.reserved_read_capacity = *update.reserved_read_capacity;
  }
  if (update.reserved_write_capacity.has_value()) {
    description.reserved_write_capacity = *update.reserved_write_capacity;
  }
  std::string encoded_record;
  EncodeTableRecord(state->record, &encoded_record);
  rocksdb::WriteBatch batch;
  OTSYNC_RETURN_IF_ERROR(FromRocksDb(batch.Put(meta_, meta_key, encoded_record)));
  if (enable_stream) {
    StreamEnableOptions stream_options;
    stream_options.expiration_hours = update.stream->expiration_hours;
    stream_options.first_key_type = description.primary_key.front().type;
    OTSYNC_RETURN_IF_ERROR(stream_log_->EnableStream(ref, stream_options, &batch).status());
  } else if (disable_stream) {
    OTSYNC_RETURN_IF_ERROR(stream_log_->DisableStream(ref, &batch));
  } else {
    OTSYNC_RETURN_IF_ERROR(FromRocksDb(db_->Write(write_options_, &batch)));
  }
  registry_->Set(state->record.table_id, description.options);
  it->second = state;
  TableDescription result = description;
  result.stream = stream_log_->Settings(ref);
  return result;
}

Status RocksDbStore::DeleteTable(const std::string& instance, const std::string& table) {
  std::unique_lock lock(catalog_mutex_);
  const std::string meta_key = TableMetaKey(instance, table);
  auto it = tables_.find(meta_key);
  if (it == tables_.end()) return Status::NotFound(kTableNotFound);
  const uint64_t table_id = it->second->record.table_id;
  const std::string begin = TableKeyPrefix(table_id);
  const std::string end = TableKeyLimit(table_id);
  rocksdb::WriteBatch batch;
  OTSYNC_RETURN_IF_ERROR(FromRocksDb(batch.Delete(meta_, meta_key)));
  OTSYNC_RETURN_IF_ERROR(FromRocksDb(batch.Delete(meta_, AutoIncrementKey(table_id))));
  OTSYNC_RETURN_IF_ERROR(FromRocksDb(batch.DeleteRange(rows_, begin, end)));
  // Commits `batch` with the stream's removal, or alone when the table has no stream.
  OTSYNC_RETURN_IF_ERROR(stream_log_->DisableStream(it->second->ref(), &batch));
  registry_->Remove(table_id);
  tables_.erase(it);
  return Status::OK();
}

Result<std::optional<StoredRow>> RocksDbStore::ReadStoredRow(const std::string& key) {
  rocksdb::PinnableSlice value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), rows_, key, &value);
  if (status.IsNotFound()) return std::optional<StoredRow>();
  OTSYNC_RETURN_IF_ERROR(FromRocksDb(status));
  OTSYNC_ASSIGN_OR_RETURN(StoredRow row, DecodeStoredRow(value.ToStringView()));
  return std::optional<StoredRow>(std::move(row));
}

Result<std::optional<wire::Row>> RocksDbStore::ReadRow(const TableState& table,
                                                       const wire::PrimaryKey& primary_key,
                                                       const ReadOptions& options,
                                                       int64_t now_millis) {
  const wire::TableDescription& description = table.description();
  OTSYNC_RETURN_IF_ERROR(
      ValidatePrimaryKey(primary_key, description.primary_key, PrimaryKeyUse::kExactRow));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<StoredRow> stored,
                          ReadStoredRow(EncodeRowKey(table.record.table_id, primary_key)));
  if (!stored.has_value()) return std::optional<wire::Row>();
  return ReturnedRow(primary_key, std::move(*stored), description, options, now_millis);
}

Result<RowReadOutcome> RocksDbStore::GetRow(const std::string& instance, const std::string& table,
                                            const wire::PrimaryKey& primary_key,
                                            const ReadOptions& options) {
  OTSYNC_ASSIGN_OR_RETURN(TablePtr state, FindTable(instance, table));
  OTSYNC_RETURN_IF_ERROR(ValidateReadOptions(options));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<wire::Row> row,
                          ReadRow(*state, primary_key, options, clock_->NowMillis()));
  return RowReadOutcome{Status::OK(), std::move(row)};
}

Result<std::vector<std::vector<RowReadOutcome>>> RocksDbStore::BatchGetRows(
    const std::string& instance, const std::vector<TableReads>& tables) {
  size_t total_rows = 0;
  std::unordered_set<std::string> names;
  for (const TableReads& reads : tables) {
    total_rows += reads.primary_keys.size();
    if (!names.insert(reads.table_name).second) {
      return Status::InvalidArgument("Duplicated table name: " + reads.table_name + ".");
    }
  }
  if (total_rows > kMaxBatchGetRows) {
    return Status::InvalidArgument(
        "Rows count exceeds the upper limit:" + std::to_string(kMaxBatchGetRows) + ".");
  }
  const int64_t now_millis = clock_->NowMillis();
  std::vector<std::vector<RowReadOutcome>> outcomes(tables.size());
  for (size_t t = 0; t < tables.size(); ++t) {
    const TableReads& reads = tables[t];
    // A missing table, bad read options or a malformed key fail the whole request (the
    // service's documented BatchGetRow errors); only per-row read failures stay per row.
    OTSYNC_ASSIGN_OR_RETURN(TablePtr state, FindTable(instance, reads.table_name));
    OTSYNC_RETURN_IF_ERROR(ValidateReadOptions(reads.options));
    for (const wire::PrimaryKey& primary_key : reads.primary_keys) {
      OTSYNC_RETURN_IF_ERROR(ValidatePrimaryKey(primary_key, state->description().primary_key,
                                                PrimaryKeyUse::kExactRow));
    }
    for (const wire::PrimaryKey& primary_key : reads.primary_keys) {
      RowReadOutcome& outcome = outcomes[t].emplace_back();
      Result<std::optional<wire::Row>> row =
          ReadRow(*state, primary_key, reads.options, now_millis);
      if (row.ok()) {
        outcome.row = std::move(row).value();
      } else {
        outcome.status = row.status();
      }
    }
  }
  return outcomes;
}

Result<int64_t> RocksDbStore::NextAutoIncrement(const TableState& table) {
  AutoIncrementState& state = *table.auto_increment;
  std::lock_guard lock(state.mutex);
  const int64_t value = std::max(state.last + 1, clock_->NowMicros());
  if (value > state.reserved_ceiling) {
    const int64_t ceiling = value + kAutoIncrementReserveBlock;
    std::string encoded;
    wire::PutBigEndian64(static_cast<uint64_t>(ceiling), &encoded);
    OTSYNC_RETURN_IF_ERROR(FromRocksDb(
        db_->Put(write_options_, meta_, AutoIncrementKey(table.record.table_id), encoded)));
    state.reserved_ceiling = ceiling;
  }
  state.last = value;
  return value;
}

Status RocksDbStore::PrepareRow(PendingRow* row, int64_t now_millis) {
  const RowWrite& write = *row->write;
  const wire::TableDescription& description = row->table->description();
  const PrimaryKeyUse use = write.type == wire::WriteType::kDelete ? PrimaryKeyUse::kExactRow
                                                                   : PrimaryKeyUse::kWrittenRow;
  OTSYNC_RETURN_IF_ERROR(ValidatePrimaryKey(write.row.primary_key, description.primary_key, use));
  OTSYNC_RETURN_IF_ERROR(ValidateRowChange(write, description.options, now_millis));
  for (const wire::Cell& cell : write.row.cells) {
    for (const wire::PrimaryKeySchemaColumn& key_column : description.primary_key) {
      if (cell.name == key_column.name) {
        return Status::InvalidArgument("The attribute column '" + cell.name +
                                       "' has the name of a primary key column.");
      }
    }
  }
  if (write.condition.column_condition.has_value()) {
    OTSYNC_RETURN_IF_ERROR(
        ValidateFilter(*write.condition.column_condition, /*pagination_allowed=*/false));
  }
  row->primary_key = write.row.primary_key;
  for (wire::PrimaryKeyColumn& column : row->primary_key) {
    if (column.value.type() != wire::ValueType::kAutoIncrement) continue;
    if (write.condition.row_existence != wire::RowExistence::kIgnore) {
      return Status::InvalidArgument(
          "The row existence condition must be IGNORE when the primary key column '" + column.name +
          "' is AUTO_INCREMENT.");
    }
    OTSYNC_ASSIGN_OR_RETURN(int64_t generated, NextAutoIncrement(*row->table));
    column.value = wire::Value::Integer(generated);
  }
  row->key = EncodeRowKey(row->table->record.table_id, row->primary_key);
  return Status::OK();
}

Status RocksDbStore::StageChangeRecord(StreamWriteGuard* stream_guard, const TableRef& table,
                                       const AppliedRowChange& change, uint32_t row_index) {
  // Tables without a stream get nothing from Append.
  return stream_log_->Append(stream_guard, table, wire::StreamActionOf(change.action), change.row,
                             row_index);
}

Status RocksDbStore::ExecuteWrites(std::vector<PendingRow>* rows, int64_t now_millis) {
  OTSYNC_RETURN_IF_ERROR(CheckFreeSpace());
  // The row stripes serialise every read-modify-write of these rows with any other writer of them
  // for the whole call, so reads, conditions, mutations and encoding need no other lock; blind
  // writes of a row share its stripe, and their commit order (under the stream guard) is the
  // order of their rows and records.
  const RowLockTable::Guard guard = LockRows(rows);
  // Taken under the locks: a read-modify-write (INCREMENT) that waited for an earlier writer of
  // the same row must stamp its version no older than the version it read.
  now_millis = std::max(now_millis, clock_->NowMillis());

  std::vector<StagedRow> staged_rows;
  staged_rows.reserve(rows->size());
  WrittenRows written;
  for (PendingRow& row : *rows) {
    if (!row.outcome->status.ok()) continue;
    std::optional<StagedRow> staged = StageRow(&row, &written, now_millis);
    if (staged.has_value()) staged_rows.push_back(std::move(*staged));
  }
  if (staged_rows.empty()) return Status::OK();
  return WriteStagedRows(&staged_rows);
}

RowLockTable::Guard RocksDbStore::LockRows(std::vector<PendingRow>* rows) {
  std::vector<RowLockTable::Request> stripes;
  stripes.reserve(rows->size());
  std::unordered_map<std::string_view, int> key_counts;
  for (const PendingRow& row : *rows) {
    if (!row.outcome->status.ok()) continue;
    stripes.push_back({RowLockTable::StripeOf(row.key), ReadsItsRow(*row.write)
                                                            ? RowLockTable::Mode::kExclusive
                                                            : RowLockTable::Mode::kShared});
    ++key_counts[row.key];
  }
  for (PendingRow& row : *rows) {
    if (row.outcome->status.ok()) row.shares_key = key_counts[row.key] > 1;
  }
  return RowLockTable::Guard(&row_locks_, std::move(stripes));
}

std::optional<StagedRow> RocksDbStore::StageRow(PendingRow* pending, WrittenRows* written,
                                                int64_t now_millis) {
  PendingRow& row = *pending;
  const RowWrite& write = *row.write;
  const wire::TableOptions& options = row.table->description().options;
  std::optional<StoredRow> current;
  if (auto it = written->find(row.key); it != written->end()) {
    current = it->second;
  } else if (ReadsItsRow(write)) {
    Result<std::optional<StoredRow>> read = ReadStoredRow(row.key);
    if (!read.ok()) {
      row.outcome->status = read.status();
      return std::nullopt;
    }
    current = std::move(read).value();
  }
  StoredRow visible;
  bool exists = false;
  if (current.has_value()) {
    visible = VisibleRow(*current, options, now_millis);
    exists = RowExists(*current, visible);
  }
  const wire::RowExistence existence = write.condition.row_existence;
  if ((existence == wire::RowExistence::kExpectExist && !exists) ||
      (existence == wire::RowExistence::kExpectNotExist && exists) ||
      (write.condition.column_condition.has_value() &&
       !EvaluateFilter(*write.condition.column_condition, visible))) {
    row.outcome->status = Status(StatusCode::kConditionCheckFailed, "Condition check failed.");
    return std::nullopt;
  }
  StagedRow staged;
  staged.row = &row;
  std::optional<StoredRow> new_row;
  if (write.type == wire::WriteType::kPut && !row.shares_key &&
      write.return_type != wire::ReturnType::kAfterModify) {
    // Nothing reads this put's new row before it is stored: its bytes come straight from its
    // cells.
    staged.encoded.emplace();
    staged.change = ApplyPut(write, row.primary_key, options, now_millis, &*staged.encoded);
  } else {
    Result<RowMutation> mutation =
        ApplyRowWrite(write, row.primary_key, visible, options, now_millis);
    if (!mutation.ok()) {
      row.outcome->status = mutation.status();
      return std::nullopt;
    }
    if (mutation->new_row.has_value()) {
      staged.encoded.emplace();
      EncodeStoredRow(*mutation->new_row, &*staged.encoded);
    }
    staged.change = std::move(mutation->change);
    new_row = std::move(mutation->new_row);
  }
  if (write.return_type == wire::ReturnType::kPrimaryKey) {
    staged.returned_row = wire::Row{row.primary_key, {}, false, std::nullopt};
  } else if (write.return_type == wire::ReturnType::kAfterModify) {
    wire::Row returned{row.primary_key, {}, false, std::nullopt};
    if (new_row.has_value() && !write.return_columns.empty()) {
      ReadOptions projection;
      projection.columns_to_get = write.return_columns;
      projection.max_versions = 1;
      StoredRow after = VisibleRow(*new_row, options, now_millis);
      if (std::optional<wire::Row> projected =
              ProjectRow(row.primary_key, std::move(after), projection,
                         row.table->description().primary_key)) {
        returned.cells = std::move(projected->cells);
      }
    }
    staged.returned_row = std::move(returned);
  }
  if (row.shares_key) (*written)[row.key] = std::move(new_row);
  return staged;
}

Status RocksDbStore::WriteStagedRows(std::vector<StagedRow>* staged_rows) {
  // Lock order: row stripes, then the commit queue, then the stream guard. The guard spans
  // assigning the records their shards' timestamps and writing the batch, so that within a shard
  // commit order is timestamp order; nothing else needs it. Every writer of a table waits for it
  // (and with sync_writes for the queue, whose leader takes it for its group), so what can be
  // done before is: the records are encoded (for the tables that have a stream as the call
  // looks) and the rows put into the call's batch.
  PendingCommit commit;
  for (const StagedRow& staged : *staged_rows) {
    const TableState* table = staged.row->table.get();
    if (commit.FindTable(table) == nullptr) {
      commit.tables.push_back({table, table->ref(), stream_log_->HasStream(table->ref())});
    }
  }
  commit.rows.reserve(staged_rows->size());
  for (StagedRow& staged : *staged_rows) {
    PendingRow& row = *staged.row;
    if (KeyFailedEarlier(&commit.failed_keys, row)) continue;
    if (commit.FindTable(row.table.get())->has_stream) {
      // Never a row change without its record: a row whose record is refused stays out of the
      // batch, the others go in.
      staged.record.emplace();
      const Status encoded =
          StreamLog::EncodeRecord(wire::StreamActionOf(staged.change.action), staged.change.row,
                                  row.row_index, &*staged.record);
      if (!encoded.ok()) {
        FailRow(&commit.failed_keys, row, encoded);
        continue;
      }
    }
    commit.rows.push_back(&staged);
  }
  if (commit.rows.empty()) return Status::OK();
  OTSYNC_RETURN_IF_ERROR(PutRowsInKeyOrder(commit.rows, &commit.batch));
  if (write_options_.sync) {
    commit_queue_.Commit(&commit, commit.batch.GetDataSize(),
                         [this](std::span<PendingCommit* const> group) { CommitGroup(group); });
  } else {
    // Without an fsync to share a call commits alone, its tables' guards ordering it: on two
    // cores the queue's hand-offs cost more than one WAL write for several calls saves
    // (docs/benchmarks.md, Group run 1).
    PendingCommit* const alone[] = {&commit};
    CommitGroup(alone);
  }
  return Status::OK();
}

void RocksDbStore::CommitGroup(std::span<PendingCommit* const> group) {
  std::vector<TableRef> tables;
  for (const PendingCommit* commit : group) {
    for (const PendingCommit::Table& table : commit->tables) tables.push_back(table.ref);
  }
  StreamWriteGuard stream_guard = stream_log_->LockForWrites(std::move(tables));
  Status status;
  for (PendingCommit* commit : group) {
    std::vector<StagedRow*> committed;
    committed.reserve(commit->rows.size());
    for (StagedRow* staged : commit->rows) {
      PendingRow& row = *staged->row;
      if (KeyFailedEarlier(&commit->failed_keys, row)) continue;
      const TableRef& table = commit->FindTable(row.table.get())->ref;
      // A table whose stream was enabled after the call looked has its record encoded here.
      const Status appended =
          staged->record.has_value()
              ? stream_log_->AppendEncoded(
                    &stream_guard, table, wire::StreamActionOf(staged->change.action),
                    staged->change.row.primary_key.front().value, row.row_index, &*staged->record)
              : StageChangeRecord(&stream_guard, table, staged->change, row.row_index);
      if (!appended.ok()) {
        FailRow(&commit->failed_keys, row, appended);
        continue;
      }
      committed.push_back(staged);
    }
    if (committed.size() != commit->rows.size()) {
      // A record refused under the guard (a store bug): its row leaves the call's batch.
      commit->batch.Clear();
      if (status.ok()) status = PutRowsInKeyOrder(committed, &commit->batch);
    }
    commit->rows = std::move(committed);
  }
  // One batch for the group: the calls' rows in queue order, then every record.
  rocksdb::WriteBatch joined;
  rocksdb::WriteBatch* batch = &group.front()->batch;
  if (status.ok() && group.size() > 1) {
    status = JoinBatches(group, &joined);
    batch = &joined;
  }
  if (status.ok()) status = stream_log_->PutAppendedRecords(&stream_guard, batch);
  if (status.ok() && batch->Count() > 0) {
    OTSYNC_KILL_POINT("store.write.before_commit");
    status = FromRocksDb(db_->Write(write_options_, batch));
    if (status.ok()) OTSYNC_KILL_POINT("store.write.after_commit");
  }
  for (PendingCommit* commit : group) {
    for (StagedRow* staged : commit->rows) {
      RowWriteOutcome* outcome = staged->row->outcome;
      if (status.ok()) {
        outcome->returned_row = std::move(staged->returned_row);
      } else {
        outcome->status = status;
      }
    }
  }
}

Status RocksDbStore::PutRowsInKeyOrder(std::vector<StagedRow*> rows, rocksdb::WriteBatch* batch) {
  // Key order (a key written twice keeps the order of its writes, so its last write stays its
  // last version): the memtable's skip list starts each insert from where the one before ended,
  // so the levels that still bracket the next key are not searched again. A batch's rows arrive
  // in any order (Ingest run 1 in docs/benchmarks.md).
  std::stable_sort(rows.begin(), rows.end(), [](const StagedRow* left, const StagedRow* right) {
    return left->row->key < right->row->key;
  });
  for (const StagedRow* staged : rows) {
    const std::string& key = staged->row->key;
    OTSYNC_RETURN_IF_ERROR(FromRocksDb(staged->encoded.has_value()
                                           ? batch->Put(rows_, key, *staged->encoded)
                                           : batch->Delete(rows_, key)));
  }
  return Status::OK();
}

int64_t RocksDbStore::FreeBytes() {
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t measured_at = free_measured_at_nanos_.load(std::memory_order_relaxed);
  if (now - measured_at >= 100'000'000 &&
      free_measured_at_nanos_.compare_exchange_strong(measured_at, now)) {
    struct statvfs info {};
    if (::statvfs(path_.c_str(), &info) == 0) {
      free_bytes_.store(static_cast<int64_t>(info.f_bavail) * static_cast<int64_t>(info.f_frsize),
                        std::memory_order_relaxed);
    }
  }
  return free_bytes_.load(std::memory_order_relaxed);
}

Status RocksDbStore::CheckFreeSpace() {
  if (reserve_ != nullptr && !reserve_->held()) {
    const int64_t free = FreeBytes();
    if (free >= min_free_bytes_ + reserve_->bytes() && reserve_->Hold().ok()) {
      free_bytes_.fetch_sub(reserve_->bytes(), std::memory_order_relaxed);
    }
    if (!reserve_->held()) {
      return Status::Unavailable(
          "otsd's disk is full: " + std::to_string(free) + " bytes free in " + path_ + "; the " +
          std::to_string(reserve_->bytes()) +
          " bytes it held in reserve (--reserved-space) went to the writes under way when the "
          "disk filled; writes are refused until " +
          std::to_string(min_free_bytes_ + reserve_->bytes()) + " bytes are free; reads go on");
    }
  }
  if (min_free_bytes_ <= 0) return Status::OK();
  const int64_t free = FreeBytes();
  if (free >= min_free_bytes_) return Status::OK();
  return Status::Unavailable("otsd's disk is full: " + std::to_string(free) + " bytes free in " +
                             path_ + ", fewer than the " + std::to_string(min_free_bytes_) +
                             " kept free (--min-free-space); writes are refused until space is "
                             "freed; reads go on");
}

Result<RowWriteOutcome> RocksDbStore::WriteRow(const std::string& instance,
                                               const std::string& table, const RowWrite& write) {
  OTSYNC_ASSIGN_OR_RETURN(TablePtr state, FindTable(instance, table));
  const int64_t now_millis = clock_->NowMillis();
  RowWriteOutcome outcome;
  std::vector<PendingRow> rows(1);
  rows[0].table = std::move(state);
  rows[0].write = &write;
  rows[0].outcome = &outcome;
  OTSYNC_RETURN_IF_ERROR(PrepareRow(&rows[0], now_millis));
  OTSYNC_RETURN_IF_ERROR(ExecuteWrites(&rows, now_millis));
  OTSYNC_RETURN_IF_ERROR(outcome.status);
  return outcome;
}

Result<std::vector<std::vector<RowWriteOutcome>>> RocksDbStore::BatchWriteRows(
    const std::string& instance, const std::vector<TableWrites>& tables) {
  size_t total_rows = 0;
  size_t total_bytes = 0;
  std::unordered_set<std::string> names;
  for (const TableWrites& writes : tables) {
    if (!names.insert(writes.table_name).second) {
      return Status::InvalidArgument("Duplicated table name: " + writes.table_name + ".");
    }
    total_rows += writes.rows.size();
    for (const RowWrite& write : writes.rows) total_bytes += RowDataSize(write.row);
  }
  if (total_rows > kMaxBatchWriteRows) {
    return Status::InvalidArgument(
        "Rows count exceeds the upper limit:" + std::to_string(kMaxBatchWriteRows) + ".");
  }
  if (total_bytes > kMaxBatchWriteBytes) {
    return Status::InvalidArgument("The total data size of the BatchWriteRow request exceeds " +
                                   std::to_string(kMaxBatchWriteBytes) + " bytes.");
  }
  const int64_t now_millis = clock_->NowMillis();
  std::vector<std::vector<RowWriteOutcome>> outcomes(tables.size());
  std::vector<PendingRow> rows;
  rows.reserve(total_rows);
  for (size_t t = 0; t < tables.size(); ++t) {
    const TableWrites& writes = tables[t];
    outcomes[t].resize(writes.rows.size());
    // A missing table or a malformed row fails the whole request and writes nothing (the
    // service's documented BatchWriteRow errors); conditions and conflicts fail per row.
    OTSYNC_ASSIGN_OR_RETURN(TablePtr state, FindTable(instance, writes.table_name));
    for (size_t r = 0; r < writes.rows.size(); ++r) {
      RowWriteOutcome* outcome = &outcomes[t][r];
      PendingRow& row = rows.emplace_back();
      row.table = state;
      row.write = &writes.rows[r];
      row.row_index = static_cast<uint32_t>(r);
      row.outcome = outcome;
      outcome->status = PrepareRow(&row, now_millis);
      if (!outcome->status.ok()) {
        return outcome->status.WithContext("table '" + writes.table_name + "', row " +
                                           std::to_string(r));
      }
    }
  }
  OTSYNC_RETURN_IF_ERROR(ExecuteWrites(&rows, now_millis));
  return outcomes;
}

Result<RangeResult> RocksDbStore::GetRange(const std::string& instance, const std::string& table,
                                           const RangeRequest& request) {
  RangeResult result;
  OTSYNC_ASSIGN_OR_RETURN(
      result.next_start_primary_key,
      ScanRangePage(instance, table, request,
                    [&](wire::PrimaryKey& primary_key, std::string_view stored,
                        const wire::TableDescription& description,
                        int64_t now_millis) -> Result<std::optional<size_t>> {
                      OTSYNC_ASSIGN_OR_RETURN(
                          std::optional<wire::Row> row,
                          ReturnedRowOfBytes(std::move(primary_key), stored, description,
                                             request.read, now_millis));
                      if (!row.has_value()) return std::optional<size_t>();
                      const size_t size = RowDataSize(*row);
                      result.rows.push_back(std::move(*row));
                      return std::optional<size_t>(size);
                    }));
  return result;
}

Result<std::optional<wire::PrimaryKey>> RocksDbStore::EncodeRangePage(
    const std::string& instance, const std::string& table, const RangeRequest& request,
    wire::PlainBufferWriter* out) {
  const bool whole_rows = ReadsWholeRows(request.read);
  return ScanRangePage(instance, table, request,
                       [&](wire::PrimaryKey& primary_key, std::string_view stored,
                           const wire::TableDescription& description,
                           int64_t now_millis) -> Result<std::optional<size_t>> {
                         if (whole_rows) {
                           return EncodeVisibleRow(primary_key, stored, description.options,
                                                   request.read, now_millis, out);
                         }
                         OTSYNC_ASSIGN_OR_RETURN(
                             std::optional<wire::Row> row,
                             ReturnedRowOfBytes(std::move(primary_key), stored, description,
                                                request.read, now_millis));
                         if (!row.has_value()) return std::optional<size_t>();
                         out->AppendRow(*row);
                         return std::optional<size_t>(RowDataSize(*row));
                       });
}

Result<std::optional<wire::PrimaryKey>> RocksDbStore::ScanRangePage(const std::string& instance,
                                                                    const std::string& table,
                                                                    const RangeRequest& request,
                                                                    const RangeRowEmitter& emit) {
  OTSYNC_ASSIGN_OR_RETURN(TablePtr state, FindTable(instance, table));
  const wire::TableDescription& description = state->description();
  OTSYNC_RETURN_IF_ERROR(ValidatePrimaryKey(request.inclusive_start, description.primary_key,
                                            PrimaryKeyUse::kRangeBound));
  OTSYNC_RETURN_IF_ERROR(ValidatePrimaryKey(request.exclusive_end, description.primary_key,
                                            PrimaryKeyUse::kRangeBound));
  OTSYNC_RETURN_IF_ERROR(ValidateReadOptions(request.read));
  if (request.limit < 0) return Status::InvalidArgument("The limit must be greater than 0.");
  const bool forward = request.direction == Direction::kForward;
  const int order = wire::ComparePrimaryKeys(request.inclusive_start, request.exclusive_end);
  if (forward && order >= 0) {
    return Status::InvalidArgument("Begin key must less than end key in FORWARD.");
  }
  if (!forward && order <= 0) {
    return Status::InvalidArgument("Begin key must more than end key in BACKWARD.");
  }
  const uint64_t table_id = state->record.table_id;
  const std::string start_key = EncodeRowKey(table_id, request.inclusive_start);
  const std::string end_key = EncodeRowKey(table_id, request.exclusive_end);
  // The smallest key above `end_key`: a BACKWARD scan stops before reaching `end_key` itself.
  const std::string backward_lower = end_key + '\0';
  rocksdb::Slice upper_bound(end_key);
  rocksdb::Slice lower_bound(backward_lower);
  rocksdb::ReadOptions read_options;
  if (forward) {
    read_options.iterate_upper_bound = &upper_bound;
  } else {
    read_options.iterate_lower_bound = &lower_bound;
  }
  const int32_t row_limit =
      request.limit > 0 ? std::min(request.limit, kMaxRangeRows) : kMaxRangeRows;
  const int64_t now_millis = clock_->NowMillis();

  int32_t rows_returned = 0;
  size_t bytes_returned = 0;
  std::optional<wire::PrimaryKey> next_start;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, rows_));
  if (forward) {
    it->Seek(start_key);
  } else {
    it->SeekForPrev(start_key);
  }
  // Decoded into from row to row; `emit` may move it away.
  wire::PrimaryKey primary_key;
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    OTSYNC_RETURN_IF_ERROR(
        DecodeRowKeyInto(it->key().ToStringView(), description.primary_key, &primary_key));
    if (rows_returned >= row_limit || bytes_returned >= kMaxRangeBytes) {
      next_start = std::move(primary_key);
      break;
    }
    OTSYNC_ASSIGN_OR_RETURN(std::optional<size_t> row_bytes,
                            emit(primary_key, it->value().ToStringView(), description, now_millis));
    if (!row_bytes.has_value()) continue;
    bytes_returned += *row_bytes;
    ++rows_returned;
  }
  OTSYNC_RETURN_IF_ERROR(FromRocksDb(it->status()));
  return next_start;
}

Result<std::vector<wire::PrimaryKey>> RocksDbStore::ComputeSplitPointsBySize(
    const std::string& instance, const std::string& table, int64_t split_size_bytes) {
  OTSYNC_ASSIGN_OR_RETURN(TablePtr state, FindTable(instance, table));
  if (split_size_bytes <= 0) {
    return Status::InvalidArgument("The split size must be greater than 0.");
  }
  // One partition per table: a valid answer for any size (docs/protocol.md §2.7).
  return std::vector<wire::PrimaryKey>();
}

Result<std::vector<StreamSummary>> RocksDbStore::ListStream(
    const std::string& instance, const std::optional<std::string>& table) {
  if (table.has_value()) OTSYNC_RETURN_IF_ERROR(FindTable(instance, *table).status());
  return stream_log_->ListStreams(instance, table);
}

Result<StreamDescription> RocksDbStore::DescribeStream(const std::string& instance,
                                                       const std::string& stream_id,
                                                       const std::string& inclusive_start_shard_id,
                                                       std::optional<int32_t> shard_limit) {
  return stream_log_->DescribeStream(instance, stream_id, inclusive_start_shard_id, shard_limit);
}

Result<std::string> RocksDbStore::GetShardIterator(const std::string& instance,
                                                   const std::string& stream_id,
                                                   const std::string& shard_id,
                                                   std::optional<int64_t> timestamp_micros) {
  return stream_log_->GetShardIterator(instance, stream_id, shard_id, timestamp_micros);
}

Result<StreamRecordBatch> RocksDbStore::GetStreamRecord(const std::string& instance,
                                                        const std::string& iterator,
                                                        std::optional<int32_t> limit) {
  return stream_log_->GetStreamRecords(instance, iterator, limit);
}

Result<StreamReadSummary> RocksDbStore::ReadStreamRecords(const std::string& instance,
                                                          const std::string& iterator,
                                                          std::optional<int32_t> limit,
                                                          StreamRecordVisitor* visitor) {
  return stream_log_->ReadStreamRecords(instance, iterator, limit, visitor);
}

Result<std::vector<std::string>> RocksDbStore::SplitStreamShard(const std::string& instance,
                                                                const std::string& table,
                                                                const std::string& shard_id,
                                                                const wire::Value& split_key) {
  OTSYNC_ASSIGN_OR_RETURN(TablePtr state, FindTable(instance, table));
  return stream_log_->SplitShard(state->ref(), shard_id, split_key);
}

Result<std::string> RocksDbStore::MergeStreamShards(const std::string& instance,
                                                    const std::string& table,
                                                    const std::string& shard_a,
                                                    const std::string& shard_b) {
  OTSYNC_ASSIGN_OR_RETURN(TablePtr state, FindTable(instance, table));
  return stream_log_->MergeShards(state->ref(), shard_a, shard_b);
}

Result<TrimStats> RocksDbStore::TrimStreams() { return stream_log_->Trim(clock_->NowMicros()); }

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.path.empty()) return Status::InvalidArgument("StoreOptions.path is empty.");
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.max_total_wal_size = options.max_total_wal_bytes;
  // A test build runs RocksDB's files under the fault points (fault_point_file_system.h).
  std::shared_ptr<rocksdb::FileSystem> file_system =
      options.file_system != nullptr ? options.file_system : rocksdb::FileSystem::Default();
  if (KillPointsCompiledIn()) file_system = WithFaultPoints(std::move(file_system));
  std::shared_ptr<ReservedSpace> reserve;
  const std::string reserve_path = options.path + "/otsd-reserved-space";
  if (options.reserved_bytes > 0) {
    std::error_code error;
    std::filesystem::create_directories(options.path, error);
    if (error) {
      return Status::IOError("cannot create the data directory " + options.path + ": " +
                             error.message());
    }
    reserve = std::make_shared<ReservedSpace>(reserve_path, options.reserved_bytes);
    // A disk without room for the reserve opens all the same; writes wait for the room.
    const Status held = reserve->Hold();
    if (!held.ok() && held.code() != StatusCode::kUnavailable) return held;
    file_system = WithReservedSpace(std::move(file_system), reserve);
  } else {
    std::error_code ignored;
    std::filesystem::remove(reserve_path, ignored);
  }
  std::unique_ptr<rocksdb::Env> env;
  if (file_system != rocksdb::FileSystem::Default()) {
    env = rocksdb::NewCompositeEnv(file_system);
    db_options.env = env.get();
  }

  std::shared_ptr<Clock> clock = options.clock ? options.clock : DefaultClock();
  auto registry = std::make_shared<TableOptionsRegistry>();
  rocksdb::ColumnFamilyOptions meta_options;
  rocksdb::ColumnFamilyOptions rows_options;
  rows_options.compaction_filter_factory = MakeRowCompactionFilterFactory(registry, clock);
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rows_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, meta_options},
      {kRowsFamily, rows_options},
  };
  // Stream records are written once, read about once in order, and dropped by range: LZ4
  // decompresses them for GetStreamRecord at a fraction of Snappy's cost, and blocks of 64 KiB
  // (RocksDB's default is 4 KiB) make a reader's pass one block read per ~200 records instead
  // of one per ~12: with 4 KiB blocks, fetching them (a pread each, uncached: fill_cache is off)
  // was half of otsd's time in GetStreamRecord.
  rocksdb::ColumnFamilyOptions records_options;
  records_options.compression = rocksdb::kLZ4Compression;
  rocksdb::BlockBasedTableOptions records_table_options;
  records_table_options.block_size = 64 * 1024;
  records_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(records_table_options));
  const std::vector<std::string> stream_families = StreamLog::ColumnFamilyNames();
  families.emplace_back(stream_families[0], rocksdb::ColumnFamilyOptions());
  families.emplace_back(stream_families[1], records_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  OTSYNC_RETURN_IF_ERROR(
      FromRocksDb(rocksdb::DB::Open(db_options, options.path, families, &handles, &db)));
  auto store =
      std::make_unique<RocksDbStore>(options, std::move(clock), std::move(env), std::move(reserve),
                                     db, std::move(handles), std::move(registry));
  OTSYNC_RETURN_IF_ERROR(
      store->OpenStreamLog(options.sync_writes, options.stream_enabling_period.count()));
  OTSYNC_RETURN_IF_ERROR(store->LoadCatalog());
  store->StartTrimThread(options.trim_interval);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace otsync::store
