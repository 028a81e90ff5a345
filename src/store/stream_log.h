// StreamLog: the change log of every table with Stream enabled (issue 3), kept in two RocksDB
// column families that the store opens and hands over (ColumnFamilyNames()). It owns streams,
// shards with lineage, stream records, iterators and retention; the store calls it from its
// write path and exposes its reads. Internal to src/store: include it only from store .cc files.
//
// Invariants:
//  - A record is put into the caller's WriteBatch (PutAppendedRecords), the same batch as its
//    row change, so a row change and its record become visible together or not at all
//    (docs/design.md invariant 1). The records a batch appends to one shard share one entry
//    (stream_record_block.h).
//  - Within a shard, commit timestamps (µs) strictly increase, across clock stalls, clocks
//    going back and reopens; a child shard's timestamps exceed its parents' last ones.
//  - Per shard, records are served in commit order (docs/design.md invariant 2): appends to a
//    table are serialized from Append until their batch is committed by the StreamWriteGuard.
//  - Every piece of metadata (streams, shards, trim horizons, counters) is persisted in the
//    metadata column family; last timestamps are recovered from the records at open.
//
// Kill points (base/kill_point.h) of a split or merge: stream.reshape.before_commit (the parents'
// closing and the children are in one batch, not written), stream.reshape.after_commit (written,
// not yet published in memory nor answered). Of a shard's trim: stream.trim.before_commit
// (readers already see the new horizon, or the expired closed shard gone; the batch that
// persists it and deletes the expired entries, or the whole shard, is not written),
// stream.trim.after_commit (written; the files the deletion empties not yet released). A row
// change and its record share one batch, so there is no step between them to kill at: the
// store's write path has the kill points.
//
// Lock order: StreamWriteGuard (per table) -> metadata write lock -> state lock. Lifecycle and
// admin calls (Enable/Disable/Split/Merge) take the table's guard themselves: never call them
// while holding a StreamWriteGuard. Trim never takes a table's guard.
//
// Thread safety: every method may be called from many threads at once.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/stream_iterator.h"
#include "store/stream_metadata.h"
#include "store/stream_record_block.h"
#include "store/stream_types.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace otsync::store {

// Exclusive right to append stream records for a set of tables until destroyed. Hold it from
// the first Append until the WriteBatch carrying the records is committed or dropped.
//
// Every call that enables, drops or reshapes a stream holds its table's guard, so whether a
// covered table has a stream cannot change while the guard is held: the guard records it once,
// and Append on a table without a stream costs no lock and no lookup.
class StreamWriteGuard {
 public:
  StreamWriteGuard(StreamWriteGuard&&) = default;
  StreamWriteGuard& operator=(StreamWriteGuard&&) = default;

  bool Covers(const TableRef& table) const;

 private:
  friend class StreamLog;
  StreamWriteGuard() = default;

  // The position of `table` in tables_, or nullopt when the guard does not cover it.
  std::optional<size_t> IndexOf(const TableRef& table) const;

  std::vector<TableRef> tables_;  // Sorted, unique: the order the locks were taken in.
  std::vector<bool> has_stream_;  // Beside tables_: read once all its locks were held.
  std::vector<std::unique_lock<std::mutex>> locks_;
  // Records appended under the guard and not yet put into a batch: one builder per shard
  // number, and the entries of builders that filled up (key, value).
  std::vector<std::pair<uint64_t, StreamRecordBlockBuilder>> open_blocks_;
  std::vector<std::pair<std::string, std::string>> full_blocks_;
};

class StreamLog {
 public:
  struct Options {
    rocksdb::DB* db = nullptr;                           // Outlives the log, as do the two handles.
    rocksdb::ColumnFamilyHandle* meta_family = nullptr;  // Named kMetaColumnFamily.
    rocksdb::ColumnFamilyHandle* records_family = nullptr;  // Named kRecordsColumnFamily.
    std::shared_ptr<Clock> clock;
    bool sync_writes = false;  // fsync the WAL on the log's own writes (lifecycle, trim).
    // See StoreOptions::stream_enabling_period.
    int64_t enabling_period_micros = 0;
  };

  // The column families the store must create/open and pass in Options: metadata, records.
  // Any ColumnFamilyOptions work for both (the store gives records LZ4 compression).
  static std::vector<std::string> ColumnFamilyNames();

  // Loads every stream and shard, recovers last timestamps, and creates the iterator key on
  // first use.
  static Result<std::unique_ptr<StreamLog>> Open(const Options& options);

  StreamLog(const StreamLog&) = delete;
  StreamLog& operator=(const StreamLog&) = delete;
  ~StreamLog();

  // ---- Lifecycle (CreateTable / UpdateTable / DeleteTable) ----
  //
  // `also_commit`, when given, holds the caller's own pending changes (e.g. the table row of a
  // CreateTable); this call adds the stream metadata to it and commits it, so both land
  // atomically. On error nothing is committed.

  // Starts a new stream with a new id "<table>_<creation µs>" and its initial shards.
  // kInvalidArgument for an expiration outside 1..168 hours, bad partition options, or a
  // stream already enabled on the table.
  Result<wire::StreamSettings> EnableStream(const TableRef& table,
                                            const StreamEnableOptions& options,
                                            rocksdb::WriteBatch* also_commit = nullptr);
  // Drops the stream, its shards and all its records. OK when no stream is enabled (and then
  // `also_commit` is still committed).
  Status DisableStream(const TableRef& table, rocksdb::WriteBatch* also_commit = nullptr);

  // What DescribeTable reports: `enabled` false and the rest empty without a stream.
  wire::StreamSettings Settings(const TableRef& table) const;
  // Streams of `instance`, by table name; only `table`'s when given.
  std::vector<StreamSummary> ListStreams(const std::string& instance,
                                         const std::optional<std::string>& table) const;
  // Status is kEnabling until Options::enabling_period_micros after the stream's creation (by
  // the clock), kActive from then on. Shards in id order (creation order, parents before children)
  // from `inclusive_start_shard_id` (empty = first); at most `shard_limit` (absent = all), with
  // next_shard_id set when more remain. kNotFound "Requested stream does not exist.".
  Result<StreamDescription> DescribeStream(const std::string& instance,
                                           const std::string& stream_id,
                                           const std::string& inclusive_start_shard_id,
                                           std::optional<int32_t> shard_limit) const;

  // ---- Admin: re-partitioning, as the service does it ----

  // Closes open `shard_id` and opens two children [start, split_key) and [split_key, end) with
  // parent_id = shard_id; returns their ids, lower range first. `split_key` must lie strictly
  // inside the shard and have the first PK column's type.
  Result<std::vector<std::string>> SplitShard(const TableRef& table, const std::string& shard_id,
                                              const wire::Value& split_key);
  // Closes two open shards whose ranges touch and opens one child covering both, with
  // parent_id = the lower-range shard and parent_sibling_id = the other; returns its id.
  Result<std::string> MergeShards(const TableRef& table, const std::string& shard_a,
                                  const std::string& shard_b);

  // ---- Write path ----

  // Locks `tables` (any order, duplicates allowed) for appending, whether or not they have a
  // stream. Blocks while another writer or a lifecycle call holds one of them.
  StreamWriteGuard LockForWrites(std::vector<TableRef> tables);

  // Appends the stream record of one applied row change to the records `guard` holds for
  // PutAppendedRecords, or nothing when `table` has no stream. `change` is the change as applied:
  // the full primary key (auto-increment values resolved); for kPutRow the put cells, each with
  // value and its (server-assigned) timestamp; for kUpdateRow the cells in request order: put
  // (value + timestamp), delete-one-version (timestamp), delete-all-versions (an increment is given
  // as a put of its resulting value); for kDeleteRow cells are ignored. `row_index` is the row's
  // position in its request. REQUIRED: `guard` covers `table`. kInvalidArgument for a change that
  // breaks these rules (a store bug); on error nothing is appended. `assigned` receives the
  // sequence info when a record was appended.
  Status Append(StreamWriteGuard* guard, const TableRef& table, wire::StreamAction action,
                const wire::Row& change, uint32_t row_index,
                wire::SequenceInfo* assigned = nullptr);
  // Append in two steps, so that a writer holds its guard for less: EncodeRecord checks and
  // encodes the record of a change as Append would (the same rules and errors) before the guard
  // is taken, its sequence timestamp left at 0; AppendEncoded, under the guard, sets the shard's
  // timestamp into `*record` and appends it, exactly as Append does from there. `first_key` is the
  // change's first primary key column's value. Nothing is appended on error.
  static Status EncodeRecord(wire::StreamAction action, const wire::Row& change, uint32_t row_index,
                             std::string* record);
  Status AppendEncoded(StreamWriteGuard* guard, const TableRef& table, wire::StreamAction action,
                       const wire::Value& first_key, uint32_t row_index, std::string* record,
                       wire::SequenceInfo* assigned = nullptr);
  // Whether `table` has a stream now. Without a guard it may change at once: a writer uses it
  // to decide whether to encode records before taking its guard, and the guard decides.
  bool HasStream(const TableRef& table) const;
  // Puts every record appended under `guard` since the last call into `batch`: the records one
  // shard got become one entry (stream_record_block.h). Call it once the batch holds the rows'
  // changes, and keep holding `guard` until `batch` is committed or dropped. On error (RocksDB
  // refused an entry) the batch holds only some of the records: the caller must drop it.
  Status PutAppendedRecords(StreamWriteGuard* guard, rocksdb::WriteBatch* batch) const;

  // ---- Read path ----

  // An iterator at the shard's oldest retained record (trim horizon), or with `timestamp_micros`
  // at its first record at or after that time (never before the trim horizon).
  // kNotFound for an unknown stream (or one of another instance); kTrimmedDataAccess for a shard
  // no longer in the stream.
  Result<std::string> GetShardIterator(const std::string& instance, const std::string& stream_id,
                                       const std::string& shard_id,
                                       std::optional<int64_t> timestamp_micros) const;

  // Up to `limit` records (absent = kDefaultStreamRecordLimit, capped at kMaxStreamRecordLimit,
  // and ~kMaxStreamRecordBytes per call) from `iterator` in commit order. See StreamRecordBatch
  // for the next iterator; may_more_record is true when the limit was reached or more records
  // are immediately available, false at the end of a closed shard.
  // kInvalidArgument for a malformed or forged iterator or a limit < 1; kTrimmedDataAccess
  // (kTrimmedDataMessage) for a position before the trim horizon or a dropped stream/shard.
  Result<StreamRecordBatch> GetStreamRecords(const std::string& instance,
                                             const std::string& iterator,
                                             std::optional<int32_t> limit) const;
  // The same read, handing each record to `visitor` straight from RocksDB's buffers instead of
  // copying it into a batch. On error the visitor may have seen part of the read.
  Result<StreamReadSummary> ReadStreamRecords(const std::string& instance,
                                              const std::string& iterator,
                                              std::optional<int32_t> limit,
                                              StreamRecordVisitor* visitor) const;

  // Grows whenever a read could answer differently other than by seeing newer records: a
  // stream enabled or dropped, a shard split, merged, trimmed or removed. Appends leave it
  // alone. A read that began after version V was observed and ended while the version is still
  // V is what a read now would return, up to records appended since (the server's read-ahead
  // relies on it).
  uint64_t StateVersion() const { return state_version_.load(std::memory_order_acquire); }

  // ---- Retention ----

  // Deletes every record older than `now_micros` minus its stream's expiration (DeleteRange per
  // shard) and advances the trim horizons; drops closed shards whose records are all expired.
  // Records go by entry (stream_record_block.h): an entry with records on both sides of the
  // cutoff stays, and the horizon moves to its first record kept, so no expired record is read.
  // Takes no table guard: writers are not blocked. Called periodically by the store's
  // background thread (with the clock's now) and by tests.
  Result<TrimStats> Trim(int64_t now_micros);

 private:
  struct ShardState {
    ShardMeta meta;
    int64_t last_timestamp = 0;  // Last assigned (possibly uncommitted) commit timestamp.
  };
  struct StreamState {
    StreamMeta meta;
    std::map<std::string, ShardState> shards;  // By shard id.
  };
  struct TrimTarget {
    std::string stream_id;
    std::string shard_id;
  };

  explicit StreamLog(const Options& options);

  Status Load();
  Status LoadIteratorKey();
  Result<int64_t> LastRecordTimestamp(uint64_t shard_number) const;
  Status Commit(rocksdb::WriteBatch* batch) const;

  // REQUIRES: state_mu_ held.
  StreamState* FindStreamLocked(const TableRef& table) const;
  const StreamState* FindStreamByIdLocked(const std::string& instance,
                                          const std::string& stream_id) const;
  ShardState* RouteLocked(StreamState* stream, const wire::Value& first_key_value) const;

  // What a split or a merge does: the open shards it closes (a merge's lower range first) and
  // the key ranges [inclusive_start, exclusive_end) of the shards it opens.
  struct Reshape {
    std::vector<const ShardState*> parents;
    std::vector<std::pair<wire::Value, wire::Value>> child_ranges;
  };
  // Checks a split or merge request against the stream's current state (called under state_mu_)
  // and says what it does; an error refuses the request and changes nothing.
  using PlanReshape = std::function<Result<Reshape>(const StreamState& stream)>;
  // The sequence split and merge share: takes the table's write guard and meta_write_mu_, plans,
  // closes the parents, creates the children (parent = the first parent, parent sibling = the
  // second, floor = the parents' last timestamp), persists counters, stream and shards in one
  // batch, then publishes them in memory. Returns the children's ids in range order.
  Result<std::vector<std::string>> ReshapeShards(const TableRef& table, const PlanReshape& plan);

  // REQUIRES: meta_write_mu_ held (counters_ and next_shard_sequence are taken from).
  ShardMeta NewShardLocked(StreamMeta* stream, StreamCounters* counters) const;
  Status TrimShard(const TrimTarget& target, int64_t now_micros, TrimStats* stats);
  void ReleaseFiles(const std::string& begin, const std::string& end) const;

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const meta_family_;
  rocksdb::ColumnFamilyHandle* const records_family_;
  const std::shared_ptr<Clock> clock_;
  const bool sync_writes_;
  const int64_t enabling_period_micros_;
  std::optional<ShardIteratorCodec> iterator_codec_;  // Set by Open.

  // Serializes every metadata write (lifecycle, admin, trim) with the in-memory update that
  // follows it, so concurrent writers never persist stale copies of the same shard.
  std::mutex meta_write_mu_;
  StreamCounters counters_;  // Guarded by meta_write_mu_.

  mutable std::mutex state_mu_;
  std::map<TableRef, std::unique_ptr<StreamState>> streams_;  // Guarded by state_mu_.
  std::map<std::string, StreamState*> streams_by_id_;         // Guarded by state_mu_.
  // Incremented under state_mu_ by every change of streams_ and their shards; see StateVersion.
  std::atomic<uint64_t> state_version_{0};
  // One per table ever locked; never erased, so a guard's mutexes outlive any table change.
  std::map<TableRef, std::unique_ptr<std::mutex>> write_mutexes_;  // Guarded by state_mu_.
};

}  // namespace otsync::store
