#include "readers/otsstream/shard_reader.h"

#include <optional>

#include "readers/otsstream/status_keys.h"

namespace otsync::readers::otsstream {
namespace {

constexpr int64_t kShardTimeCheckpointIntervalMillis = 600'000;
constexpr int64_t kSeekLeadMillis = 600'000;

Status Stopping() { return Status(StatusCode::kAborted, "the job is stopping"); }

int64_t WriteTimeMillis(const client::StreamRecord& record) {
  return record.sequence.timestamp / 1000;
}

}  // namespace

Status ShardReader::StreamCall(const ShardReadPlan& plan, const std::string& iterator,
                               int32_t limit, client::StreamRecordBatch* batch,
                               std::stop_token stop) {
  Status status = CallWithRetries(retry_, stop,
                                  [&] { return client_->GetStreamRecord(iterator, limit, batch); });
  if (status.code() == StatusCode::kTrimmedDataAccess) {
    return Status(StatusCode::kTrimmedDataAccess,
                  "otsstream: shard " + plan.shard_id + " of window " + trimmed_.window_text +
                      ": the stream no longer holds the records to read (its retention is " +
                      std::to_string(trimmed_.expiration_hours) +
                      " hours); export a later window or start a new chain (" + status.message() +
                      ")");
  }
  return status;
}

Result<std::string> ShardReader::StartIterator(const ShardReadPlan& plan, std::stop_token stop) {
  if (plan.start_checkpoint != kTrimHorizon) return plan.start_checkpoint;
  std::optional<int64_t> seek_micros;
  if (plan.seek && plan.start_millis - kSeekLeadMillis > 0) {
    seek_micros = (plan.start_millis - kSeekLeadMillis) * 1000;
  }
  return CallWithRetries(retry_, stop, [&] {
    return client_->GetShardIterator(plan.stream_id, plan.shard_id, seek_micros);
  });
}

Result<ShardEndCheckpoint> ShardReader::Read(const ShardReadPlan& plan, sync::RecordSink& sink,
                                             std::stop_token stop) {
  OTSYNC_ASSIGN_OR_RETURN(std::string iterator, StartIterator(plan, stop));
  ShardEndCheckpoint end;
  bool skip_before_start = plan.skip_before_start;
  int64_t last_time_checkpoint_millis = 0;
  client::StreamRecordBatch batch;
  while (true) {
    if (stop.stop_requested()) return Stopping();
    if (iterator.empty()) {
      // A time seek found nothing: DataX treats it as the end of the shard.
      end.checkpoint = std::string(kShardEnd);
      return end;
    }
    OTSYNC_RETURN_IF_ERROR(StreamCall(plan, iterator, 0, &batch, stop));
    const std::string last_iterator = std::move(iterator);
    const bool shard_closed = !batch.next_shard_iterator().has_value();
    iterator = batch.next_shard_iterator().value_or("");

    if (batch.empty() && !shard_closed) {
      end.checkpoint = iterator;
      OTSYNC_RETURN_IF_ERROR(status_table_->WriteShardTimeCheckpoint(plan.stream_id, plan.shard_id,
                                                                     plan.end_millis, iterator));
      sink.ReportLagMillis(0);
      return end;
    }
    if (!batch.empty()) {
      const int64_t first_millis = WriteTimeMillis(batch[0]);
      if (first_millis >= last_time_checkpoint_millis + kShardTimeCheckpointIntervalMillis) {
        last_time_checkpoint_millis = first_millis;
        OTSYNC_RETURN_IF_ERROR(status_table_->WriteShardTimeCheckpoint(
            plan.stream_id, plan.shard_id, first_millis, last_iterator));
      }
    }
    std::optional<int64_t> lag_millis;  // Behind the window's end, at the last record emitted.
    for (size_t i = 0; i < batch.size(); ++i) {
      const client::StreamRecord& record = batch[i];
      const int64_t write_millis = WriteTimeMillis(record);
      if (write_millis >= plan.end_millis) {
        if (i == 0) {
          end.checkpoint = last_iterator;
        } else {
          // The iterator just before record i: re-read the first i records of the batch.
          client::StreamRecordBatch prefix;
          OTSYNC_RETURN_IF_ERROR(
              StreamCall(plan, last_iterator, static_cast<int32_t>(i), &prefix, stop));
          if (!prefix.next_shard_iterator() || prefix.size() != i) {
            return Status::Internal(
                "otsstream: shard " + plan.shard_id + ": re-reading " + std::to_string(i) +
                " records for the window's end position returned " + std::to_string(prefix.size()));
          }
          end.checkpoint = *prefix.next_shard_iterator();
        }
        sink.ReportLagMillis(0);
        return end;
      }
      if (skip_before_start && write_millis < plan.start_millis) continue;
      skip_before_start = false;
      // Checked before any row is emitted: a record becomes all its rows or one dirty record.
      Status formattable = CheckStreamRecord(record, format_);
      if (!formattable.ok()) {
        sync::DirtyRecord dirty;
        dirty.reason = "shard " + plan.shard_id + ", record written at " +
                       std::to_string(record.sequence.timestamp) + " µs: " + formattable.message();
        OTSYNC_RETURN_IF_ERROR(sink.EmitDirty(std::move(dirty)));
        continue;
      }
      OTSYNC_RETURN_IF_ERROR(EmitStreamRecordRows(record, plan.shard_id, format_, sink));
      ++end.send_record_count;
      lag_millis = std::max<int64_t>(0, plan.end_millis - write_millis);
    }
    // Once per response rather than per record: the sink takes a lock shared by every task.
    if (lag_millis.has_value()) sink.ReportLagMillis(*lag_millis);
    if (shard_closed) {
      end.checkpoint = std::string(kShardEnd);
      return end;
    }
  }
}

}  // namespace otsync::readers::otsstream
