#include "client/client.h"

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "client/http_transport.h"
#include "client/request_headers.h"
#include "client/retry_policy.h"
#include "proto/table_store.pb.h"
#include "proto/table_store_filter.pb.h"
#include "wire/coding.h"
#include "wire/concurrent_content_md5.h"
#include "wire/error_codes.h"
#include "wire/plain_buffer.h"
#include "wire/signature.h"

namespace otsync::client {
namespace {

namespace pb = ::otsync::proto;

// ---------------------------------------------------------------------------------------------
// Model -> protobuf. The wire model enums carry the protobuf enum numbers (wire/*.h), so the
// casts below are exact.

void ToFilterMessage(const wire::Filter& filter, pb::Filter* out) {
  switch (filter.kind) {
    case wire::Filter::Kind::kSingleColumn: {
      pb::SingleColumnValueFilter single;
      single.set_comparator(static_cast<pb::ComparatorType>(filter.comparator));
      single.set_column_name(filter.column_name);
      wire::EncodeSqlVariant(filter.value, single.mutable_column_value());
      single.set_filter_if_missing(filter.filter_if_missing);
      single.set_latest_version_only(filter.latest_version_only);
      out->set_type(pb::FT_SINGLE_COLUMN_VALUE);
      single.SerializePartialToString(out->mutable_filter());
      return;
    }
    case wire::Filter::Kind::kComposite: {
      pb::CompositeColumnValueFilter composite;
      composite.set_combinator(static_cast<pb::LogicalOperator>(filter.combinator));
      for (const wire::Filter& child : filter.children) {
        ToFilterMessage(child, composite.add_sub_filters());
      }
      out->set_type(pb::FT_COMPOSITE_COLUMN_VALUE);
      composite.SerializePartialToString(out->mutable_filter());
      return;
    }
    case wire::Filter::Kind::kColumnPagination: {
      pb::ColumnPaginationFilter pagination;
      pagination.set_offset(filter.offset);
      pagination.set_limit(filter.limit);
      out->set_type(pb::FT_COLUMN_PAGINATION);
      pagination.SerializePartialToString(out->mutable_filter());
      return;
    }
  }
}

std::string EncodeFilter(const wire::Filter& filter) {
  pb::Filter message;
  ToFilterMessage(filter, &message);
  return message.SerializePartialAsString();
}

void ToCondition(const wire::Condition& condition, pb::Condition* out) {
  out->set_row_existence(static_cast<pb::RowExistenceExpectation>(condition.row_existence));
  if (condition.column_condition) {
    out->set_column_condition(EncodeFilter(*condition.column_condition));
  }
}

void ToReturnContent(const wire::RowWrite& write, pb::ReturnContent* out) {
  out->set_return_type(static_cast<pb::ReturnType>(write.return_type));
  for (const std::string& column : write.return_columns) out->add_return_column_names(column);
}

bool WantsReturnContent(const wire::RowWrite& write) {
  return write.return_type != wire::ReturnType::kNone || !write.return_columns.empty();
}

void ToTimeRange(const wire::TimeRange& range, pb::TimeRange* out) {
  if (range.start_millis) out->set_start_time(*range.start_millis);
  if (range.end_millis) out->set_end_time(*range.end_millis);
  if (range.specific_millis) out->set_specific_time(*range.specific_millis);
}

// GetRowRequest, TableInBatchGetRowRequest and GetRangeRequest share these field names.
template <typename Request>
void SetReadOptions(const wire::ReadOptions& read, Request* request) {
  for (const std::string& column : read.columns_to_get) request->add_columns_to_get(column);
  if (read.time_range) ToTimeRange(*read.time_range, request->mutable_time_range());
  // The service wants max_versions or a time range; one version is what every SDK defaults to.
  if (read.max_versions > 0) {
    request->set_max_versions(read.max_versions);
  } else if (!read.time_range) {
    request->set_max_versions(1);
  }
  if (read.filter) request->set_filter(EncodeFilter(*read.filter));
  if (!read.start_column.empty()) request->set_start_column(read.start_column);
  if (!read.end_column.empty()) request->set_end_column(read.end_column);
}

// The PlainBuffer a write of `type` sends (docs/protocol.md §3.9): a DeleteRow carries the primary
// key and the delete marker only.
std::string EncodeRowChange(wire::WriteType type, const wire::Row& row) {
  if (type == wire::WriteType::kDelete) {
    wire::Row marker;
    marker.primary_key = row.primary_key;
    marker.delete_marker = true;
    return wire::EncodeRow(marker);
  }
  return wire::EncodeRow(row);
}

pb::GetRangeRequest GetRangeRequestOf(std::string_view table_name,
                                      const wire::RangeRequest& range) {
  pb::GetRangeRequest request;
  request.set_table_name(std::string(table_name));
  request.set_direction(static_cast<pb::Direction>(range.direction));
  SetReadOptions(range.read, &request);
  if (range.limit > 0) request.set_limit(range.limit);
  wire::EncodePrimaryKey(range.inclusive_start, request.mutable_inclusive_start_primary_key());
  wire::EncodePrimaryKey(range.exclusive_end, request.mutable_exclusive_end_primary_key());
  return request;
}

void ToTableOptions(const wire::TableOptions& options, pb::TableOptions* out) {
  out->set_time_to_live(options.time_to_live_seconds);
  out->set_max_versions(options.max_versions);
  out->set_deviation_cell_version_in_sec(options.deviation_cell_version_in_seconds);
  out->set_allow_update(options.allow_update);
}

void ToTableMeta(const wire::TableDescription& table, pb::TableMeta* out) {
  out->set_table_name(table.name);
  for (const wire::PrimaryKeySchemaColumn& column : table.primary_key) {
    pb::PrimaryKeySchema* schema = out->add_primary_key();
    schema->set_name(column.name);
    schema->set_type(static_cast<pb::PrimaryKeyType>(column.type));
    if (column.auto_increment) schema->set_option(pb::AUTO_INCREMENT);
  }
  for (const wire::DefinedColumn& column : table.defined_columns) {
    pb::DefinedColumnSchema* schema = out->add_defined_column();
    schema->set_name(column.name);
    schema->set_type(static_cast<pb::DefinedColumnType>(column.type));
  }
}

// ---------------------------------------------------------------------------------------------
// Protobuf -> model.

Status CorruptResponse(std::string_view what, const Status& cause) {
  return Status(StatusCode::kCorruption, std::string(what) + ": " + cause.message());
}

Result<std::optional<wire::Row>> DecodeOptionalRow(const std::string& bytes,
                                                   std::string_view what) {
  if (bytes.empty()) return std::optional<wire::Row>();
  Result<wire::Row> row = wire::DecodeRow(bytes);
  if (!row.ok()) return CorruptResponse(what, row.status());
  return std::optional<wire::Row>(std::move(row).value());
}

Result<wire::PrimaryKey> DecodePrimaryKey(const std::string& bytes, std::string_view what) {
  Result<wire::Row> row = wire::DecodeRow(bytes);
  if (!row.ok()) return CorruptResponse(what, row.status());
  return std::move(row->primary_key);
}

// The rows of a GetRange answer, decoded into `*rows` in place (wire::DecodeRowsInto).
Status DecodeRangeRows(const pb::GetRangeResponse& response, std::vector<wire::Row>* rows) {
  Status status = wire::DecodeRowsInto(response.rows(), rows);
  if (!status.ok()) return CorruptResponse("GetRange rows", status);
  return Status::OK();
}

// Absent when the answer ends the range.
Result<std::optional<wire::PrimaryKey>> NextStartOf(const pb::GetRangeResponse& response) {
  if (response.next_start_primary_key().empty()) return std::optional<wire::PrimaryKey>();
  OTSYNC_ASSIGN_OR_RETURN(
      wire::PrimaryKey key,
      DecodePrimaryKey(response.next_start_primary_key(), "GetRange next_start_primary_key"));
  return std::optional<wire::PrimaryKey>(std::move(key));
}

CapacityUnits FromConsumed(const pb::ConsumedCapacity& consumed) {
  return {consumed.capacity_unit().read(), consumed.capacity_unit().write()};
}

wire::TableOptions FromTableOptions(const pb::TableOptions& given) {
  wire::TableOptions options;
  if (given.has_time_to_live()) options.time_to_live_seconds = given.time_to_live();
  if (given.has_max_versions()) options.max_versions = given.max_versions();
  if (given.has_deviation_cell_version_in_sec()) {
    options.deviation_cell_version_in_seconds = given.deviation_cell_version_in_sec();
  }
  if (given.has_allow_update()) options.allow_update = given.allow_update();
  return options;
}

wire::StreamSettings FromStreamDetails(const pb::StreamDetails& details) {
  wire::StreamSettings stream;
  stream.enabled = details.enable_stream();
  stream.stream_id = details.stream_id();
  stream.expiration_hours = details.expiration_time();
  stream.last_enable_time_micros = details.last_enable_time();
  return stream;
}

wire::PrimaryKeySchemaColumn FromPrimaryKeySchema(const pb::PrimaryKeySchema& schema) {
  wire::PrimaryKeySchemaColumn column;
  column.name = schema.name();
  column.type = static_cast<wire::PrimaryKeyType>(schema.type());
  column.auto_increment = schema.has_option() && schema.option() == pb::AUTO_INCREMENT;
  return column;
}

// "<OTS code>: <OTS message>" with the StatusCode the OTS code stands for.
Status FromError(const pb::Error& error, int http_status) {
  return Status(wire::FromWireError(error.code(), http_status),
                error.code() + ": " + error.message());
}

// Outcomes of a batch must match the request shape one to one.
Status CheckBatchShape(std::string_view api, size_t expected, size_t received,
                       std::string_view what) {
  if (expected == received) return Status::OK();
  return Status(StatusCode::kCorruption, std::string(api) + " response has " +
                                             std::to_string(received) + " " + std::string(what) +
                                             ", the request had " + std::to_string(expected));
}

// ---------------------------------------------------------------------------------------------
// GetStreamRecordResponse, read straight from the protobuf bytes: the record PlainBuffers are
// decoded in place (no copy into a message), which is what lets a reused batch decode without
// allocating per record.

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

class ProtoReader {
 public:
  explicit ProtoReader(std::string_view bytes) : rest_(bytes), size_(bytes.size()) {}

  bool AtEnd() const { return rest_.empty(); }
  size_t position() const { return size_ - rest_.size(); }

  bool ReadVarint(uint64_t* value) { return wire::GetVarint64(&rest_, value); }

  bool ReadKey(uint32_t* field, uint32_t* wire_type) {
    uint64_t key = 0;
    if (!ReadVarint(&key) || key > UINT32_MAX || (key >> 3) == 0) return false;
    *field = static_cast<uint32_t>(key >> 3);
    *wire_type = static_cast<uint32_t>(key & 7);
    return true;
  }

  bool ReadBytes(std::string_view* value) {
    uint64_t length = 0;
    if (!ReadVarint(&length) || length > rest_.size()) return false;
    *value = rest_.substr(0, length);
    rest_.remove_prefix(length);
    return true;
  }

  // Skips a field this reader does not use (groups, deprecated in proto2, are refused).
  bool Skip(uint32_t wire_type) {
    uint64_t ignored = 0;
    std::string_view bytes;
    switch (wire_type) {
      case kVarint:
        return ReadVarint(&ignored);
      case kLengthDelimited:
        return ReadBytes(&bytes);
      case kFixed64:
        return Advance(8);
      case kFixed32:
        return Advance(4);
      default:
        return false;
    }
  }

 private:
  bool Advance(size_t count) {
    if (count > rest_.size()) return false;
    rest_.remove_prefix(count);
    return true;
  }

  std::string_view rest_;
  size_t size_;
};

Status CorruptStreamResponse(std::string_view what) {
  return Status(StatusCode::kCorruption, "GetStreamRecord response: " + std::string(what));
}

// The cell kinds and the extension docs/protocol.md §3.10 allows in a stream record.
Status CheckStreamRecordRow(const wire::Row& row, wire::StreamAction action) {
  if (!row.sequence_info) return CorruptStreamResponse("a record has no sequence-info extension");
  if (row.primary_key.empty()) return CorruptStreamResponse("a record has no primary key");
  if (action == wire::StreamAction::kDeleteRow && !row.cells.empty()) {
    return CorruptStreamResponse("a DELETE_ROW record has columns");
  }
  for (const wire::Cell& cell : row.cells) {
    bool valid = false;
    switch (cell.operation) {
      case wire::CellOperation::kPut:
        valid = cell.value.has_value() && cell.timestamp.has_value();
        break;
      case wire::CellOperation::kDeleteOneVersion:
        valid = !cell.value.has_value() && cell.timestamp.has_value();
        break;
      case wire::CellOperation::kDeleteAllVersions:
        valid = !cell.value.has_value() && !cell.timestamp.has_value();
        break;
      case wire::CellOperation::kIncrement:
        break;
    }
    if (!valid) {
      return CorruptStreamResponse("column \"" + cell.name + "\" of a record is not a put (value " +
                                   "and timestamp), a delete of one version (timestamp) or a " +
                                   "delete of all versions");
    }
  }
  return Status::OK();
}

// One GetStreamRecordResponse.StreamRecord message into `*record`.
Status DecodeStreamRecordMessage(std::string_view message, StreamRecord* record) {
  ProtoReader reader(message);
  uint64_t action = 0;
  bool has_action = false;
  std::string_view plain_buffer;
  bool has_record = false;
  while (!reader.AtEnd()) {
    uint32_t field = 0;
    uint32_t wire_type = 0;
    if (!reader.ReadKey(&field, &wire_type)) return CorruptStreamResponse("bad StreamRecord");
    if (field == 1 && wire_type == kVarint) {
      if (!reader.ReadVarint(&action)) return CorruptStreamResponse("bad action_type");
      has_action = true;
    } else if (field == 2 && wire_type == kLengthDelimited) {
      if (!reader.ReadBytes(&plain_buffer)) return CorruptStreamResponse("bad record bytes");
      has_record = true;
    } else if (!reader.Skip(wire_type)) {
      return CorruptStreamResponse("bad StreamRecord field " + std::to_string(field));
    }
  }
  if (!has_action || !has_record) {
    return CorruptStreamResponse("a StreamRecord lacks action_type or record");
  }
  if (!wire::StreamActionFromNumber(action, &record->action)) {
    return CorruptStreamResponse("unknown action_type " + std::to_string(action));
  }
  if (Status decoded = wire::DecodeRowInto(plain_buffer, &record->row); !decoded.ok()) {
    return CorruptStreamResponse("record: " + decoded.message());
  }
  OTSYNC_RETURN_IF_ERROR(CheckStreamRecordRow(record->row, record->action));
  record->sequence = *record->row.sequence_info;
  return Status::OK();
}

StreamShard FromStreamShard(const pb::StreamShard& shard) {
  return {shard.shard_id(), shard.parent_id(), shard.parent_sibling_id()};
}

double UnitRandom() {
  thread_local std::mt19937_64 generator(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

StreamRecord* StreamRecordBatch::NextSlot() {
  if (size_ == slots_.size()) slots_.emplace_back();
  return &slots_[size_++];
}

void StreamRecordBatch::Reset() {
  size_ = 0;
  next_shard_iterator_.reset();
  may_more_record_ = false;
}

Status DecodeStreamRecordResponse(std::string body, StreamRecordBatch* batch) {
  batch->Reset();
  batch->body_ = std::move(body);
  ProtoReader reader(batch->body_);
  Status status;
  while (status.ok() && !reader.AtEnd()) {
    uint32_t field = 0;
    uint32_t wire_type = 0;
    if (!reader.ReadKey(&field, &wire_type)) {
      status =
          CorruptStreamResponse("bad field key at offset " + std::to_string(reader.position()));
    } else if (field == 1 && wire_type == kLengthDelimited) {
      std::string_view message;
      status = reader.ReadBytes(&message) ? DecodeStreamRecordMessage(message, batch->NextSlot())
                                          : CorruptStreamResponse("truncated stream_records");
    } else if (field == 2 && wire_type == kLengthDelimited) {
      std::string_view iterator;
      if (reader.ReadBytes(&iterator)) {
        batch->next_shard_iterator_.emplace(iterator);
      } else {
        status = CorruptStreamResponse("truncated next_shard_iterator");
      }
    } else if (field == 4 && wire_type == kVarint) {
      uint64_t value = 0;
      if (reader.ReadVarint(&value)) {
        batch->may_more_record_ = value != 0;
      } else {
        status = CorruptStreamResponse("bad may_more_record");
      }
    } else if (!reader.Skip(wire_type)) {
      status = CorruptStreamResponse("bad field " + std::to_string(field));
    }
  }
  if (!status.ok()) batch->Reset();
  return status;
}

Result<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  if (options.instance.empty()) return Status::InvalidArgument("instance name is empty");
  if (options.credentials.access_key_id.empty()) {
    return Status::InvalidArgument("access key id is empty");
  }
  if (options.max_retries < 0) return Status::InvalidArgument("max_retries is negative");
  if (!options.clock) options.clock = DefaultClock();
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<HttpTransport> transport, HttpTransport::Create(options));
  return std::unique_ptr<Client>(new Client(std::move(options), std::move(transport)));
}

Client::Client(ClientOptions options, std::unique_ptr<HttpTransport> transport)
    : options_(std::move(options)),
      signing_key_(wire::HmacKey::Digest::kSha1, options_.credentials.access_key_secret),
      transport_(std::move(transport)) {}

Client::~Client() = default;

Status Client::Call(std::string_view api, const google::protobuf::MessageLite& request,
                    google::protobuf::MessageLite* response, HttpReply* reply) {
  return Call(
      api, request,
      [api, response](std::string& body) -> Status {
        if (!response->ParsePartialFromString(body)) {
          return Status(StatusCode::kCorruption,
                        std::string(api) + " response is not a valid protobuf message");
        }
        return Status::OK();
      },
      reply);
}

Status Client::Call(std::string_view api, const google::protobuf::MessageLite& request,
                    const std::function<Status(std::string& body)>& on_body, HttpReply* reply) {
  std::string body;
  if (!request.SerializePartialToString(&body)) {
    return Status::InvalidArgument(std::string(api) + ": cannot serialize the request");
  }
  return CallWithBody(api, body, on_body, reply);
}

Status Client::CallWithBody(std::string_view api, const std::string& body,
                            const std::function<Status(std::string& body)>& on_body,
                            HttpReply* reply) {
  HttpReply own_reply;
  if (reply == nullptr) reply = &own_reply;
  for (int attempt = 0;; ++attempt) {
    wire::HeaderMap headers =
        SignedRequestHeaders(api, body, options_.instance, options_.credentials, signing_key_,
                             options_.clock->NowMicros());
    if (!options_.verify_response_md5) {
      headers.emplace(wire::kContentMd5CheckHeader, wire::kContentMd5Unchecked);
    }
    const Status posted = transport_->Post(api, body, headers, reply);

    Status failure;
    AttemptFailure details;
    pb::Error error;
    if (!posted.ok()) {
      failure = posted;
      details.network = true;
    } else if (reply->status >= 200 && reply->status < 300) {
      if (!options_.verify_response_md5 || reply->content_md5.empty()) return on_body(reply->body);
      // A large body is decoded while a helper hashes it; a small one is checked first, as
      // handing it over would cost about what hashing it does.
      const std::string_view received = reply->body;
      wire::ConcurrentContentMd5 md5;
      std::optional<Status> decoded;
      if (received.size() >= wire::ConcurrentContentMd5::kHandOffBytes) {
        md5.Offer(received);
        decoded = on_body(reply->body);
      }
      if (md5.Finish(received) == reply->content_md5) {
        return decoded.has_value() ? *decoded : on_body(reply->body);
      }
      // A damaged body is a transport failure: reads may try again.
      failure = Status(StatusCode::kCorruption,
                       std::string(api) + " response does not match its x-ots-contentmd5");
      details.network = true;
    } else {
      details.http_status = reply->status;
      if (error.ParsePartialFromString(reply->body) && error.has_code()) {
        failure = FromError(error, reply->status);
        details.code = error.code();
        details.message = error.message();
      } else {
        // As the Go SDK does: an undecodable 5xx stands for OTSServerUnavailable.
        const bool server_side = reply->status >= 500;
        failure =
            Status(server_side ? StatusCode::kUnavailable : wire::FromWireError("", reply->status),
                   std::string(server_side ? "OTSServerUnavailable" : "OTSClientUnknownError") +
                       ": HTTP " + std::to_string(reply->status) + " from " + std::string(api) +
                       " without a Tablestore error body");
      }
    }
    if (attempt >= options_.max_retries || !IsRetriable(api, details)) return failure;
    std::this_thread::sleep_for(
        BackoffDelay(attempt, options_.retry_base_delay, options_.retry_max_delay, UnitRandom()));
  }
}

// ---------------------------------------------------------------------------------------------
// Tables.

Status Client::CreateTable(const wire::TableDescription& table) {
  pb::CreateTableRequest request;
  ToTableMeta(table, request.mutable_table_meta());
  pb::CapacityUnit* capacity = request.mutable_reserved_throughput()->mutable_capacity_unit();
  capacity->set_read(table.reserved_read_capacity);
  capacity->set_write(table.reserved_write_capacity);
  ToTableOptions(table.options, request.mutable_table_options());
  if (table.stream.enabled) {
    request.mutable_stream_spec()->set_enable_stream(true);
    request.mutable_stream_spec()->set_expiration_time(table.stream.expiration_hours);
  }
  pb::CreateTableResponse response;
  return Call("CreateTable", request, &response);
}

Result<std::vector<std::string>> Client::ListTable() {
  pb::ListTableRequest request;
  pb::ListTableResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("ListTable", request, &response));
  return std::vector<std::string>(response.table_names().begin(), response.table_names().end());
}

Result<wire::TableDescription> Client::DescribeTable(std::string_view table_name) {
  pb::DescribeTableRequest request;
  request.set_table_name(std::string(table_name));
  pb::DescribeTableResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("DescribeTable", request, &response));

  wire::TableDescription table;
  const pb::TableMeta& meta = response.table_meta();
  table.name = meta.table_name();
  for (const pb::PrimaryKeySchema& schema : meta.primary_key()) {
    table.primary_key.push_back(FromPrimaryKeySchema(schema));
  }
  for (const pb::DefinedColumnSchema& schema : meta.defined_column()) {
    table.defined_columns.push_back(
        {schema.name(), static_cast<wire::DefinedColumnType>(schema.type())});
  }
  table.options = FromTableOptions(response.table_options());
  if (response.has_stream_details()) table.stream = FromStreamDetails(response.stream_details());
  const pb::ReservedThroughputDetails& reserved = response.reserved_throughput_details();
  table.reserved_read_capacity = reserved.capacity_unit().read();
  table.reserved_write_capacity = reserved.capacity_unit().write();
  // The service reports no creation time of its own; the first capacity setting (seconds) is
  // when the table was created.
  table.creation_time_micros = reserved.last_increase_time() * 1000000;
  return table;
}

Result<UpdateTableResult> Client::UpdateTable(std::string_view table_name,
                                              const wire::TableUpdate& update) {
  pb::UpdateTableRequest request;
  request.set_table_name(std::string(table_name));
  if (update.options) ToTableOptions(*update.options, request.mutable_table_options());
  if (update.stream) {
    request.mutable_stream_spec()->set_enable_stream(update.stream->enabled);
    if (update.stream->enabled) {
      request.mutable_stream_spec()->set_expiration_time(update.stream->expiration_hours);
    }
  }
  if (update.reserved_read_capacity || update.reserved_write_capacity) {
    pb::CapacityUnit* capacity = request.mutable_reserved_throughput()->mutable_capacity_unit();
    if (update.reserved_read_capacity) capacity->set_read(*update.reserved_read_capacity);
    if (update.reserved_write_capacity) capacity->set_write(*update.reserved_write_capacity);
  }
  pb::UpdateTableResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("UpdateTable", request, &response));
  UpdateTableResult result;
  result.options = FromTableOptions(response.table_options());
  if (response.has_stream_details()) result.stream = FromStreamDetails(response.stream_details());
  result.reserved_read_capacity = response.reserved_throughput_details().capacity_unit().read();
  result.reserved_write_capacity = response.reserved_throughput_details().capacity_unit().write();
  return result;
}

Status Client::DeleteTable(std::string_view table_name) {
  pb::DeleteTableRequest request;
  request.set_table_name(std::string(table_name));
  pb::DeleteTableResponse response;
  return Call("DeleteTable", request, &response);
}

// ---------------------------------------------------------------------------------------------
// Single rows.

Result<WriteResult> Client::WriteSingleRow(std::string_view table_name, wire::WriteType type,
                                           const wire::RowWrite& write) {
  // The three requests and responses have the same shape; only the field names of the row
  // differ.
  auto fill = [&](auto* request) {
    request->set_table_name(std::string(table_name));
    ToCondition(write.condition, request->mutable_condition());
    if (WantsReturnContent(write)) ToReturnContent(write, request->mutable_return_content());
  };
  auto finish = [](std::string_view api, const auto& response) -> Result<WriteResult> {
    WriteResult result;
    result.consumed = FromConsumed(response.consumed());
    OTSYNC_ASSIGN_OR_RETURN(result.row,
                            DecodeOptionalRow(response.row(), std::string(api) + " row"));
    return result;
  };
  switch (type) {
    case wire::WriteType::kPut: {
      pb::PutRowRequest request;
      fill(&request);
      request.set_row(EncodeRowChange(type, write.row));
      pb::PutRowResponse response;
      OTSYNC_RETURN_IF_ERROR(Call("PutRow", request, &response));
      return finish("PutRow", response);
    }
    case wire::WriteType::kUpdate: {
      pb::UpdateRowRequest request;
      fill(&request);
      request.set_row_change(EncodeRowChange(type, write.row));
      pb::UpdateRowResponse response;
      OTSYNC_RETURN_IF_ERROR(Call("UpdateRow", request, &response));
      return finish("UpdateRow", response);
    }
    case wire::WriteType::kDelete: {
      pb::DeleteRowRequest request;
      fill(&request);
      request.set_primary_key(EncodeRowChange(type, write.row));
      pb::DeleteRowResponse response;
      OTSYNC_RETURN_IF_ERROR(Call("DeleteRow", request, &response));
      return finish("DeleteRow", response);
    }
  }
  return Status::InvalidArgument("unknown write type");
}

Result<WriteResult> Client::PutRow(std::string_view table_name, const wire::RowWrite& write) {
  return WriteSingleRow(table_name, wire::WriteType::kPut, write);
}

Result<WriteResult> Client::UpdateRow(std::string_view table_name, const wire::RowWrite& write) {
  return WriteSingleRow(table_name, wire::WriteType::kUpdate, write);
}

Result<WriteResult> Client::DeleteRow(std::string_view table_name, const wire::RowWrite& write) {
  return WriteSingleRow(table_name, wire::WriteType::kDelete, write);
}

Result<std::optional<wire::Row>> Client::GetRow(std::string_view table_name,
                                                const wire::PrimaryKey& primary_key,
                                                const wire::ReadOptions& options) {
  pb::GetRowRequest request;
  request.set_table_name(std::string(table_name));
  wire::EncodePrimaryKey(primary_key, request.mutable_primary_key());
  SetReadOptions(options, &request);
  pb::GetRowResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("GetRow", request, &response));
  return DecodeOptionalRow(response.row(), "GetRow row");
}

// ---------------------------------------------------------------------------------------------
// Batches.

Result<std::vector<std::vector<wire::RowReadOutcome>>> Client::BatchGetRow(
    const std::vector<wire::TableReads>& tables) {
  pb::BatchGetRowRequest request;
  for (const wire::TableReads& reads : tables) {
    pb::TableInBatchGetRowRequest* table = request.add_tables();
    table->set_table_name(reads.table_name);
    for (const wire::PrimaryKey& key : reads.primary_keys) {
      wire::EncodePrimaryKey(key, table->add_primary_key());
    }
    SetReadOptions(reads.options, table);
  }
  pb::BatchGetRowResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("BatchGetRow", request, &response));
  OTSYNC_RETURN_IF_ERROR(
      CheckBatchShape("BatchGetRow", tables.size(), response.tables_size(), "tables"));

  std::vector<std::vector<wire::RowReadOutcome>> outcomes(tables.size());
  for (size_t t = 0; t < tables.size(); ++t) {
    const pb::TableInBatchGetRowResponse& table = response.tables(static_cast<int>(t));
    OTSYNC_RETURN_IF_ERROR(
        CheckBatchShape("BatchGetRow", tables[t].primary_keys.size(), table.rows_size(), "rows"));
    outcomes[t].reserve(table.rows_size());
    for (const pb::RowInBatchGetRowResponse& row : table.rows()) {
      wire::RowReadOutcome outcome;
      if (row.is_ok()) {
        OTSYNC_ASSIGN_OR_RETURN(outcome.row, DecodeOptionalRow(row.row(), "BatchGetRow row"));
      } else {
        outcome.status = FromError(row.error(), 0);
      }
      outcomes[t].push_back(std::move(outcome));
    }
  }
  return outcomes;
}

Result<std::vector<std::vector<wire::RowWriteOutcome>>> Client::BatchWriteRow(
    const std::vector<wire::TableWrites>& tables) {
  pb::BatchWriteRowRequest request;
  for (const wire::TableWrites& writes : tables) {
    pb::TableInBatchWriteRowRequest* table = request.add_tables();
    table->set_table_name(writes.table_name);
    for (const wire::RowWrite& write : writes.rows) {
      pb::RowInBatchWriteRowRequest* row = table->add_rows();
      row->set_type(static_cast<pb::OperationType>(write.type));
      row->set_row_change(EncodeRowChange(write.type, write.row));
      ToCondition(write.condition, row->mutable_condition());
      if (WantsReturnContent(write)) ToReturnContent(write, row->mutable_return_content());
    }
  }
  pb::BatchWriteRowResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("BatchWriteRow", request, &response));
  OTSYNC_RETURN_IF_ERROR(
      CheckBatchShape("BatchWriteRow", tables.size(), response.tables_size(), "tables"));

  std::vector<std::vector<wire::RowWriteOutcome>> outcomes(tables.size());
  for (size_t t = 0; t < tables.size(); ++t) {
    const pb::TableInBatchWriteRowResponse& table = response.tables(static_cast<int>(t));
    OTSYNC_RETURN_IF_ERROR(
        CheckBatchShape("BatchWriteRow", tables[t].rows.size(), table.rows_size(), "rows"));
    outcomes[t].reserve(table.rows_size());
    for (const pb::RowInBatchWriteRowResponse& row : table.rows()) {
      wire::RowWriteOutcome outcome;
      if (row.is_ok()) {
        OTSYNC_ASSIGN_OR_RETURN(outcome.returned_row,
                                DecodeOptionalRow(row.row(), "BatchWriteRow row"));
      } else {
        outcome.status = FromError(row.error(), 0);
      }
      outcomes[t].push_back(std::move(outcome));
    }
  }
  return outcomes;
}

// ---------------------------------------------------------------------------------------------
// Ranges.

Result<wire::RangeResult> Client::GetRange(std::string_view table_name,
                                           const wire::RangeRequest& range) {
  wire::RangeResult result;
  OTSYNC_RETURN_IF_ERROR(GetRange(table_name, range, &result));
  return result;
}

Status Client::GetRange(std::string_view table_name, const wire::RangeRequest& range,
                        wire::RangeResult* result) {
  pb::GetRangeResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("GetRange", GetRangeRequestOf(table_name, range), &response));
  OTSYNC_RETURN_IF_ERROR(DecodeRangeRows(response, &result->rows));
  OTSYNC_ASSIGN_OR_RETURN(result->next_start_primary_key, NextStartOf(response));
  return Status::OK();
}

Status Client::ScanRange(std::string_view table_name, const wire::RangeRequest& request,
                         const std::function<Status(std::vector<wire::Row>& batch)>& on_rows) {
  pb::GetRangeRequest request_message = GetRangeRequestOf(table_name, request);
  // A page's answer is read into `reply` and parsed into `current` or `following`, which swap:
  // the three keep their buffers' capacity from page to page, where fresh ones for every page
  // (a few MiB) would be allocated and faulted in page by page. One call is in flight at a time,
  // so one reply serves.
  HttpReply reply;
  pb::GetRangeResponse current;
  pb::GetRangeResponse following;
  OTSYNC_RETURN_IF_ERROR(Call("GetRange", request_message, &current, &reply));
  std::vector<wire::Row> batch;
  while (true) {
    OTSYNC_ASSIGN_OR_RETURN(std::optional<wire::PrimaryKey> next_start, NextStartOf(current));
    // The next page is asked for before this one is decoded, so that the server reads it while
    // this thread decodes and hands over the rows below. The start key goes back as the server
    // sent it (it decoded above).
    std::future<Status> prefetch;
    if (next_start) {
      request_message.set_inclusive_start_primary_key(current.next_start_primary_key());
      prefetch = std::async(std::launch::async | std::launch::deferred,
                            [&] { return Call("GetRange", request_message, &following, &reply); });
    }
    Status status;
    wire::RowBatchDecoder rows(current.rows());
    while (status.ok() && !rows.done()) {
      status = rows.Next(kScanBatchRows, &batch);
      if (!status.ok()) {
        status = CorruptResponse("GetRange rows", status);
      } else if (!batch.empty()) {
        status = on_rows(batch);
      }
    }
    const Status fetched = prefetch.valid() ? prefetch.get() : Status::OK();
    OTSYNC_RETURN_IF_ERROR(status);
    if (!next_start) return Status::OK();
    OTSYNC_RETURN_IF_ERROR(fetched);
    current.Swap(&following);
  }
}

Result<std::vector<wire::Row>> Client::GetWholeRange(std::string_view table_name,
                                                     const wire::RangeRequest& request) {
  std::vector<wire::Row> rows;
  OTSYNC_RETURN_IF_ERROR(ScanRange(table_name, request, [&rows](std::vector<wire::Row>& batch) {
    rows.insert(rows.end(), std::make_move_iterator(batch.begin()),
                std::make_move_iterator(batch.end()));
    return Status::OK();
  }));
  return rows;
}

Result<SplitPoints> Client::ComputeSplitPointsBySize(std::string_view table_name,
                                                     int64_t split_size) {
  pb::ComputeSplitPointsBySizeRequest request;
  request.set_table_name(std::string(table_name));
  request.set_split_size(split_size);
  pb::ComputeSplitPointsBySizeResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("ComputeSplitPointsBySize", request, &response));
  SplitPoints result;
  for (const pb::PrimaryKeySchema& schema : response.schema()) {
    result.schema.push_back(FromPrimaryKeySchema(schema));
  }
  for (const std::string& point : response.split_points()) {
    OTSYNC_ASSIGN_OR_RETURN(wire::PrimaryKey key,
                            DecodePrimaryKey(point, "ComputeSplitPointsBySize split point"));
    result.split_points.push_back(std::move(key));
  }
  for (const auto& location : response.locations()) {
    result.locations.push_back({location.location(), location.repeat()});
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Streams.

Result<std::vector<StreamInfo>> Client::ListStream(std::optional<std::string_view> table_name) {
  pb::ListStreamRequest request;
  if (table_name) request.set_table_name(std::string(*table_name));
  pb::ListStreamResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("ListStream", request, &response));
  std::vector<StreamInfo> streams;
  streams.reserve(response.streams_size());
  for (const pb::Stream& stream : response.streams()) {
    streams.push_back({stream.stream_id(), stream.table_name(), stream.creation_time()});
  }
  return streams;
}

Result<StreamDescription> Client::DescribeStream(std::string_view stream_id,
                                                 std::string_view inclusive_start_shard_id,
                                                 int32_t shard_limit) {
  if (stream_id.empty()) return Status::InvalidArgument("DescribeStream: the stream id is empty");
  if (shard_limit < 0) return Status::InvalidArgument("DescribeStream: shard_limit is negative");
  pb::DescribeStreamRequest request;
  request.set_stream_id(std::string(stream_id));
  if (!inclusive_start_shard_id.empty()) {
    request.set_inclusive_start_shard_id(std::string(inclusive_start_shard_id));
  }
  if (shard_limit > 0) request.set_shard_limit(shard_limit);
  pb::DescribeStreamResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("DescribeStream", request, &response));

  StreamDescription description;
  description.stream_id = response.stream_id();
  description.table_name = response.table_name();
  description.expiration_hours = response.expiration_time();
  description.creation_time_micros = response.creation_time();
  if (response.stream_status() != pb::STREAM_ENABLING &&
      response.stream_status() != pb::STREAM_ACTIVE) {
    return Status(StatusCode::kCorruption, "DescribeStream response has no valid stream_status");
  }
  description.status = response.stream_status() == pb::STREAM_ENABLING
                           ? wire::StreamStatus::kEnabling
                           : wire::StreamStatus::kActive;
  description.shards.reserve(response.shards_size());
  for (const pb::StreamShard& shard : response.shards()) {
    description.shards.push_back(FromStreamShard(shard));
  }
  if (response.has_next_shard_id() && !response.next_shard_id().empty()) {
    description.next_shard_id = response.next_shard_id();
  }
  return description;
}

Result<StreamDescription> Client::DescribeStreamAllShards(std::string_view stream_id,
                                                          int32_t shard_limit) {
  OTSYNC_ASSIGN_OR_RETURN(StreamDescription all, DescribeStream(stream_id, {}, shard_limit));
  std::vector<std::string> starts;
  while (all.next_shard_id) {
    const std::string start = std::move(*all.next_shard_id);
    if (std::find(starts.begin(), starts.end(), start) != starts.end()) {
      return Status(StatusCode::kCorruption,
                    "DescribeStream pages loop: next_shard_id \"" + start + "\" came twice");
    }
    starts.push_back(start);
    OTSYNC_ASSIGN_OR_RETURN(StreamDescription page, DescribeStream(stream_id, start, shard_limit));
    all.shards.insert(all.shards.end(), std::make_move_iterator(page.shards.begin()),
                      std::make_move_iterator(page.shards.end()));
    all.status = page.status;
    all.next_shard_id = std::move(page.next_shard_id);
  }
  return all;
}

Result<std::string> Client::GetShardIterator(std::string_view stream_id, std::string_view shard_id,
                                             std::optional<int64_t> timestamp_micros) {
  if (stream_id.empty() || shard_id.empty()) {
    return Status::InvalidArgument("GetShardIterator: the stream id and shard id must be set");
  }
  pb::GetShardIteratorRequest request;
  request.set_stream_id(std::string(stream_id));
  request.set_shard_id(std::string(shard_id));
  if (timestamp_micros) request.set_timestamp(*timestamp_micros);
  pb::GetShardIteratorResponse response;
  OTSYNC_RETURN_IF_ERROR(Call("GetShardIterator", request, &response));
  if (response.shard_iterator().empty()) {
    return Status(StatusCode::kCorruption, "GetShardIterator response has no shard_iterator");
  }
  return std::move(*response.mutable_shard_iterator());
}

Status Client::GetStreamRecord(std::string_view shard_iterator, int32_t limit,
                               StreamRecordBatch* batch) {
  batch->Reset();
  if (shard_iterator.empty()) {
    return Status::InvalidArgument("GetStreamRecord: the shard iterator is empty");
  }
  if (limit < 0) return Status::InvalidArgument("GetStreamRecord: limit is negative");
  pb::GetStreamRecordRequest request;
  request.set_shard_iterator(std::string(shard_iterator));
  if (limit > 0) request.set_limit(limit);
  Status status = Call("GetStreamRecord", request, [batch](std::string& body) {
    return DecodeStreamRecordResponse(std::move(body), batch);
  });
  // Records decoded beside an MD5 check that then failed on the last attempt are not returned.
  if (!status.ok()) batch->Reset();
  return status;
}

// ---------------------------------------------------------------------------------------------
// otsd admin operations (server/admin_handlers.h): JSON bodies at /_otsd/admin/<Op>.

namespace {

constexpr std::string_view kAdminSplitShardApi = "_otsd/admin/SplitShard";
constexpr std::string_view kAdminMergeShardsApi = "_otsd/admin/MergeShards";
constexpr std::string_view kAdminTrimApi = "_otsd/admin/Trim";

// Parses a JSON object reply; kCorruption when it is not one.
Result<nlohmann::json> ParseAdminReply(std::string_view api, const std::string& body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Status(StatusCode::kCorruption, std::string(api) + " reply is not a JSON object");
  }
  return json;
}

}  // namespace

Result<std::vector<std::string>> Client::AdminSplitShard(std::string_view table_name,
                                                         std::string_view shard_id,
                                                         const wire::Value& key) {
  nlohmann::json request = {{"table", table_name}, {"shard_id", shard_id}};
  switch (key.type()) {
    case wire::ValueType::kInteger:
      request["key"] = key.integer();
      break;
    case wire::ValueType::kString:
      request["key"] = key.bytes();
      break;
    case wire::ValueType::kBinary:
      request["key"] = wire::Base64Encode(key.bytes());
      break;
    default:
      return Status::InvalidArgument("AdminSplitShard: the key must be INTEGER, STRING or BINARY");
  }
  std::vector<std::string> children;
  OTSYNC_RETURN_IF_ERROR(
      CallWithBody(kAdminSplitShardApi, request.dump(), [&children](std::string& body) -> Status {
        OTSYNC_ASSIGN_OR_RETURN(nlohmann::json reply, ParseAdminReply(kAdminSplitShardApi, body));
        auto it = reply.find("children");
        if (it == reply.end() || !it->is_array()) {
          return Status(StatusCode::kCorruption, "SplitShard reply has no children");
        }
        for (const nlohmann::json& child : *it) {
          if (!child.is_string()) {
            return Status(StatusCode::kCorruption, "SplitShard reply has a non-string child");
          }
          children.push_back(child.get<std::string>());
        }
        return Status::OK();
      }));
  return children;
}

Result<std::string> Client::AdminMergeShards(std::string_view table_name, std::string_view shard_a,
                                             std::string_view shard_b) {
  const nlohmann::json request = {
      {"table", table_name}, {"shard_a", shard_a}, {"shard_b", shard_b}};
  std::string child;
  OTSYNC_RETURN_IF_ERROR(
      CallWithBody(kAdminMergeShardsApi, request.dump(), [&child](std::string& body) -> Status {
        OTSYNC_ASSIGN_OR_RETURN(nlohmann::json reply, ParseAdminReply(kAdminMergeShardsApi, body));
        auto it = reply.find("child");
        if (it == reply.end() || !it->is_string()) {
          return Status(StatusCode::kCorruption, "MergeShards reply has no child");
        }
        child = it->get<std::string>();
        return Status::OK();
      }));
  return child;
}

Result<AdminTrimResult> Client::AdminTrimStreams() {
  AdminTrimResult result;
  OTSYNC_RETURN_IF_ERROR(CallWithBody(kAdminTrimApi, "{}", [&result](std::string& body) -> Status {
    OTSYNC_ASSIGN_OR_RETURN(nlohmann::json reply, ParseAdminReply(kAdminTrimApi, body));
    auto trimmed = reply.find("shards_trimmed");
    auto removed = reply.find("shards_removed");
    if (trimmed == reply.end() || !trimmed->is_number_unsigned() || removed == reply.end() ||
        !removed->is_number_unsigned()) {
      return Status(StatusCode::kCorruption, "Trim reply lacks its counts");
    }
    result.shards_trimmed = trimmed->get<uint64_t>();
    result.shards_removed = removed->get<uint64_t>();
    return Status::OK();
  }));
  return result;
}

}  // namespace otsync::client
