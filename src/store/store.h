// Store: the storage engine behind otsd. Instances, tables, multi-version rows and (with the
// Stream issue) each table's change log, all in one RocksDB database. Knows nothing of HTTP or
// protobuf: the server converts requests to these calls.
//
// Contracts:
//  - Every write that the store acknowledges is in the RocksDB WAL (and fsynced when
//    StoreOptions::sync_writes is set) before the call returns.
//  - A row change and its stream record are written in the same RocksDB WriteBatch.
//  - Errors carry the service's messages (docs/protocol.md §1.7), e.g. NotFound "Requested
//    table does not exist.", ConditionCheckFailed "Condition check failed.".
//
// Thread safety: every method may be called from many threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/stream_types.h"
#include "wire/operations.h"
#include "wire/plain_buffer.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace rocksdb {
class FileSystem;
}  // namespace rocksdb

namespace otsync::store {

using wire::Direction;
using wire::RangeRequest;
using wire::RangeResult;
using wire::ReadOptions;
using wire::RowReadOutcome;
using wire::RowWrite;
using wire::RowWriteOutcome;
using wire::TableDescription;
using wire::TableReads;
using wire::TableUpdate;
using wire::TableWrites;

struct StoreOptions {
  std::string path;              // RocksDB directory; created when missing.
  std::shared_ptr<Clock> clock;  // Stamps cell versions and stream records.
  bool sync_writes = false;      // fsync the WAL on every write (machine-crash safety).
  // How often a background thread trims expired stream records (real time, whatever the
  // clock); zero disables the thread (TrimStreams() still works).
  std::chrono::milliseconds trim_interval{60'000};
  // How long DescribeStream reports a newly enabled stream as ENABLING before ACTIVE (by the
  // store's clock), as the service does for a moment; zero = ACTIVE at once. Records are
  // written from the first moment either way.
  std::chrono::microseconds stream_enabling_period{0};
  // Writes are refused (kUnavailable, "the disk is full") while the file system of `path` has
  // fewer bytes free than this, so that RocksDB does not meet a full disk: Debian's RocksDB 7.8
  // aborts the process on a write to its log after a failed one (an assertion left on in its
  // build). Checked at most every 100 ms. Zero: no check.
  int64_t min_free_bytes = 0;
  // A file of this size held in `path` (otsd-reserved-space) and given up to RocksDB's writes
  // under way when the disk fills faster than the check above can see (reserved_space.h); writes
  // are then refused until min_free_bytes + reserved_bytes are free. Zero: no reserve.
  int64_t reserved_bytes = 0;
  // The most RocksDB's write-ahead log files may hold together before the column families that
  // keep the oldest one alive are flushed. A family written rarely (the catalog, stream
  // metadata) keeps every log since its oldest unflushed write; RocksDB's own cap, four times
  // all write buffers, is 2 GiB for otsd's four families, so the logs grew by every write for
  // hours (found by the soak). Zero: RocksDB's default.
  uint64_t max_total_wal_bytes = uint64_t{128} << 20;
  // Tests only: the file system RocksDB's files live on, beneath the reserve's and the fault
  // points' wrappers (a test puts a disk that fills on command here). Null: the machine's.
  std::shared_ptr<rocksdb::FileSystem> file_system;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  virtual ~Store() = default;

  virtual Status CreateTable(const std::string& instance, const TableDescription& table) = 0;
  virtual Result<std::vector<std::string>> ListTables(const std::string& instance) = 0;
  virtual Result<TableDescription> DescribeTable(const std::string& instance,
                                                 const std::string& table) = 0;
  virtual Result<TableDescription> UpdateTable(const std::string& instance,
                                               const std::string& table,
                                               const TableUpdate& update) = 0;
  virtual Status DeleteTable(const std::string& instance, const std::string& table) = 0;

  virtual Result<RowReadOutcome> GetRow(const std::string& instance, const std::string& table,
                                        const wire::PrimaryKey& primary_key,
                                        const ReadOptions& options) = 0;
  virtual Result<RowWriteOutcome> WriteRow(const std::string& instance, const std::string& table,
                                           const RowWrite& write) = 0;
  // Outcomes in request order, one vector per table. A request-level error (too many rows,
  // duplicated table) fails the whole call; row-level errors are in the outcomes.
  virtual Result<std::vector<std::vector<RowReadOutcome>>> BatchGetRows(
      const std::string& instance, const std::vector<TableReads>& tables) = 0;
  virtual Result<std::vector<std::vector<RowWriteOutcome>>> BatchWriteRows(
      const std::string& instance, const std::vector<TableWrites>& tables) = 0;
  virtual Result<RangeResult> GetRange(const std::string& instance, const std::string& table,
                                       const RangeRequest& request) = 0;
  // The same page of the range written to `*out` as PlainBuffer rows (what a GetRange answer
  // carries) as they are read, holding no page of rows in memory; a read of whole rows (no
  // columns_to_get, filter, time range or column window) is encoded straight from the stored
  // bytes. Returns the next start key, absent when the range is finished. On error `*out` may
  // hold some rows.
  virtual Result<std::optional<wire::PrimaryKey>> EncodeRangePage(const std::string& instance,
                                                                  const std::string& table,
                                                                  const RangeRequest& request,
                                                                  wire::PlainBufferWriter* out) = 0;
  // Split points of roughly `split_size_bytes` each, as PK-only keys in increasing order.
  virtual Result<std::vector<wire::PrimaryKey>> ComputeSplitPointsBySize(
      const std::string& instance, const std::string& table, int64_t split_size_bytes) = 0;

  // ---- Streams (docs/protocol.md §2.6, §4) ----
  //
  // Stream ids come only from the stream log: DescribeTable and UpdateTable report its
  // settings. A PutRow, UpdateRow, DeleteRow or BatchWriteRow row appends its stream record in
  // the same WriteBatch as the row change.

  // Streams of `instance` by table name; only `table`'s when given (NotFound for an unknown
  // table, empty when it has no stream).
  virtual Result<std::vector<StreamSummary>> ListStream(
      const std::string& instance, const std::optional<std::string>& table) = 0;
  // NotFound "Requested stream does not exist."; InvalidArgument for shard_limit < 1.
  virtual Result<StreamDescription> DescribeStream(const std::string& instance,
                                                   const std::string& stream_id,
                                                   const std::string& inclusive_start_shard_id,
                                                   std::optional<int32_t> shard_limit) = 0;
  // Without `timestamp_micros`, at the shard's oldest retained record. NotFound for an unknown
  // stream, TrimmedDataAccess for a shard no longer in the stream.
  virtual Result<std::string> GetShardIterator(const std::string& instance,
                                               const std::string& stream_id,
                                               const std::string& shard_id,
                                               std::optional<int64_t> timestamp_micros) = 0;
  // InvalidArgument for a malformed or forged iterator or a limit < 1; TrimmedDataAccess
  // (kTrimmedDataMessage) for a trimmed position or a dropped stream.
  virtual Result<StreamRecordBatch> GetStreamRecord(const std::string& instance,
                                                    const std::string& iterator,
                                                    std::optional<int32_t> limit) = 0;
  // GetStreamRecord without copies: the same records are handed to `visitor` one by one (the
  // server encodes its response from them). On error the visitor may have seen some records of
  // the failed read: discard what it built.
  virtual Result<StreamReadSummary> ReadStreamRecords(const std::string& instance,
                                                      const std::string& iterator,
                                                      std::optional<int32_t> limit,
                                                      StreamRecordVisitor* visitor) = 0;
  // Grows whenever a stream read could answer differently other than by seeing newer records
  // (stream enabled or dropped, shard split, merged or trimmed); appends leave it alone. A read
  // that started after the version was observed, and whose version is unchanged now, is still
  // what a read now would return, up to records appended since.
  virtual uint64_t StreamStateVersion() const = 0;
  // Grows with every write to the database: rows, tables, stream records and their trimming. A
  // row read that started after the version was observed, and whose version is unchanged now,
  // is what a read now would return, except for cells whose TTL ran out in between.
  virtual uint64_t WriteVersion() const = 0;

  // ---- Stream admin (not public APIs: the server serves them to admin keys only) ----

  // Splits open `shard_id` at `split_key` (a value of the first PK column's type strictly inside
  // the shard); returns the two children, lower range first.
  virtual Result<std::vector<std::string>> SplitStreamShard(const std::string& instance,
                                                            const std::string& table,
                                                            const std::string& shard_id,
                                                            const wire::Value& split_key) = 0;
  // Merges two open adjacent shards; returns the child.
  virtual Result<std::string> MergeStreamShards(const std::string& instance,
                                                const std::string& table,
                                                const std::string& shard_a,
                                                const std::string& shard_b) = 0;
  // One retention pass now, at the clock's now.
  virtual Result<TrimStats> TrimStreams() = 0;
};

}  // namespace otsync::store
