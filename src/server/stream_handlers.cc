#include "server/stream_handlers.h"

#include <optional>
#include <string>

#include "proto/table_store.pb.h"
#include "server/handler_util.h"
#include "server/proto_conversion.h"
#include "store/stream_types.h"

namespace otsync::server {
namespace {

Result<std::string> ListStream(const ApiContext& context, const proto::ListStreamRequest& request) {
  std::optional<std::string> table;
  if (request.has_table_name()) table = request.table_name();
  OTSYNC_ASSIGN_OR_RETURN(std::vector<store::StreamSummary> streams,
                          context.store->ListStream(context.instance, table));
  proto::ListStreamResponse response;
  for (const store::StreamSummary& summary : streams) {
    proto::Stream* stream = response.add_streams();
    stream->set_stream_id(summary.stream_id);
    stream->set_table_name(summary.table_name);
    stream->set_creation_time(summary.creation_time_micros);
  }
  return SerializeResponse(response);
}

Result<std::string> DescribeStream(const ApiContext& context,
                                   const proto::DescribeStreamRequest& request) {
  std::optional<int32_t> shard_limit;
  if (request.has_shard_limit()) {
    if (request.shard_limit() < 1) {
      return Status::InvalidArgument("DescribeStreamRequest.shard_limit: must be greater than 0.");
    }
    shard_limit = request.shard_limit();
  }
  OTSYNC_ASSIGN_OR_RETURN(
      store::StreamDescription description,
      context.store->DescribeStream(context.instance, request.stream_id(),
                                    request.inclusive_start_shard_id(), shard_limit));
  proto::DescribeStreamResponse response;
  response.set_stream_id(description.stream_id);
  response.set_expiration_time(description.expiration_hours);
  response.set_table_name(description.table_name);
  response.set_creation_time(description.creation_time_micros);
  response.set_stream_status(description.status == store::StreamStatus::kEnabling
                                 ? proto::STREAM_ENABLING
                                 : proto::STREAM_ACTIVE);
  for (const store::StreamShardInfo& info : description.shards) {
    proto::StreamShard* shard = response.add_shards();
    shard->set_shard_id(info.shard_id);
    if (!info.parent_id.empty()) shard->set_parent_id(info.parent_id);
    if (!info.parent_sibling_id.empty()) shard->set_parent_sibling_id(info.parent_sibling_id);
  }
  if (!description.next_shard_id.empty()) response.set_next_shard_id(description.next_shard_id);
  return SerializeResponse(response);
}

// `token` pages a long timestamp search on the service; one answer always suffices here, so it
// is ignored and next_token is never set.
Result<std::string> GetShardIterator(const ApiContext& context,
                                     const proto::GetShardIteratorRequest& request) {
  std::optional<int64_t> timestamp;
  if (request.has_timestamp()) {
    if (request.timestamp() < 0) {
      return Status::InvalidArgument("GetShardIteratorRequest.timestamp: must not be negative.");
    }
    timestamp = request.timestamp();
  }
  OTSYNC_ASSIGN_OR_RETURN(std::string iterator,
                          context.store->GetShardIterator(context.instance, request.stream_id(),
                                                          request.shard_id(), timestamp));
  proto::GetShardIteratorResponse response;
  response.set_shard_iterator(std::move(iterator));
  return SerializeResponse(response);
}

// `limit`: default store::kDefaultStreamRecordLimit (100), capped at kMaxStreamRecordLimit
// (1000); a response also stops after ~4 MB of records.
Result<std::string> GetStreamRecord(const ApiContext& context,
                                    const proto::GetStreamRecordRequest& request) {
  std::optional<int32_t> limit;
  if (request.has_limit()) {
    if (request.limit() < 1) {
      return Status::InvalidArgument("GetStreamRecordRequest.limit: must be greater than 0.");
    }
    limit = request.limit();
  }
  OTSYNC_ASSIGN_OR_RETURN(
      store::StreamRecordBatch batch,
      context.store->GetStreamRecord(context.instance, request.shard_iterator(), limit));
  proto::GetStreamRecordResponse response;
  size_t bytes = 0;
  for (store::StreamRecord& record : batch.records) {
    proto::GetStreamRecordResponse::StreamRecord* out = response.add_stream_records();
    out->set_action_type(static_cast<proto::ActionType>(record.action));
    bytes += record.record.size();
    out->set_record(std::move(record.record));
  }
  if (batch.next_shard_iterator.has_value()) {
    response.set_next_shard_iterator(std::move(*batch.next_shard_iterator));
  }
  response.set_may_more_record(batch.may_more_record);
  SetConsumed(CapacityUnitsFor(bytes), 0, response.mutable_consumed());
  return SerializeResponse(response);
}

}  // namespace

void RegisterStreamHandlers(RequestDispatcher* dispatcher) {
  dispatcher->Register("ListStream", MakeHandler<proto::ListStreamRequest>(&ListStream));
  dispatcher->Register("DescribeStream",
                       MakeHandler<proto::DescribeStreamRequest>(&DescribeStream));
  dispatcher->Register("GetShardIterator",
                       MakeHandler<proto::GetShardIteratorRequest>(&GetShardIterator));
  dispatcher->Register("GetStreamRecord",
                       MakeHandler<proto::GetStreamRecordRequest>(&GetStreamRecord));
}

}  // namespace otsync::server
