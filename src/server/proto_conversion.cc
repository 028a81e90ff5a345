#include "server/proto_conversion.h"

#include <google/protobuf/message.h>

#include <utility>

#include "proto/table_store.pb.h"
#include "proto/table_store_filter.pb.h"
#include "wire/error_codes.h"
#include "wire/plain_buffer.h"

namespace otsync::server {
namespace {

constexpr int32_t kMinTimeToLiveSeconds = 86400;
constexpr int32_t kMaxStreamExpirationHours = 168;
constexpr int32_t kDefaultStreamExpirationHours = 24;

Status InvalidField(std::string_view field, std::string message) {
  return Status::InvalidArgument(std::string(field) + ": " + message);
}

wire::PrimaryKeyType FromPrimaryKeyType(proto::PrimaryKeyType type) {
  switch (type) {
    case proto::INTEGER:
      return wire::PrimaryKeyType::kInteger;
    case proto::STRING:
      return wire::PrimaryKeyType::kString;
    case proto::BINARY:
      return wire::PrimaryKeyType::kBinary;
  }
  return wire::PrimaryKeyType::kString;
}

proto::PrimaryKeyType ToPrimaryKeyType(wire::PrimaryKeyType type) {
  switch (type) {
    case wire::PrimaryKeyType::kInteger:
      return proto::INTEGER;
    case wire::PrimaryKeyType::kString:
      return proto::STRING;
    case wire::PrimaryKeyType::kBinary:
      return proto::BINARY;
  }
  return proto::STRING;
}

wire::DefinedColumnType FromDefinedColumnType(proto::DefinedColumnType type) {
  switch (type) {
    case proto::DCT_INTEGER:
      return wire::DefinedColumnType::kInteger;
    case proto::DCT_DOUBLE:
      return wire::DefinedColumnType::kDouble;
    case proto::DCT_BOOLEAN:
      return wire::DefinedColumnType::kBoolean;
    case proto::DCT_STRING:
      return wire::DefinedColumnType::kString;
    case proto::DCT_BLOB:
      return wire::DefinedColumnType::kBinary;
  }
  return wire::DefinedColumnType::kString;
}

proto::DefinedColumnType ToDefinedColumnType(wire::DefinedColumnType type) {
  switch (type) {
    case wire::DefinedColumnType::kInteger:
      return proto::DCT_INTEGER;
    case wire::DefinedColumnType::kDouble:
      return proto::DCT_DOUBLE;
    case wire::DefinedColumnType::kBoolean:
      return proto::DCT_BOOLEAN;
    case wire::DefinedColumnType::kString:
      return proto::DCT_STRING;
    case wire::DefinedColumnType::kBinary:
      return proto::DCT_BLOB;
  }
  return proto::DCT_STRING;
}

// Overlays the fields present in `given` on `options` and checks the result.
Status MergeTableOptions(const proto::TableOptions& given, std::string_view field,
                         wire::TableOptions* options) {
  if (given.has_time_to_live()) {
    if (given.time_to_live() != -1 && given.time_to_live() < kMinTimeToLiveSeconds) {
      return InvalidField(field, "TimeToLive cannot be 0 or less than -1, and must be at least " +
                                     std::to_string(kMinTimeToLiveSeconds) + " seconds.");
    }
    options->time_to_live_seconds = given.time_to_live();
  }
  if (given.has_max_versions()) {
    if (given.max_versions() <= 0) {
      return InvalidField(field, "MaxVersions must be greater than 0.");
    }
    options->max_versions = given.max_versions();
  }
  if (given.has_deviation_cell_version_in_sec()) {
    if (given.deviation_cell_version_in_sec() <= 0) {
      return InvalidField(field, "MaxTimeDeviation must be greater than 0.");
    }
    options->deviation_cell_version_in_seconds = given.deviation_cell_version_in_sec();
  }
  if (given.has_allow_update()) options->allow_update = given.allow_update();
  return Status::OK();
}

Result<wire::StreamSettings> FromStreamSpecification(const proto::StreamSpecification& spec,
                                                     std::string_view field) {
  wire::StreamSettings stream;
  stream.enabled = spec.enable_stream();
  if (!stream.enabled) return stream;
  stream.expiration_hours =
      spec.has_expiration_time() ? spec.expiration_time() : kDefaultStreamExpirationHours;
  if (stream.expiration_hours < 1 || stream.expiration_hours > kMaxStreamExpirationHours) {
    return InvalidField(field, "expiration_time must be between 1 and " +
                                   std::to_string(kMaxStreamExpirationHours) + " hours.");
  }
  return stream;
}

Result<wire::Filter> FromFilterMessage(const proto::Filter& message, const std::string& field) {
  wire::Filter filter;
  switch (message.type()) {
    case proto::FT_SINGLE_COLUMN_VALUE: {
      proto::SingleColumnValueFilter single;
      OTSYNC_RETURN_IF_ERROR(ParseRequest(message.filter(), &single).WithContext(field));
      if (single.has_value_trans_rule()) {
        return InvalidField(field, "value_trans_rule is not supported.");
      }
      filter.kind = wire::Filter::Kind::kSingleColumn;
      filter.comparator = static_cast<wire::Comparator>(single.comparator());
      filter.column_name = single.column_name();
      Result<wire::Value> value = wire::DecodeSqlVariant(single.column_value());
      if (!value.ok()) return value.status().WithContext(field + ".column_value");
      filter.value = std::move(value).value();
      filter.filter_if_missing = single.filter_if_missing();
      filter.latest_version_only = single.latest_version_only();
      return filter;
    }
    case proto::FT_COMPOSITE_COLUMN_VALUE: {
      proto::CompositeColumnValueFilter composite;
      OTSYNC_RETURN_IF_ERROR(ParseRequest(message.filter(), &composite).WithContext(field));
      filter.kind = wire::Filter::Kind::kComposite;
      filter.combinator = static_cast<wire::LogicalOperator>(composite.combinator());
      const int count = composite.sub_filters_size();
      if (filter.combinator == wire::LogicalOperator::kNot && count != 1) {
        return InvalidField(field, "The number of sub filters for NOT must be 1.");
      }
      if (filter.combinator != wire::LogicalOperator::kNot && count < 2) {
        return InvalidField(field, "The number of sub filters for AND or OR must be at least 2.");
      }
      for (int i = 0; i < count; ++i) {
        OTSYNC_ASSIGN_OR_RETURN(wire::Filter child, FromFilterMessage(composite.sub_filters(i),
                                                                      field + ".sub_filters[" +
                                                                          std::to_string(i) + "]"));
        filter.children.push_back(std::move(child));
      }
      return filter;
    }
    case proto::FT_COLUMN_PAGINATION: {
      proto::ColumnPaginationFilter pagination;
      OTSYNC_RETURN_IF_ERROR(ParseRequest(message.filter(), &pagination).WithContext(field));
      if (pagination.offset() < 0 || pagination.limit() <= 0) {
        return InvalidField(field, "offset must not be negative and limit must be positive.");
      }
      filter.kind = wire::Filter::Kind::kColumnPagination;
      filter.offset = pagination.offset();
      filter.limit = pagination.limit();
      return filter;
    }
  }
  return InvalidField(field, "unknown filter type.");
}

}  // namespace

Status ParseRequest(std::string_view body, google::protobuf::Message* message,
                    bool check_required) {
  if (body.size() > static_cast<size_t>(INT32_MAX) ||
      !message->ParsePartialFromArray(body.data(), static_cast<int>(body.size()))) {
    return Status::InvalidArgument("Invalid request body: cannot parse " +
                                   message->GetDescriptor()->name() + ".");
  }
  return check_required ? CheckRequiredFields(*message) : Status::OK();
}

Status CheckRequiredFields(const google::protobuf::Message& message) {
  if (message.IsInitialized()) return Status::OK();
  return Status::InvalidArgument(message.GetDescriptor()->name() + ": missing required field " +
                                 message.InitializationErrorString() + ".");
}

Result<wire::PrimaryKey> DecodePrimaryKeyField(std::string_view bytes, std::string_view field) {
  Result<wire::Row> row = wire::DecodeRow(bytes);
  if (!row.ok()) return row.status().WithContext(field);
  if (!row->cells.empty() || row->delete_marker) {
    return InvalidField(field, "must hold the primary key only.");
  }
  return std::move(row->primary_key);
}

Result<wire::Row> DecodeRowField(std::string_view bytes, std::string_view field) {
  Result<wire::Row> row = wire::DecodeRow(bytes);
  if (!row.ok()) return row.status().WithContext(field);
  return row;
}

Result<wire::Row> DecodeRowChange(std::string_view bytes, wire::WriteType type,
                                  std::string_view field) {
  OTSYNC_ASSIGN_OR_RETURN(wire::Row row, DecodeRowField(bytes, field));
  switch (type) {
    case wire::WriteType::kPut:
      for (const wire::Cell& cell : row.cells) {
        if (cell.operation != wire::CellOperation::kPut) {
          return InvalidField(
              field, "OpType cannot be given for column name:" + cell.name + " in PutRow.");
        }
      }
      if (row.delete_marker) return InvalidField(field, "PutRow cannot carry a RowDeleteMarker.");
      break;
    case wire::WriteType::kUpdate:
      if (row.delete_marker) {
        return InvalidField(field, "UpdateRow cannot carry a RowDeleteMarker.");
      }
      break;
    case wire::WriteType::kDelete:
      if (!row.delete_marker) {
        return InvalidField(field,
                            "Invalid request of delete row: missing RowDeleteMarker in request.");
      }
      if (!row.cells.empty()) {
        return InvalidField(field, "DeleteRow cannot carry attribute columns.");
      }
      break;
  }
  return row;
}

Result<wire::TableDescription> FromCreateTableRequest(const proto::CreateTableRequest& request) {
  wire::TableDescription table;
  const proto::TableMeta& meta = request.table_meta();
  table.name = meta.table_name();
  for (const proto::PrimaryKeySchema& column : meta.primary_key()) {
    table.primary_key.push_back({column.name(), FromPrimaryKeyType(column.type()),
                                 column.has_option() && column.option() == proto::AUTO_INCREMENT});
  }
  for (const proto::DefinedColumnSchema& column : meta.defined_column()) {
    table.defined_columns.push_back({column.name(), FromDefinedColumnType(column.type())});
  }
  if (request.has_table_options()) {
    OTSYNC_RETURN_IF_ERROR(MergeTableOptions(request.table_options(),
                                             "CreateTableRequest.table_options", &table.options));
  }
  if (request.has_stream_spec()) {
    OTSYNC_ASSIGN_OR_RETURN(
        table.stream,
        FromStreamSpecification(request.stream_spec(), "CreateTableRequest.stream_spec"));
  }
  const proto::CapacityUnit& capacity = request.reserved_throughput().capacity_unit();
  table.reserved_read_capacity = capacity.read();
  table.reserved_write_capacity = capacity.write();
  return table;
}

Result<wire::TableUpdate> FromUpdateTableRequest(const proto::UpdateTableRequest& request,
                                                 const wire::TableDescription& current) {
  wire::TableUpdate update;
  if (request.has_table_options() && request.table_options().ByteSizeLong() > 0) {
    wire::TableOptions options = current.options;
    OTSYNC_RETURN_IF_ERROR(
        MergeTableOptions(request.table_options(), "UpdateTableRequest.table_options", &options));
    update.options = options;
  }
  if (request.has_stream_spec()) {
    OTSYNC_ASSIGN_OR_RETURN(
        update.stream,
        FromStreamSpecification(request.stream_spec(), "UpdateTableRequest.stream_spec"));
  }
  if (request.has_reserved_throughput()) {
    const proto::CapacityUnit& capacity = request.reserved_throughput().capacity_unit();
    if (capacity.has_read()) update.reserved_read_capacity = capacity.read();
    if (capacity.has_write()) update.reserved_write_capacity = capacity.write();
  }
  return update;
}

void ToTableMeta(const wire::TableDescription& table, proto::TableMeta* meta) {
  meta->set_table_name(table.name);
  for (const wire::PrimaryKeySchemaColumn& column : table.primary_key) {
    proto::PrimaryKeySchema* schema = meta->add_primary_key();
    schema->set_name(column.name);
    schema->set_type(ToPrimaryKeyType(column.type));
    if (column.auto_increment) schema->set_option(proto::AUTO_INCREMENT);
  }
  for (const wire::DefinedColumn& column : table.defined_columns) {
    proto::DefinedColumnSchema* schema = meta->add_defined_column();
    schema->set_name(column.name);
    schema->set_type(ToDefinedColumnType(column.type));
  }
}

void ToTableOptions(const wire::TableOptions& options, proto::TableOptions* out) {
  out->set_time_to_live(options.time_to_live_seconds);
  out->set_max_versions(options.max_versions);
  out->set_deviation_cell_version_in_sec(options.deviation_cell_version_in_seconds);
  out->set_allow_update(options.allow_update);
}

void ToReservedThroughputDetails(const wire::TableDescription& table,
                                 proto::ReservedThroughputDetails* out) {
  out->mutable_capacity_unit()->set_read(table.reserved_read_capacity);
  out->mutable_capacity_unit()->set_write(table.reserved_write_capacity);
  // Seconds, as the service reports it.
  out->set_last_increase_time(table.creation_time_micros / 1000000);
}

void ToStreamDetails(const wire::StreamSettings& stream, proto::StreamDetails* out) {
  out->set_enable_stream(stream.enabled);
  if (!stream.enabled) return;
  out->set_stream_id(stream.stream_id);
  out->set_expiration_time(stream.expiration_hours);
  out->set_last_enable_time(stream.last_enable_time_micros);
}

Result<wire::Condition> FromCondition(const proto::Condition& condition, std::string_view field) {
  wire::Condition result;
  result.row_existence = static_cast<wire::RowExistence>(condition.row_existence());
  if (condition.has_column_condition() && !condition.column_condition().empty()) {
    OTSYNC_ASSIGN_OR_RETURN(
        result.column_condition,
        DecodeFilter(condition.column_condition(), std::string(field) + ".column_condition"));
  }
  return result;
}

Result<wire::Filter> DecodeFilter(std::string_view bytes, std::string_view field) {
  proto::Filter message;
  OTSYNC_RETURN_IF_ERROR(ParseRequest(bytes, &message).WithContext(field));
  return FromFilterMessage(message, std::string(field));
}

wire::TimeRange FromTimeRange(const proto::TimeRange& time_range) {
  wire::TimeRange result;
  if (time_range.has_start_time()) result.start_millis = time_range.start_time();
  if (time_range.has_end_time()) result.end_millis = time_range.end_time();
  if (time_range.has_specific_time()) result.specific_millis = time_range.specific_time();
  return result;
}

void FromReturnContent(const proto::ReturnContent& content, wire::RowWrite* write) {
  write->return_type = static_cast<wire::ReturnType>(content.return_type());
  write->return_columns.assign(content.return_column_names().begin(),
                               content.return_column_names().end());
}

void SetConsumed(int32_t read, int32_t write, proto::ConsumedCapacity* out) {
  out->mutable_capacity_unit()->set_read(read);
  out->mutable_capacity_unit()->set_write(write);
}

int32_t CapacityUnitsFor(size_t bytes) {
  constexpr size_t kBytesPerUnit = 4096;
  const size_t units = (bytes + kBytesPerUnit - 1) / kBytesPerUnit;
  return units == 0 ? 1 : static_cast<int32_t>(std::min<size_t>(units, INT32_MAX));
}

Result<std::string> SerializeResponse(const google::protobuf::Message& response) {
  if (!response.IsInitialized()) {
    return Status::Internal(response.GetDescriptor()->name() + ": missing required field " +
                            response.InitializationErrorString() + ".");
  }
  std::string body;
  response.SerializePartialToString(&body);
  return body;
}

void ToError(const Status& status, proto::Error* out) {
  const wire::WireError wire_error = wire::ToWireError(status.code());
  out->set_code(std::string(wire_error.code));
  out->set_message(status.message());
}

std::string EncodeErrorBody(const Status& status) {
  proto::Error error;
  ToError(status, &error);
  return error.SerializeAsString();
}

}  // namespace otsync::server
