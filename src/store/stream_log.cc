#include "store/stream_log.h"

#include <rocksdb/convenience.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

#include "base/kill_point.h"
#include "store/stream_keys.h"
#include "store/stream_partitioning.h"
#include "wire/coding.h"
#include "wire/plain_buffer.h"

namespace otsync::store {
namespace {

namespace keys = stream_keys;

constexpr int64_t kMicrosPerHour = int64_t{3600} * 1000 * 1000;

// The entry under a RocksDB iterator (stream_record_block.h).
Status OpenEntry(uint64_t shard_number, const rocksdb::Slice& key, const rocksdb::Slice& value,
                 StoredRecordCursor* cursor) {
  return OpenRecordEntry(shard_number, key.ToStringView(), value.ToStringView(), cursor);
}

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  return Status::IOError("stream log: " + std::string(what) + ": " + status.ToString());
}

Status Trimmed() {
  return Status(StatusCode::kTrimmedDataAccess, std::string(kTrimmedDataMessage));
}

Status StreamNotFound() { return Status::NotFound("Requested stream does not exist."); }

Status NotEnabled(const TableRef& table) {
  return Status::NotFound("The stream of table '" + table.table + "' is not enabled.");
}

std::string ShardIdFromSequence(uint32_t sequence) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%08u", sequence);
  return buffer;
}

StreamShardInfo ShardInfo(const ShardMeta& meta) {
  return StreamShardInfo{meta.shard_id,        meta.parent_id,     meta.parent_sibling_id,
                         meta.inclusive_start, meta.exclusive_end, meta.open};
}

// A stream record holds exactly the cell kinds of docs/protocol.md §3.10; anything else from the
// store is a bug caught here rather than on a consumer's decoder. The record of a put or an update
// is `change` itself with its sequence info (store/row_mutation.h: a change carries no delete
// marker), so it is checked here and encoded in place, not copied.
Status CheckRecordRow(wire::StreamAction action, const wire::Row& change) {
  if (change.primary_key.empty()) {
    return Status::InvalidArgument("stream record: the primary key is empty");
  }
  for (const wire::PrimaryKeyColumn& column : change.primary_key) {
    wire::ValueType type = column.value.type();
    if (type != wire::ValueType::kInteger && type != wire::ValueType::kString &&
        type != wire::ValueType::kBinary) {
      return Status::InvalidArgument("stream record: primary key column '" + column.name +
                                     "' holds " + column.value.DebugString());
    }
  }
  // A deleted row's record is its primary key alone: its cells and marker are not looked at.
  if (action == wire::StreamAction::kDeleteRow) return Status::OK();
  if (change.delete_marker) {
    return Status::InvalidArgument("stream record: a delete marker outside a delete");
  }
  for (const wire::Cell& cell : change.cells) {
    switch (cell.operation) {
      case wire::CellOperation::kPut:
        if (!cell.value.has_value() || !cell.timestamp.has_value()) {
          return Status::InvalidArgument("stream record: put cell '" + cell.name +
                                         "' needs a value and a timestamp");
        }
        break;
      case wire::CellOperation::kDeleteOneVersion:
        if (action != wire::StreamAction::kUpdateRow || !cell.timestamp.has_value() ||
            cell.value.has_value()) {
          return Status::InvalidArgument("stream record: delete-one-version cell '" + cell.name +
                                         "' needs an update and a timestamp, and no value");
        }
        break;
      case wire::CellOperation::kDeleteAllVersions:
        if (action != wire::StreamAction::kUpdateRow || cell.timestamp.has_value() ||
            cell.value.has_value()) {
          return Status::InvalidArgument("stream record: delete-all-versions cell '" + cell.name +
                                         "' outside an update, or with a value or timestamp");
        }
        break;
      case wire::CellOperation::kIncrement:
        return Status::InvalidArgument("stream record: increment cell '" + cell.name +
                                       "' must be given as a put of its result");
    }
  }
  return Status::OK();
}

}  // namespace

bool StreamWriteGuard::Covers(const TableRef& table) const { return IndexOf(table).has_value(); }

std::optional<size_t> StreamWriteGuard::IndexOf(const TableRef& table) const {
  auto it = std::lower_bound(tables_.begin(), tables_.end(), table);
  if (it == tables_.end() || *it != table) return std::nullopt;
  return static_cast<size_t>(it - tables_.begin());
}

std::vector<std::string> StreamLog::ColumnFamilyNames() {
  return {keys::kMetaColumnFamily, keys::kRecordsColumnFamily};
}

StreamLog::StreamLog(const Options& options)
    : db_(options.db),
      meta_family_(options.meta_family),
      records_family_(options.records_family),
      clock_(options.clock),
      sync_writes_(options.sync_writes),
      enabling_period_micros_(options.enabling_period_micros) {}

StreamLog::~StreamLog() = default;

Result<std::unique_ptr<StreamLog>> StreamLog::Open(const Options& options) {
  if (options.db == nullptr || options.meta_family == nullptr ||
      options.records_family == nullptr || options.clock == nullptr) {
    return Status::InvalidArgument("stream log: db, column families and clock are required");
  }
  std::unique_ptr<StreamLog> log(new StreamLog(options));
  OTSYNC_RETURN_IF_ERROR(log->Load());
  return log;
}

Status StreamLog::LoadIteratorKey() {
  std::string key;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), meta_family_, std::string(keys::kIteratorKeyKey), &key);
  if (status.IsNotFound()) {
    OTSYNC_ASSIGN_OR_RETURN(key, ShardIteratorCodec::GenerateKey());
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    status = db_->Put(write_options, meta_family_, std::string(keys::kIteratorKeyKey), key);
    if (!status.ok()) return FromRocks(status, "storing the iterator key");
  } else if (!status.ok()) {
    return FromRocks(status, "reading the iterator key");
  }
  if (key.size() != ShardIteratorCodec::kKeySize) {
    return Status::Corruption("stream log metadata: damaged iterator key");
  }
  iterator_codec_.emplace(std::move(key));
  return Status::OK();
}

Result<int64_t> StreamLog::LastRecordTimestamp(uint64_t shard_number) const {
  std::string lower = keys::ShardPrefix(shard_number);
  std::string upper = keys::ShardPrefix(shard_number + 1);
  rocksdb::Slice lower_slice(lower);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_slice;
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, records_family_));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "reading a shard's last record");
  if (!it->Valid()) return std::numeric_limits<int64_t>::min();
  StoredRecordCursor cursor;
  OTSYNC_RETURN_IF_ERROR(OpenEntry(shard_number, it->key(), it->value(), &cursor));
  return cursor.last_position().timestamp;
}

Status StreamLog::Load() {
  OTSYNC_RETURN_IF_ERROR(LoadIteratorKey());

  std::string counters_bytes;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), meta_family_,
                                    std::string(keys::kCountersKey), &counters_bytes);
  if (status.ok()) {
    OTSYNC_ASSIGN_OR_RETURN(counters_, DecodeStreamCounters(counters_bytes));
  } else if (!status.IsNotFound()) {
    return FromRocks(status, "reading the counters");
  }

  auto scan = [&](std::string_view prefix, auto&& visit) -> Status {
    std::string upper = keys::PrefixEnd(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions read_options;
    read_options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, meta_family_));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      OTSYNC_RETURN_IF_ERROR(visit(it->key().ToStringView(), it->value().ToStringView()));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning metadata");
    return Status::OK();
  };

  std::lock_guard<std::mutex> meta_lock(meta_write_mu_);
  std::lock_guard<std::mutex> state_lock(state_mu_);
  OTSYNC_RETURN_IF_ERROR(
      scan(keys::kStreamPrefix, [&](std::string_view, std::string_view value) -> Status {
        OTSYNC_ASSIGN_OR_RETURN(StreamMeta meta, DecodeStreamMeta(value));
        auto state = std::make_unique<StreamState>();
        state->meta = std::move(meta);
        counters_.last_creation_micros =
            std::max(counters_.last_creation_micros, state->meta.creation_micros);
        streams_by_id_[state->meta.stream_id] = state.get();
        TableRef table = state->meta.table;
        streams_[std::move(table)] = std::move(state);
        return Status::OK();
      }));
  OTSYNC_RETURN_IF_ERROR(
      scan(keys::kShardPrefix, [&](std::string_view key, std::string_view value) -> Status {
        wire::ByteReader reader(key.substr(keys::kShardPrefix.size()));
        std::string stream_id;
        if (!reader.GetBigEndian16LengthPrefixed(&stream_id)) {
          return Status::Corruption("stream log metadata: damaged shard key");
        }
        auto stream = streams_by_id_.find(stream_id);
        if (stream == streams_by_id_.end()) {
          return Status::Corruption("stream log metadata: shard of unknown stream " + stream_id);
        }
        OTSYNC_ASSIGN_OR_RETURN(ShardMeta meta, DecodeShardMeta(value));
        OTSYNC_ASSIGN_OR_RETURN(int64_t last_record, LastRecordTimestamp(meta.number));
        ShardState shard;
        shard.last_timestamp =
            std::max({meta.floor_timestamp, meta.trim_horizon.timestamp - 1, last_record});
        counters_.next_shard_number = std::max(counters_.next_shard_number, meta.number + 1);
        shard.meta = std::move(meta);
        std::string shard_id = shard.meta.shard_id;
        stream->second->shards.emplace(std::move(shard_id), std::move(shard));
        return Status::OK();
      }));
  return Status::OK();
}

Status StreamLog::Commit(rocksdb::WriteBatch* batch) const {
  rocksdb::WriteOptions write_options;
  write_options.sync = sync_writes_;
  rocksdb::Status status = db_->Write(write_options, batch);
  if (!status.ok()) return FromRocks(status, "write");
  return Status::OK();
}

StreamLog::StreamState* StreamLog::FindStreamLocked(const TableRef& table) const {
  auto it = streams_.find(table);
  return it == streams_.end() ? nullptr : it->second.get();
}

const StreamLog::StreamState* StreamLog::FindStreamByIdLocked(const std::string& instance,
                                                              const std::string& stream_id) const {
  auto it = streams_by_id_.find(stream_id);
  if (it == streams_by_id_.end() || it->second->meta.table.instance != instance) return nullptr;
  return it->second;
}

StreamLog::ShardState* StreamLog::RouteLocked(StreamState* stream,
                                              const wire::Value& first_key_value) const {
  for (auto& [id, shard] : stream->shards) {
    if (shard.meta.open && shard.meta.inclusive_start.Compare(first_key_value) <= 0 &&
        first_key_value.Compare(shard.meta.exclusive_end) < 0) {
      return &shard;
    }
  }
  return nullptr;
}

ShardMeta StreamLog::NewShardLocked(StreamMeta* stream, StreamCounters* counters) const {
  ShardMeta shard;
  shard.shard_id = ShardIdFromSequence(stream->next_shard_sequence++);
  shard.number = counters->next_shard_number++;
  return shard;
}

// ---- Lifecycle ----

Result<wire::StreamSettings> StreamLog::EnableStream(const TableRef& table,
                                                     const StreamEnableOptions& options,
                                                     rocksdb::WriteBatch* also_commit) {
  if (options.expiration_hours < kMinStreamExpirationHours ||
      options.expiration_hours > kMaxStreamExpirationHours) {
    return Status::InvalidArgument("expiration_time must be between 1 and 168 hours");
  }
  OTSYNC_ASSIGN_OR_RETURN(std::vector<wire::Value> points, InitialSplitPoints(options));

  StreamWriteGuard guard = LockForWrites({table});
  std::lock_guard<std::mutex> meta_lock(meta_write_mu_);
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    if (FindStreamLocked(table) != nullptr) {
      return Status::InvalidArgument("The stream of table '" + table.table +
                                     "' is already enabled.");
    }
  }
  StreamCounters counters = counters_;
  StreamMeta meta;
  meta.table = table;
  meta.expiration_hours = options.expiration_hours;
  meta.first_key_type = options.first_key_type;
  meta.creation_micros = std::max(clock_->NowMicros(), counters.last_creation_micros + 1);
  meta.stream_id = table.table + "_" + std::to_string(meta.creation_micros);
  counters.last_creation_micros = meta.creation_micros;

  std::vector<ShardMeta> shards;
  for (size_t i = 0; i <= points.size(); ++i) {
    ShardMeta shard = NewShardLocked(&meta, &counters);
    shard.inclusive_start = i == 0 ? wire::Value::InfMin() : points[i - 1];
    shard.exclusive_end = i == points.size() ? wire::Value::InfMax() : points[i];
    shards.push_back(std::move(shard));
  }

  rocksdb::WriteBatch own_batch;
  rocksdb::WriteBatch* batch = also_commit != nullptr ? also_commit : &own_batch;
  batch->Put(meta_family_, std::string(keys::kCountersKey), EncodeStreamCounters(counters));
  batch->Put(meta_family_, keys::StreamKey(table), EncodeStreamMeta(meta));
  for (const ShardMeta& shard : shards) {
    batch->Put(meta_family_, keys::ShardKey(meta.stream_id, shard.shard_id),
               EncodeShardMeta(shard));
  }
  OTSYNC_RETURN_IF_ERROR(Commit(batch));

  counters_ = counters;
  wire::StreamSettings settings{true, meta.expiration_hours, meta.stream_id, meta.creation_micros};
  auto state = std::make_unique<StreamState>();
  state->meta = std::move(meta);
  for (ShardMeta& shard : shards) {
    ShardState shard_state;
    shard_state.last_timestamp = shard.floor_timestamp;
    shard_state.meta = std::move(shard);
    std::string shard_id = shard_state.meta.shard_id;
    state->shards.emplace(std::move(shard_id), std::move(shard_state));
  }
  std::lock_guard<std::mutex> state_lock(state_mu_);
  streams_by_id_[state->meta.stream_id] = state.get();
  streams_[table] = std::move(state);
  state_version_.fetch_add(1, std::memory_order_release);
  return settings;
}

Status StreamLog::DisableStream(const TableRef& table, rocksdb::WriteBatch* also_commit) {
  StreamWriteGuard guard = LockForWrites({table});
  std::lock_guard<std::mutex> meta_lock(meta_write_mu_);
  rocksdb::WriteBatch own_batch;
  rocksdb::WriteBatch* batch = also_commit != nullptr ? also_commit : &own_batch;
  std::vector<uint64_t> shard_numbers;
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    StreamState* stream = FindStreamLocked(table);
    if (stream == nullptr) {
      if (batch->Count() == 0) return Status::OK();
      return Commit(batch);
    }
    batch->Delete(meta_family_, keys::StreamKey(table));
    for (const auto& [id, shard] : stream->shards) {
      batch->Delete(meta_family_, keys::ShardKey(stream->meta.stream_id, id));
      batch->DeleteRange(records_family_, keys::ShardPrefix(shard.meta.number),
                         keys::ShardPrefix(shard.meta.number + 1));
      shard_numbers.push_back(shard.meta.number);
    }
  }
  OTSYNC_RETURN_IF_ERROR(Commit(batch));
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    auto it = streams_.find(table);
    streams_by_id_.erase(it->second->meta.stream_id);
    streams_.erase(it);
    state_version_.fetch_add(1, std::memory_order_release);
  }
  for (uint64_t number : shard_numbers) {
    ReleaseFiles(keys::ShardPrefix(number), keys::ShardPrefix(number + 1));
  }
  return Status::OK();
}

wire::StreamSettings StreamLog::Settings(const TableRef& table) const {
  std::lock_guard<std::mutex> state_lock(state_mu_);
  const StreamState* stream = FindStreamLocked(table);
  if (stream == nullptr) return wire::StreamSettings{};
  return wire::StreamSettings{true, stream->meta.expiration_hours, stream->meta.stream_id,
                              stream->meta.creation_micros};
}

std::vector<StreamSummary> StreamLog::ListStreams(const std::string& instance,
                                                  const std::optional<std::string>& table) const {
  std::vector<StreamSummary> streams;
  std::lock_guard<std::mutex> state_lock(state_mu_);
  for (auto it = streams_.lower_bound(TableRef{instance, table.value_or("")});
       it != streams_.end() && it->first.instance == instance; ++it) {
    if (table.has_value() && it->first.table != *table) break;
    const StreamMeta& meta = it->second->meta;
    streams.push_back(StreamSummary{meta.stream_id, meta.table.table, meta.creation_micros});
  }
  return streams;
}

Result<StreamDescription> StreamLog::DescribeStream(const std::string& instance,
                                                    const std::string& stream_id,
                                                    const std::string& inclusive_start_shard_id,
                                                    std::optional<int32_t> shard_limit) const {
  if (shard_limit.has_value() && *shard_limit < 1) {
    return Status::InvalidArgument("shard_limit must be positive");
  }
  std::lock_guard<std::mutex> state_lock(state_mu_);
  const StreamState* stream = FindStreamByIdLocked(instance, stream_id);
  if (stream == nullptr) return StreamNotFound();
  StreamDescription description;
  description.stream_id = stream->meta.stream_id;
  description.table_name = stream->meta.table.table;
  description.expiration_hours = stream->meta.expiration_hours;
  description.creation_time_micros = stream->meta.creation_micros;
  description.status = clock_->NowMicros() < stream->meta.creation_micros + enabling_period_micros_
                           ? wire::StreamStatus::kEnabling
                           : wire::StreamStatus::kActive;
  for (auto it = stream->shards.lower_bound(inclusive_start_shard_id); it != stream->shards.end();
       ++it) {
    if (shard_limit.has_value() && description.shards.size() >= static_cast<size_t>(*shard_limit)) {
      description.next_shard_id = it->first;
      break;
    }
    description.shards.push_back(ShardInfo(it->second.meta));
  }
  return description;
}

// ---- Admin ----

Result<std::vector<std::string>> StreamLog::SplitShard(const TableRef& table,
                                                       const std::string& shard_id,
                                                       const wire::Value& split_key) {
  return ReshapeShards(table, [&](const StreamState& stream) -> Result<Reshape> {
    auto shard = stream.shards.find(shard_id);
    if (shard == stream.shards.end()) return Status::NotFound("Requested shard does not exist.");
    const ShardMeta& parent = shard->second.meta;
    if (!parent.open) return Status::InvalidArgument("shard " + shard_id + " is closed");
    if (!wire::MatchesPrimaryKeyType(split_key, stream.meta.first_key_type)) {
      return Status::InvalidArgument("split key " + split_key.DebugString() +
                                     " is not of the first primary key column's type");
    }
    if (parent.inclusive_start.Compare(split_key) >= 0 ||
        split_key.Compare(parent.exclusive_end) >= 0) {
      return Status::InvalidArgument("split key " + split_key.DebugString() +
                                     " is not strictly inside shard " + shard_id);
    }
    Reshape reshape;
    reshape.parents = {&shard->second};
    reshape.child_ranges = {{parent.inclusive_start, split_key}, {split_key, parent.exclusive_end}};
    return reshape;
  });
}

Result<std::string> StreamLog::MergeShards(const TableRef& table, const std::string& shard_a,
                                           const std::string& shard_b) {
  OTSYNC_ASSIGN_OR_RETURN(
      std::vector<std::string> child_ids,
      ReshapeShards(table, [&](const StreamState& stream) -> Result<Reshape> {
        auto a = stream.shards.find(shard_a);
        auto b = stream.shards.find(shard_b);
        if (a == stream.shards.end() || b == stream.shards.end()) {
          return Status::NotFound("Requested shard does not exist.");
        }
        if (a == b) return Status::InvalidArgument("cannot merge a shard with itself");
        if (!a->second.meta.open || !b->second.meta.open) {
          return Status::InvalidArgument("only open shards can be merged");
        }
        if (b->second.meta.exclusive_end.Compare(a->second.meta.inclusive_start) == 0) {
          std::swap(a, b);
        }
        if (a->second.meta.exclusive_end.Compare(b->second.meta.inclusive_start) != 0) {
          return Status::InvalidArgument("shards " + shard_a + " and " + shard_b +
                                         " are not adjacent");
        }
        Reshape reshape;
        reshape.parents = {&a->second, &b->second};
        reshape.child_ranges = {{a->second.meta.inclusive_start, b->second.meta.exclusive_end}};
        return reshape;
      }));
  return child_ids.front();
}

Result<std::vector<std::string>> StreamLog::ReshapeShards(const TableRef& table,
                                                          const PlanReshape& plan) {
  StreamWriteGuard guard = LockForWrites({table});
  std::lock_guard<std::mutex> meta_lock(meta_write_mu_);

  // Plan against the current state: the parents to close and the children's ranges.
  StreamCounters counters = counters_;
  StreamMeta stream_meta;
  std::vector<ShardMeta> parents;
  std::vector<std::pair<wire::Value, wire::Value>> child_ranges;
  int64_t floor = 0;
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    const StreamState* stream = FindStreamLocked(table);
    if (stream == nullptr) return NotEnabled(table);
    OTSYNC_ASSIGN_OR_RETURN(Reshape reshape, plan(*stream));
    stream_meta = stream->meta;
    for (const ShardState* parent : reshape.parents) {
      parents.push_back(parent->meta);
      floor = std::max(floor, parent->last_timestamp);
    }
    child_ranges = std::move(reshape.child_ranges);
  }

  // Close the parents and make the children: a child's parent is the first parent, its parent
  // sibling the second (a merge's); its records start after every record of its parents.
  const int64_t now = clock_->NowMicros();
  for (ShardMeta& parent : parents) {
    parent.open = false;
    parent.closed_micros = now;
  }
  std::vector<ShardMeta> children;
  for (auto& [inclusive_start, exclusive_end] : child_ranges) {
    ShardMeta child = NewShardLocked(&stream_meta, &counters);
    child.parent_id = parents[0].shard_id;
    if (parents.size() > 1) child.parent_sibling_id = parents[1].shard_id;
    child.inclusive_start = std::move(inclusive_start);
    child.exclusive_end = std::move(exclusive_end);
    child.floor_timestamp = floor;
    children.push_back(std::move(child));
  }

  // Persist counters, stream and every changed shard in one batch.
  rocksdb::WriteBatch batch;
  batch.Put(meta_family_, std::string(keys::kCountersKey), EncodeStreamCounters(counters));
  batch.Put(meta_family_, keys::StreamKey(table), EncodeStreamMeta(stream_meta));
  for (const std::vector<ShardMeta>* shards : {&parents, &children}) {
    for (const ShardMeta& shard : *shards) {
      batch.Put(meta_family_, keys::ShardKey(stream_meta.stream_id, shard.shard_id),
                EncodeShardMeta(shard));
    }
  }
  OTSYNC_KILL_POINT("stream.reshape.before_commit");
  OTSYNC_RETURN_IF_ERROR(Commit(&batch));
  OTSYNC_KILL_POINT("stream.reshape.after_commit");

  // Publish in memory what was persisted.
  counters_ = counters;
  std::vector<std::string> child_ids;
  std::lock_guard<std::mutex> state_lock(state_mu_);
  StreamState* stream = FindStreamLocked(table);
  stream->meta = stream_meta;
  for (ShardMeta& parent : parents) stream->shards[parent.shard_id].meta = std::move(parent);
  for (ShardMeta& child : children) {
    child_ids.push_back(child.shard_id);
    ShardState state;
    state.last_timestamp = child.floor_timestamp;
    state.meta = std::move(child);
    stream->shards[state.meta.shard_id] = std::move(state);
  }
  state_version_.fetch_add(1, std::memory_order_release);
  return child_ids;
}

// ---- Write path ----

StreamWriteGuard StreamLog::LockForWrites(std::vector<TableRef> tables) {
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  std::vector<std::mutex*> mutexes;
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    for (const TableRef& table : tables) {
      std::unique_ptr<std::mutex>& mutex = write_mutexes_[table];
      if (mutex == nullptr) mutex = std::make_unique<std::mutex>();
      mutexes.push_back(mutex.get());
    }
  }
  StreamWriteGuard guard;
  for (std::mutex* mutex : mutexes) guard.locks_.emplace_back(*mutex);
  guard.tables_ = std::move(tables);
  // Read under the tables' locks: a lifecycle call that held one of them has finished.
  std::lock_guard<std::mutex> state_lock(state_mu_);
  guard.has_stream_.reserve(guard.tables_.size());
  for (const TableRef& table : guard.tables_) {
    guard.has_stream_.push_back(FindStreamLocked(table) != nullptr);
  }
  return guard;
}

Status StreamLog::Append(StreamWriteGuard* guard, const TableRef& table, wire::StreamAction action,
                         const wire::Row& change, uint32_t row_index,
                         wire::SequenceInfo* assigned) {
  const std::optional<size_t> guarded = guard->IndexOf(table);
  if (!guarded.has_value()) {
    return Status::Internal("stream append without the write guard of table " + table.table);
  }
  if (!guard->has_stream_[*guarded]) return Status::OK();
  std::string record;
  OTSYNC_RETURN_IF_ERROR(EncodeRecord(action, change, row_index, &record));
  return AppendEncoded(guard, table, action, change.primary_key.front().value, row_index, &record,
                       assigned);
}

Status StreamLog::EncodeRecord(wire::StreamAction action, const wire::Row& change,
                               uint32_t row_index, std::string* record) {
  OTSYNC_RETURN_IF_ERROR(CheckRecordRow(action, change));
  wire::SequenceInfo sequence;
  sequence.row_index = row_index;
  record->clear();
  if (action == wire::StreamAction::kDeleteRow) {
    wire::EncodeRow(wire::Row{change.primary_key, {}, false, std::nullopt}, sequence, record);
  } else {
    wire::EncodeRow(change, sequence, record);
  }
  return Status::OK();
}

Status StreamLog::AppendEncoded(StreamWriteGuard* guard, const TableRef& table,
                                wire::StreamAction action, const wire::Value& first_key,
                                uint32_t row_index, std::string* record,
                                wire::SequenceInfo* assigned) {
  const std::optional<size_t> guarded = guard->IndexOf(table);
  if (!guarded.has_value()) {
    return Status::Internal("stream append without the write guard of table " + table.table);
  }
  if (!guard->has_stream_[*guarded]) return Status::OK();
  uint64_t shard_number = 0;
  wire::SequenceInfo sequence;
  sequence.row_index = row_index;
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    StreamState* stream = FindStreamLocked(table);
    if (stream == nullptr) {
      return Status::Internal("stream log: the stream of table " + table.table +
                              " went away under its write guard");
    }
    if (!wire::MatchesPrimaryKeyType(first_key, stream->meta.first_key_type)) {
      return Status::InvalidArgument("stream record: the first primary key column holds " +
                                     first_key.DebugString() +
                                     ", not the type the stream partitions by");
    }
    ShardState* shard = RouteLocked(stream, first_key);
    if (shard == nullptr) return Status::Internal("stream log: no open shard owns the key");
    // Advancing here even if the batch later fails is harmless: it only leaves a gap.
    sequence.timestamp = std::max(clock_->NowMicros(), shard->last_timestamp + 1);
    shard->last_timestamp = sequence.timestamp;
    shard_number = shard->meta.number;
  }
  wire::SetSequenceTimestamp(sequence.timestamp, record);
  auto open_block =
      std::find_if(guard->open_blocks_.begin(), guard->open_blocks_.end(),
                   [shard_number](const auto& entry) { return entry.first == shard_number; });
  if (open_block == guard->open_blocks_.end()) {
    open_block = guard->open_blocks_.emplace(guard->open_blocks_.end(), shard_number,
                                             StreamRecordBlockBuilder());
  } else if (open_block->second.full()) {
    std::string value;
    const StreamPosition first = open_block->second.TakeEntry(&value);
    guard->full_blocks_.emplace_back(keys::RecordKey(shard_number, first), std::move(value));
  }
  open_block->second.AddEncoded(StreamPosition{sequence.timestamp, row_index}, action, *record);
  if (assigned != nullptr) *assigned = sequence;
  return Status::OK();
}

bool StreamLog::HasStream(const TableRef& table) const {
  std::lock_guard<std::mutex> state_lock(state_mu_);
  return FindStreamLocked(table) != nullptr;
}

Status StreamLog::PutAppendedRecords(StreamWriteGuard* guard, rocksdb::WriteBatch* batch) const {
  auto put = [this, batch](const std::string& key, const std::string& value) {
    const rocksdb::Status status = batch->Put(records_family_, key, value);
    return status.ok() ? Status::OK() : FromRocks(status, "putting records into the batch");
  };
  for (const auto& [key, value] : guard->full_blocks_) OTSYNC_RETURN_IF_ERROR(put(key, value));
  guard->full_blocks_.clear();
  std::string value;
  for (auto& [shard_number, builder] : guard->open_blocks_) {
    if (builder.empty()) continue;
    const StreamPosition first = builder.TakeEntry(&value);
    OTSYNC_RETURN_IF_ERROR(put(keys::RecordKey(shard_number, first), value));
  }
  guard->open_blocks_.clear();
  return Status::OK();
}

// ---- Read path ----

Result<std::string> StreamLog::GetShardIterator(const std::string& instance,
                                                const std::string& stream_id,
                                                const std::string& shard_id,
                                                std::optional<int64_t> timestamp_micros) const {
  std::lock_guard<std::mutex> state_lock(state_mu_);
  const StreamState* stream = FindStreamByIdLocked(instance, stream_id);
  if (stream == nullptr) return StreamNotFound();
  auto shard = stream->shards.find(shard_id);
  if (shard == stream->shards.end()) return Trimmed();
  StreamPosition position = shard->second.meta.trim_horizon;
  if (timestamp_micros.has_value()) {
    position = std::max(position, StreamPosition{*timestamp_micros, 0});
  }
  return iterator_codec_->Encode(instance, ShardIteratorFields{stream_id, shard_id, position});
}

Result<StreamRecordBatch> StreamLog::GetStreamRecords(const std::string& instance,
                                                      const std::string& iterator,
                                                      std::optional<int32_t> limit) const {
  // Copies each visited record: for callers that keep the records (tests, tools).
  class Collector final : public StreamRecordVisitor {
   public:
    explicit Collector(std::vector<StreamRecord>* records) : records_(records) {}
    void Visit(wire::StreamAction action, const wire::SequenceInfo& sequence,
               std::string_view record) override {
      records_->push_back(StreamRecord{action, sequence, std::string(record)});
    }

   private:
    std::vector<StreamRecord>* records_;
  };
  StreamRecordBatch result;
  Collector collector(&result.records);
  OTSYNC_ASSIGN_OR_RETURN(StreamReadSummary summary,
                          ReadStreamRecords(instance, iterator, limit, &collector));
  result.next_shard_iterator = std::move(summary.next_shard_iterator);
  result.may_more_record = summary.may_more_record;
  return result;
}

Result<StreamReadSummary> StreamLog::ReadStreamRecords(const std::string& instance,
                                                       const std::string& iterator,
                                                       std::optional<int32_t> limit,
                                                       StreamRecordVisitor* visitor) const {
  int32_t max_records = limit.value_or(kDefaultStreamRecordLimit);
  if (max_records < 1) return Status::InvalidArgument("limit must be positive");
  max_records = std::min(max_records, kMaxStreamRecordLimit);
  OTSYNC_ASSIGN_OR_RETURN(ShardIteratorFields fields, iterator_codec_->Decode(instance, iterator));

  // Whether the shard is closed is read before the RocksDB iterator is created: a shard
  // closes only when no append is in flight, so a closed shard's snapshot holds all of it.
  bool open = false;
  uint64_t shard_number = 0;
  auto find_shard = [&]() -> const ShardState* {
    const StreamState* stream = FindStreamByIdLocked(instance, fields.stream_id);
    if (stream == nullptr) return nullptr;
    auto shard = stream->shards.find(fields.shard_id);
    return shard == stream->shards.end() ? nullptr : &shard->second;
  };
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    const ShardState* shard = find_shard();
    if (shard == nullptr) return Trimmed();
    open = shard->meta.open;
    shard_number = shard->meta.number;
  }
  std::string start_key = keys::RecordKey(shard_number, fields.position);
  std::string lower = keys::ShardPrefix(shard_number);
  std::string upper = keys::ShardPrefix(shard_number + 1);
  rocksdb::Slice lower_slice(lower);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_slice;
  read_options.iterate_upper_bound = &upper_slice;
  // A reader passes over each block once: caching it would only evict blocks of the rows.
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, records_family_));
  // The trim horizon is checked after the snapshot: Trim advances it before deleting, so
  // either this snapshot still holds the records or the check fails.
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    const ShardState* shard = find_shard();
    if (shard == nullptr || fields.position < shard->meta.trim_horizon) return Trimmed();
  }

  StreamReadSummary result;
  wire::SequenceInfo last;
  // The entry holding the position may begin before it: start at the last entry at or before
  // the position, skipping its records before the position.
  it->SeekForPrev(start_key);
  if (it->status().ok() && !it->Valid()) it->Seek(start_key);
  StoredRecordCursor cursor;
  StoredStreamRecord record;
  bool more = false;  // A record remains after the last one handed over.
  for (; it->Valid(); it->Next()) {
    OTSYNC_RETURN_IF_ERROR(OpenEntry(shard_number, it->key(), it->value(), &cursor));
    bool full = false;
    while (cursor.Next(&record)) {
      if (record.position < fields.position) continue;
      if (result.record_count >= static_cast<size_t>(max_records) ||
          result.record_bytes >= kMaxStreamRecordBytes) {
        full = true;
        break;
      }
      last = wire::SequenceInfo{0, record.position.timestamp, record.position.row_index};
      visitor->Visit(record.action, last, record.bytes);
      ++result.record_count;
      result.record_bytes += record.bytes.size();
    }
    if (full) {
      more = true;
      break;
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading records");

  if (!open && !more) {
    result.may_more_record = false;
    return result;
  }
  result.may_more_record = more || result.record_count == static_cast<size_t>(max_records);
  if (result.record_count == 0) {
    result.next_shard_iterator = iterator;
  } else {
    result.next_shard_iterator = iterator_codec_->Encode(
        instance, ShardIteratorFields{fields.stream_id, fields.shard_id,
                                      StreamPosition{last.timestamp + 1, 0}});
  }
  return result;
}

// ---- Retention ----

Result<TrimStats> StreamLog::Trim(int64_t now_micros) {
  std::vector<TrimTarget> targets;
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    for (const auto& [id, stream] : streams_by_id_) {
      for (const auto& [shard_id, shard] : stream->shards) targets.push_back({id, shard_id});
    }
  }
  TrimStats stats;
  for (const TrimTarget& target : targets) {
    OTSYNC_RETURN_IF_ERROR(TrimShard(target, now_micros, &stats));
  }
  return stats;
}

Status StreamLog::TrimShard(const TrimTarget& target, int64_t now_micros, TrimStats* stats) {
  std::lock_guard<std::mutex> meta_lock(meta_write_mu_);
  ShardMeta meta;
  int64_t cutoff = 0;
  bool remove = false;
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    auto stream = streams_by_id_.find(target.stream_id);
    if (stream == streams_by_id_.end()) return Status::OK();
    auto shard = stream->second->shards.find(target.shard_id);
    if (shard == stream->second->shards.end()) return Status::OK();
    cutoff = now_micros - stream->second->meta.expiration_hours * kMicrosPerHour;
    meta = shard->second.meta;
    remove = !meta.open && std::max(shard->second.last_timestamp, meta.closed_micros) < cutoff;
    // Readers see the shard gone (or its new horizon) before the records go: see
    // GetStreamRecords.
    if (remove) {
      stream->second->shards.erase(shard);
      state_version_.fetch_add(1, std::memory_order_release);
    }
  }
  const std::string shard_begin = keys::ShardPrefix(meta.number);
  if (remove) {
    const std::string shard_end = keys::ShardPrefix(meta.number + 1);
    rocksdb::WriteBatch batch;
    batch.Delete(meta_family_, keys::ShardKey(target.stream_id, target.shard_id));
    batch.DeleteRange(records_family_, shard_begin, shard_end);
    OTSYNC_KILL_POINT("stream.trim.before_commit");
    OTSYNC_RETURN_IF_ERROR(Commit(&batch));
    OTSYNC_KILL_POINT("stream.trim.after_commit");
    ReleaseFiles(shard_begin, shard_end);
    ++stats->shards_removed;
    return Status::OK();
  }

  const std::string expired_end = keys::RecordKey(meta.number, StreamPosition{cutoff, 0});
  rocksdb::Slice lower_slice(shard_begin);
  rocksdb::Slice upper_slice(expired_end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_slice;
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, records_family_));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "finding expired records");
  if (!it->Valid()) return Status::OK();
  // The last entry that begins before the cutoff. Entries go whole, every one before it, and
  // it too when its last record has expired. When it has not, the entry stays for its records
  // from the cutoff on, and the horizon moves to the first of them: its expired records are read
  // no more (a read starts at the horizon and skips an entry's records before its position),
  // and a later trim drops the entry once all its records have expired.
  StoredRecordCursor cursor;
  OTSYNC_RETURN_IF_ERROR(OpenEntry(meta.number, it->key(), it->value(), &cursor));
  StreamPosition horizon{cursor.last_position().timestamp + 1, 0};
  std::string dropped_end;  // Entries whose keys sort before it are deleted.
  if (cursor.last_position().timestamp < cutoff) {
    dropped_end = keys::RecordKey(meta.number, horizon);
  } else {
    StoredStreamRecord record;
    while (cursor.Next(&record) && record.position.timestamp < cutoff) {
    }
    horizon = record.position;  // The entry's last record is at or after the cutoff.
    dropped_end = it->key().ToString();
  }
  it.reset();
  if (horizon <= meta.trim_horizon) return Status::OK();
  {
    std::lock_guard<std::mutex> state_lock(state_mu_);
    auto stream = streams_by_id_.find(target.stream_id);
    if (stream == streams_by_id_.end()) return Status::OK();
    auto shard = stream->second->shards.find(target.shard_id);
    if (shard == stream->second->shards.end()) return Status::OK();
    shard->second.meta.trim_horizon = horizon;
    meta = shard->second.meta;
    state_version_.fetch_add(1, std::memory_order_release);
  }
  rocksdb::WriteBatch batch;
  batch.Put(meta_family_, keys::ShardKey(target.stream_id, target.shard_id), EncodeShardMeta(meta));
  batch.DeleteRange(records_family_, shard_begin, dropped_end);
  OTSYNC_KILL_POINT("stream.trim.before_commit");
  OTSYNC_RETURN_IF_ERROR(Commit(&batch));
  OTSYNC_KILL_POINT("stream.trim.after_commit");
  ReleaseFiles(shard_begin, dropped_end);
  ++stats->shards_trimmed;
  return Status::OK();
}

// Drops SST files lying wholly inside a deleted range now rather than at some later
// compaction. Best effort: the range is already deleted logically.
void StreamLog::ReleaseFiles(const std::string& begin, const std::string& end) const {
  rocksdb::Slice begin_slice(begin);
  rocksdb::Slice end_slice(end);
  rocksdb::RangePtr range(&begin_slice, &end_slice);
  (void)rocksdb::DeleteFilesInRanges(db_, records_family_, &range, 1, /*include_end=*/false);
}

}  // namespace otsync::store
