// Conversion between the wire protobuf messages (proto/table_store.proto) and the wire model
// types the store speaks (wire/table_schema.h, wire/conditions.h, wire/operations.h).
//
// Every error is kInvalidArgument (400 OTSParameterInvalid) with a message that names the
// offending field, e.g. "PutRowRequest.row: Cell data broken, checksum is mismatch".
// The protobuf types are only forward-declared here: generated headers stay inside .cc files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "wire/conditions.h"
#include "wire/operations.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace otsync::proto {
class ConsumedCapacity;
class Condition;
class CreateTableRequest;
class Error;
class ReservedThroughputDetails;
class ReturnContent;
class StreamDetails;
class TableMeta;
class TableOptions;
class TimeRange;
class UpdateTableRequest;
}  // namespace otsync::proto

namespace otsync::server {

// Parses a request body into `message`. A body that is not protobuf fails with
// "Invalid request body: cannot parse <Message>."; with `check_required`, a missing required
// field fails with "<Message>: missing required field <path>.".
Status ParseRequest(std::string_view body, google::protobuf::Message* message,
                    bool check_required = true);
Status CheckRequiredFields(const google::protobuf::Message& message);

// PlainBuffer fields of requests. `field` names the field in error messages.
// A key may carry no attribute cells and no delete marker.
Result<wire::PrimaryKey> DecodePrimaryKeyField(std::string_view bytes, std::string_view field);
Result<wire::Row> DecodeRowField(std::string_view bytes, std::string_view field);

// The row change of a write, checked for the form its type requires (docs/protocol.md §3.9): PutRow
// carries no cell operations, DeleteRow carries the delete marker and no cells, UpdateRow
// carries no delete marker.
Result<wire::Row> DecodeRowChange(std::string_view bytes, wire::WriteType type,
                                  std::string_view field);

// Table definitions.
Result<wire::TableDescription> FromCreateTableRequest(const proto::CreateTableRequest& request);
// The update a request asks for. Options given in the request are merged over `current`; an
// empty table_options changes nothing.
Result<wire::TableUpdate> FromUpdateTableRequest(const proto::UpdateTableRequest& request,
                                                 const wire::TableDescription& current);
void ToTableMeta(const wire::TableDescription& table, proto::TableMeta* meta);
// Always sets time_to_live, max_versions and deviation_cell_version_in_sec (Go dereferences them).
void ToTableOptions(const wire::TableOptions& options, proto::TableOptions* out);
void ToReservedThroughputDetails(const wire::TableDescription& table,
                                 proto::ReservedThroughputDetails* out);
// enable_stream always; id, expiration and last enable time (µs) when enabled.
void ToStreamDetails(const wire::StreamSettings& stream, proto::StreamDetails* out);

// Conditions, filters and read options.
Result<wire::Condition> FromCondition(const proto::Condition& condition, std::string_view field);
// `bytes` is a serialized Filter (Condition.column_condition, GetRowRequest.filter, ...).
Result<wire::Filter> DecodeFilter(std::string_view bytes, std::string_view field);
wire::TimeRange FromTimeRange(const proto::TimeRange& time_range);
void FromReturnContent(const proto::ReturnContent& content, wire::RowWrite* write);

// ConsumedCapacity with both read and write set.
void SetConsumed(int32_t read, int32_t write, proto::ConsumedCapacity* out);
// Capacity units for `bytes` of data: one per started 4 KB, at least one.
int32_t CapacityUnitsFor(size_t bytes);

// Serializes a response; a response missing a required field is a bug, answered as
// kInternal naming the field rather than sent to an SDK that would reject it.
Result<std::string> SerializeResponse(const google::protobuf::Message& response);

// The Error message of a non-OK status: code per wire::ToWireError, message as is.
void ToError(const Status& status, proto::Error* out);
std::string EncodeErrorBody(const Status& status);

}  // namespace otsync::server
