#include "readers/otsstream/status_table.h"

#include "readers/otsstream/status_keys.h"

namespace otsync::readers::otsstream {
namespace {

constexpr int64_t kMaxWaitTableReadyMillis = 120'000;

wire::Cell PutCell(std::string_view name, wire::Value value) {
  wire::Cell cell;
  cell.name = std::string(name);
  cell.value = std::move(value);
  return cell;
}

const wire::Value* FindCell(const wire::Row& row, std::string_view name) {
  for (const wire::Cell& cell : row.cells) {
    if (cell.name == name && cell.value) return &*cell.value;
  }
  return nullptr;
}

std::optional<std::string> StringCell(const wire::Row& row, std::string_view name) {
  const wire::Value* value = FindCell(row, name);
  if (value == nullptr || value->type() != wire::ValueType::kString) return std::nullopt;
  return value->bytes();
}

std::optional<int64_t> IntegerCell(const wire::Row& row, std::string_view name) {
  const wire::Value* value = FindCell(row, name);
  if (value == nullptr || value->type() != wire::ValueType::kInteger) return std::nullopt;
  return value->integer();
}

wire::ReadOptions OneVersion() {
  wire::ReadOptions options;
  options.max_versions = 1;
  return options;
}

std::string StatusValueOf(const wire::Row& row) {
  if (row.primary_key.size() != 3) return {};
  return row.primary_key[2].value.bytes();
}

}  // namespace

Status StatusTable::EnsureExists(std::stop_token stop, int64_t poll_millis) {
  Result<wire::TableDescription> described =
      CallWithRetries(retry_, stop, [&] { return client_->DescribeTable(table_name_); });
  if (described.ok()) {
    if (described->primary_key != StatusTableSchema()) {
      return Status::InvalidArgument(
          "Unexpected table meta in status table, please check your config.");
    }
    return Status::OK();
  }
  if (described.status().code() != StatusCode::kNotFound) return described.status();

  wire::TableDescription table;
  table.name = table_name_;
  table.primary_key = StatusTableSchema();
  table.options.time_to_live_seconds = kStatusTableTtlSeconds;
  table.options.max_versions = 1;
  const Status created = CallWithRetries(retry_, stop, [&] { return client_->CreateTable(table); });
  // Another job may have created it in between.
  if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;

  wire::RangeRequest probe;
  for (const wire::PrimaryKeySchemaColumn& column : table.primary_key) {
    probe.inclusive_start.push_back({column.name, wire::Value::InfMin()});
    probe.exclusive_end.push_back({column.name, wire::Value::InfMax()});
  }
  probe.limit = 1;
  probe.read = OneVersion();
  for (int64_t waited = 0; waited <= kMaxWaitTableReadyMillis; waited += poll_millis) {
    Result<wire::RangeResult> range = client_->GetRange(table_name_, probe);
    if (range.ok()) return Status::OK();
    const StatusCode code = range.status().code();
    if (code != StatusCode::kUnavailable && code != StatusCode::kTableNotReady) {
      return range.status();
    }
    if (stop.stop_requested()) return Status(StatusCode::kAborted, "the job is stopping");
    internal::Sleep(retry_, std::chrono::milliseconds(poll_millis), stop);
  }
  return Status::Internal("Check table ready timeout, MaxWaitTableReadyTimeMillis:120000.");
}

Status StatusTable::PutRow(wire::Row row) {
  wire::RowWrite write;
  write.row = std::move(row);
  return CallWithRetries(retry_, {}, [&] { return client_->PutRow(table_name_, write); }).status();
}

Result<std::optional<JobDesc>> StatusTable::ReadJobDesc(const std::string& stream_id,
                                                        int64_t end_millis) {
  const wire::PrimaryKey key = JobDescKey(stream_id, end_millis);
  OTSYNC_ASSIGN_OR_RETURN(std::optional<wire::Row> row, CallWithRetries(retry_, {}, [&] {
                            return client_->GetRow(table_name_, key, OneVersion());
                          }));
  if (!row) return std::optional<JobDesc>();
  const std::string where =
      "status table " + table_name_ + ": DataxJobDesc row at" + Fmt16(end_millis) + ": ";
  std::vector<std::string> chunks;
  for (int index = 0;; ++index) {
    const wire::Value* chunk =
        FindCell(*row, std::string(kShardIdsColumnPrefix) + std::to_string(index));
    if (chunk == nullptr) break;
    chunks.push_back(chunk->bytes());
  }
  JobDesc job;
  Result<std::vector<std::string>> shard_ids = DecodeShardIdChunks(chunks);
  if (!shard_ids.ok()) return shard_ids.status().WithContext(where);
  job.shard_ids = std::move(*shard_ids);
  std::optional<std::string> version = StringCell(*row, kVersionColumn);
  std::optional<std::string> table_name = StringCell(*row, kTableNameColumn);
  std::optional<std::string> job_stream_id = StringCell(*row, kJobStreamIdColumn);
  std::optional<int64_t> start = IntegerCell(*row, kStartTimeColumn);
  std::optional<int64_t> end = IntegerCell(*row, kEndTimeColumn);
  if (!version || !table_name || !job_stream_id || !start || !end) {
    return Status::Corruption(where + "a column is missing or of the wrong type");
  }
  job.version = std::move(*version);
  job.table_name = std::move(*table_name);
  job.stream_id = std::move(*job_stream_id);
  job.start_millis = *start;
  job.end_millis = *end;
  return std::optional<JobDesc>(std::move(job));
}

Status StatusTable::WriteJobDesc(const JobDesc& job) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<std::string> chunks, EncodeShardIdChunks(job.shard_ids));
  wire::Row row;
  row.primary_key = JobDescKey(job.stream_id, job.end_millis);
  for (size_t index = 0; index < chunks.size(); ++index) {
    row.cells.push_back(PutCell(std::string(kShardIdsColumnPrefix) + std::to_string(index),
                                wire::Value::Binary(std::move(chunks[index]))));
  }
  row.cells.push_back(PutCell(kVersionColumn, wire::Value::String(job.version)));
  row.cells.push_back(PutCell(kTableNameColumn, wire::Value::String(job.table_name)));
  row.cells.push_back(PutCell(kJobStreamIdColumn, wire::Value::String(job.stream_id)));
  row.cells.push_back(PutCell(kStartTimeColumn, wire::Value::Integer(job.start_millis)));
  row.cells.push_back(PutCell(kEndTimeColumn, wire::Value::Integer(job.end_millis)));
  return PutRow(std::move(row));
}

Result<std::optional<int64_t>> StatusTable::ReadLegacyShardCount(const std::string& stream_id,
                                                                 int64_t time_millis) {
  const wire::PrimaryKey key = LegacyShardCountKey(stream_id, time_millis);
  OTSYNC_ASSIGN_OR_RETURN(std::optional<wire::Row> row, CallWithRetries(retry_, {}, [&] {
                            return client_->GetRow(table_name_, key, OneVersion());
                          }));
  if (!row) return std::optional<int64_t>();
  return IntegerCell(*row, kShardCountColumn);
}

Result<std::map<std::string, StoredCheckpoint>> StatusTable::ReadCheckpoints(
    const std::string& stream_id, int64_t time_millis) {
  wire::RangeRequest request;
  request.inclusive_start = CheckpointRangeStart(stream_id, time_millis);
  request.exclusive_end = CheckpointRangeEnd(stream_id, time_millis);
  request.read = OneVersion();
  OTSYNC_ASSIGN_OR_RETURN(std::vector<wire::Row> rows, CallWithRetries(retry_, {}, [&] {
                            return client_->GetWholeRange(table_name_, request);
                          }));
  std::map<std::string, StoredCheckpoint> checkpoints;
  for (const wire::Row& row : rows) {
    StoredCheckpoint checkpoint;
    checkpoint.version = StringCell(row, kVersionColumn).value_or("");
    checkpoint.checkpoint = StringCell(row, kCheckpointColumn).value_or("");
    checkpoint.skip_count = IntegerCell(row, kSkipCountColumn).value_or(0);
    checkpoint.send_record_count = IntegerCell(row, kSendRecordCountColumn).value_or(0);
    checkpoints[ShardIdOfCheckpointValue(StatusValueOf(row))] = std::move(checkpoint);
  }
  return checkpoints;
}

Status StatusTable::WriteCheckpoint(const std::string& stream_id, int64_t time_millis,
                                    const std::string& shard_id,
                                    const StoredCheckpoint& checkpoint) {
  wire::Row row;
  row.primary_key = CheckpointKey(stream_id, time_millis, shard_id);
  row.cells.push_back(PutCell(kVersionColumn, wire::Value::String(checkpoint.version)));
  row.cells.push_back(PutCell(kCheckpointColumn, wire::Value::String(checkpoint.checkpoint)));
  row.cells.push_back(PutCell(kSkipCountColumn, wire::Value::Integer(checkpoint.skip_count)));
  if (checkpoint.send_record_count > 0) {
    row.cells.push_back(
        PutCell(kSendRecordCountColumn, wire::Value::Integer(checkpoint.send_record_count)));
  }
  return PutRow(std::move(row));
}

Status StatusTable::DeleteCheckpoint(const std::string& stream_id, int64_t time_millis,
                                     const std::string& shard_id) {
  wire::RowWrite write;
  write.type = wire::WriteType::kDelete;
  write.row.primary_key = CheckpointKey(stream_id, time_millis, shard_id);
  return CallWithRetries(retry_, {}, [&] { return client_->DeleteRow(table_name_, write); })
      .status();
}

Status StatusTable::DeleteCheckpoints(const std::string& stream_id, int64_t time_millis) {
  OTSYNC_ASSIGN_OR_RETURN(auto checkpoints, ReadCheckpoints(stream_id, time_millis));
  for (const auto& [shard_id, checkpoint] : checkpoints) {
    OTSYNC_RETURN_IF_ERROR(DeleteCheckpoint(stream_id, time_millis, shard_id));
  }
  return Status::OK();
}

Status StatusTable::WriteShardTimeCheckpoint(const std::string& stream_id,
                                             const std::string& shard_id, int64_t time_millis,
                                             const std::string& iterator) {
  wire::Row row;
  row.primary_key = ShardTimeCheckpointKey(stream_id, shard_id, time_millis);
  row.cells.push_back(PutCell(kCheckpointColumn, wire::Value::String(iterator)));
  return PutRow(std::move(row));
}

Result<std::optional<std::string>> StatusTable::FindNearestShardTimeCheckpoint(
    const std::string& stream_id, const std::string& shard_id, int64_t begin_millis,
    int64_t end_millis) {
  wire::RangeRequest request;
  request.direction = wire::Direction::kBackward;
  request.inclusive_start = ShardTimeCheckpointKey(stream_id, shard_id, end_millis);
  request.exclusive_end = ShardTimeCheckpointKey(stream_id, shard_id, begin_millis);
  request.limit = 1;
  request.read = OneVersion();
  OTSYNC_ASSIGN_OR_RETURN(wire::RangeResult range, CallWithRetries(retry_, {}, [&] {
                            return client_->GetRange(table_name_, request);
                          }));
  if (range.rows.empty()) return std::optional<std::string>();
  return StringCell(range.rows.front(), kCheckpointColumn);
}

}  // namespace otsync::readers::otsstream
