#include "server/stream_handlers.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "proto/table_store.pb.h"
#include "server/handler_util.h"
#include "server/proto_conversion.h"
#include "server/read_ahead.h"
#include "store/stream_types.h"
#include "wire/coding.h"
#include "wire/concurrent_content_md5.h"

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
  response.set_stream_status(description.status == wire::StreamStatus::kEnabling
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

// Hand-written proto2 encoding of GetStreamRecordResponse (proto/table_store.proto), byte for
// byte what the generated SerializeToString would produce for the same message: fields in
// field-number order, stream_records first. It writes each record straight from the store's
// buffers into the body, with no per-record message or string (the read's hot path).
constexpr char Key(uint32_t field, uint32_t wire_type) {
  return static_cast<char>((field << 3) | wire_type);
}
constexpr uint32_t kVarintType = 0;
constexpr uint32_t kLengthDelimitedType = 2;

// Appends each record as `stream_records` (field 1): StreamRecord {action_type = 1 (required),
// record = 2 (required)}. With `md5`, the body's Content-MD5 is hashed by a helper while the
// records after the ones offered are read and encoded (~0.55 µs of the ~1.5 µs each record costs
// otsd); null: the caller hashes the body once it is built.
class StreamRecordEncoder final : public store::StreamRecordVisitor {
 public:
  StreamRecordEncoder(std::string* body, wire::ConcurrentContentMd5* md5)
      : body_(body), md5_(md5) {}

  void Visit(wire::StreamAction action, const wire::SequenceInfo& /*sequence*/,
             std::string_view record) override {
    const uint64_t action_value = static_cast<uint64_t>(action);
    const size_t message_size = 1 + wire::VarintLength(action_value) + 1 +
                                wire::VarintLength(record.size()) + record.size();
    if (md5_ != nullptr) MakeRoom(1 + wire::VarintLength(message_size) + message_size);
    body_->push_back(Key(1, kLengthDelimitedType));
    wire::PutVarint64(message_size, body_);
    body_->push_back(Key(1, kVarintType));
    wire::PutVarint64(action_value, body_);
    body_->push_back(Key(2, kLengthDelimitedType));
    wire::PutVarint64(record.size(), body_);
    body_->append(record);
    if (md5_ != nullptr) md5_->Offer(*body_);
  }

 private:
  static constexpr size_t kFirstCapacity = 64 * 1024;

  // Room for `more` bytes without moving bytes a helper may be reading: the body grows only after
  // Release, and by four times, so that an answer of 1,000 records moves at most three times.
  void MakeRoom(size_t more) {
    if (body_->size() + more <= body_->capacity()) return;
    md5_->Release();
    body_->reserve(std::max({body_->size() + more, body_->capacity() * 4, kFirstCapacity}));
  }

  std::string* body_;
  wire::ConcurrentContentMd5* md5_;
};

// next_shard_iterator = 2 (when present), consumed = 3 {capacity_unit = 1 {read = 1,
// write = 2}}, may_more_record = 4: the fields after stream_records, in that order.
void AppendStreamResponseTail(const store::StreamReadSummary& summary, std::string* body) {
  if (summary.next_shard_iterator.has_value()) {
    body->push_back(Key(2, kLengthDelimitedType));
    wire::PutVarint64(summary.next_shard_iterator->size(), body);
    body->append(*summary.next_shard_iterator);
  }
  const uint64_t read = static_cast<uint64_t>(CapacityUnitsFor(summary.record_bytes));
  const size_t capacity_unit_size = 1 + wire::VarintLength(read) + 1 + 1;  // write = 0: one byte.
  body->push_back(Key(3, kLengthDelimitedType));
  wire::PutVarint64(1 + wire::VarintLength(capacity_unit_size) + capacity_unit_size, body);
  body->push_back(Key(1, kLengthDelimitedType));
  wire::PutVarint64(capacity_unit_size, body);
  body->push_back(Key(1, kVarintType));
  wire::PutVarint64(read, body);
  body->push_back(Key(2, kVarintType));
  wire::PutVarint64(0, body);
  body->push_back(Key(4, kVarintType));
  wire::PutVarint64(summary.may_more_record ? 1 : 0, body);
}

// How an answer's Content-MD5 is computed: by a helper while the answer is built, or by the
// building thread once it is built. Beside the build only when otsd runs without read-ahead, where
// every reader waits for the whole build and hash of every answer (1.21 of the rate without read-
// ahead, docs/benchmarks.md, Hash run 1). With read-ahead, answers are prepared off the readers'
// path already, and one a reader waits for is mostly one the read-ahead's busy thread could not
// prepare: the cores are busy then, and a helper only takes one from a reader or otsd's threads
// (the Node SDK's read with read-ahead 0.85, the 4-shard export 0.97 with helpers there). Not at
// all for a caller that does not check it (ApiContext::content_md5_unchecked).
enum class AnswerHashing { kBesideTheBuild, kAfterTheBuild, kNone };

// The hashing of an answer to `context`'s caller, built by otsd's read-ahead or not.
AnswerHashing HashingFor(const ApiContext& context, bool read_ahead) {
  if (context.content_md5_unchecked) return AnswerHashing::kNone;
  return read_ahead ? AnswerHashing::kAfterTheBuild : AnswerHashing::kBesideTheBuild;
}

// The whole GetStreamRecord answer from `iterator`: the body and its Content-MD5 (left empty
// with AnswerHashing::kNone), and in `*summary` what it says besides the records. `limit`:
// default store::kDefaultStreamRecordLimit (100), capped at kMaxStreamRecordLimit (1000); an
// answer also stops after ~4 MB of records.
Result<std::string> BuildStreamRecordBody(store::Store* store, const std::string& instance,
                                          const std::string& iterator, std::optional<int32_t> limit,
                                          AnswerHashing hashing, store::StreamReadSummary* summary,
                                          std::string* content_md5) {
  std::string body;
  wire::ConcurrentContentMd5 md5;
  StreamRecordEncoder encoder(&body, hashing == AnswerHashing::kBesideTheBuild ? &md5 : nullptr);
  OTSYNC_ASSIGN_OR_RETURN(*summary, store->ReadStreamRecords(instance, iterator, limit, &encoder));
  md5.Release();  // The tail may move the body.
  AppendStreamResponseTail(*summary, &body);
  if (hashing != AnswerHashing::kNone) *content_md5 = md5.Finish(body);
  return body;
}

// What identifies an answer: the same instance, iterator and limit get the same records. Instance
// names and limits hold no '\n', so the fields cannot run into each other.
std::string ReadAheadKey(const std::string& instance, const std::string& iterator,
                         std::optional<int32_t> limit) {
  return instance + '\n' + (limit ? std::to_string(*limit) : std::string()) + '\n' + iterator;
}

// After an answer that filled its limit (or size cap) and names a next iterator, the reader's
// next call is predictable: prepare it. A prepared answer is kept only when no later append can
// change it — it is full too, or it ends a closed shard — so that serving it later is the same
// as computing it then; stream-state changes in between are caught by the state version.
// `hashing` is the current call's: a reader's next call most likely checks the MD5 as this one
// does; when it does and the answer was prepared without, the front hashes it when sending.
void PrepareNextAnswer(ReadAhead* read_ahead, store::Store* store, const std::string& instance,
                       const std::optional<std::string>& next, bool may_more_record,
                       std::optional<int32_t> limit, AnswerHashing hashing) {
  if (read_ahead == nullptr || !next.has_value() || !may_more_record) return;
  read_ahead->Schedule(
      ReadAheadKey(instance, *next, limit),
      [store, instance, iterator = *next, limit, hashing]() -> std::optional<PreparedAnswer> {
        PreparedAnswer prepared;
        prepared.state_version = store->StreamStateVersion();
        store::StreamReadSummary summary;
        // Hashed here (unless the reader does not check it), not by the thread that sends it: a
        // stream reader asks for one answer at a time, so a hash when sending would lie on its
        // path (0.65 of the rate when tried, docs/benchmarks.md, Scan run 3); a scan's client has
        // its next page on the way.
        Result<std::string> body = BuildStreamRecordBody(store, instance, iterator, limit, hashing,
                                                         &summary, &prepared.content_md5);
        if (!body.ok()) return std::nullopt;
        if (summary.next_shard_iterator.has_value() && !summary.may_more_record) {
          return std::nullopt;
        }
        prepared.body = std::move(body).value();
        prepared.continuation = std::move(summary.next_shard_iterator);
        prepared.more_expected = summary.may_more_record;
        return prepared;
      });
}

// `read_ahead` may be null (read-ahead off).
Result<std::string> GetStreamRecord(const ApiContext& context,
                                    const proto::GetStreamRecordRequest& request,
                                    ReadAhead* read_ahead) {
  std::optional<int32_t> limit;
  if (request.has_limit()) {
    if (request.limit() < 1) {
      return Status::InvalidArgument("GetStreamRecordRequest.limit: must be greater than 0.");
    }
    limit = request.limit();
  }
  if (read_ahead != nullptr) {
    std::optional<PreparedAnswer> prepared =
        read_ahead->Take(ReadAheadKey(context.instance, request.shard_iterator(), limit));
    if (prepared.has_value() && prepared->state_version == context.store->StreamStateVersion()) {
      PrepareNextAnswer(read_ahead, context.store, context.instance, prepared->continuation,
                        prepared->more_expected, limit, HashingFor(context, /*read_ahead=*/true));
      if (context.known_content_md5 != nullptr) {
        *context.known_content_md5 = std::move(prepared->content_md5);
      }
      return std::move(prepared->body);
    }
  }
  store::StreamReadSummary summary;
  std::string content_md5;
  OTSYNC_ASSIGN_OR_RETURN(
      std::string body,
      BuildStreamRecordBody(context.store, context.instance, request.shard_iterator(), limit,
                            HashingFor(context, read_ahead != nullptr), &summary, &content_md5));
  if (context.known_content_md5 != nullptr) *context.known_content_md5 = std::move(content_md5);
  PrepareNextAnswer(read_ahead, context.store, context.instance, summary.next_shard_iterator,
                    summary.may_more_record, limit, HashingFor(context, /*read_ahead=*/true));
  return body;
}

}  // namespace

void RegisterStreamHandlers(RequestDispatcher* dispatcher, std::shared_ptr<ReadAhead> read_ahead) {
  dispatcher->Register("ListStream", MakeHandler<proto::ListStreamRequest>(&ListStream));
  dispatcher->Register("DescribeStream",
                       MakeHandler<proto::DescribeStreamRequest>(&DescribeStream));
  dispatcher->Register("GetShardIterator",
                       MakeHandler<proto::GetShardIteratorRequest>(&GetShardIterator));
  dispatcher->Register("GetStreamRecord", MakeHandler<proto::GetStreamRecordRequest>(
                                              &GetStreamRecord, std::move(read_ahead)));
}

}  // namespace otsync::server
