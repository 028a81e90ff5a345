#include "server/table_handlers.h"

#include <algorithm>
#include <limits>

#include "proto/table_store.pb.h"
#include "server/handler_util.h"
#include "server/proto_conversion.h"
#include "wire/plain_buffer.h"

namespace otsync::server {
namespace {

constexpr int64_t kSplitSizeUnitBytes = int64_t{100} * 1024 * 1024;

Result<std::string> CreateTable(const ApiContext& context,
                                const proto::CreateTableRequest& request) {
  OTSYNC_ASSIGN_OR_RETURN(wire::TableDescription table, FromCreateTableRequest(request));
  OTSYNC_RETURN_IF_ERROR(context.store->CreateTable(context.instance, table));
  return SerializeResponse(proto::CreateTableResponse());
}

Result<std::string> ListTable(const ApiContext& context, const proto::ListTableRequest&) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<std::string> names,
                          context.store->ListTables(context.instance));
  proto::ListTableResponse response;
  for (std::string& name : names) response.add_table_names(std::move(name));
  return SerializeResponse(response);
}

Result<std::string> DescribeTable(const ApiContext& context,
                                  const proto::DescribeTableRequest& request) {
  OTSYNC_ASSIGN_OR_RETURN(wire::TableDescription table,
                          context.store->DescribeTable(context.instance, request.table_name()));
  proto::DescribeTableResponse response;
  ToTableMeta(table, response.mutable_table_meta());
  ToReservedThroughputDetails(table, response.mutable_reserved_throughput_details());
  ToTableOptions(table.options, response.mutable_table_options());
  response.set_table_status(proto::ACTIVE);
  ToStreamDetails(table.stream, response.mutable_stream_details());
  return SerializeResponse(response);
}

Result<std::string> UpdateTable(const ApiContext& context,
                                const proto::UpdateTableRequest& request) {
  OTSYNC_ASSIGN_OR_RETURN(wire::TableDescription current,
                          context.store->DescribeTable(context.instance, request.table_name()));
  OTSYNC_ASSIGN_OR_RETURN(wire::TableUpdate update, FromUpdateTableRequest(request, current));
  OTSYNC_ASSIGN_OR_RETURN(
      wire::TableDescription table,
      context.store->UpdateTable(context.instance, request.table_name(), update));
  proto::UpdateTableResponse response;
  ToReservedThroughputDetails(table, response.mutable_reserved_throughput_details());
  ToTableOptions(table.options, response.mutable_table_options());
  ToStreamDetails(table.stream, response.mutable_stream_details());
  return SerializeResponse(response);
}

Result<std::string> DeleteTable(const ApiContext& context,
                                const proto::DeleteTableRequest& request) {
  OTSYNC_RETURN_IF_ERROR(context.store->DeleteTable(context.instance, request.table_name()));
  return SerializeResponse(proto::DeleteTableResponse());
}

// ComputeSplitPointsBySize, docs/protocol.md §2.7: the table's key schema, the store's split
// points, and one location that covers every split (Go requires the repeats to sum to at most the
// number of splits).
Result<std::string> ComputeSplitPointsBySize(
    const ApiContext& context, const proto::ComputeSplitPointsBySizeRequest& request) {
  if (request.split_size() <= 0) {
    return Status::InvalidArgument(
        "ComputeSplitPointsBySizeRequest.split_size: must be greater than 0.");
  }
  const int64_t unit = request.has_split_size_unit_in_byte() ? request.split_size_unit_in_byte()
                                                             : kSplitSizeUnitBytes;
  if (unit <= 0) {
    return Status::InvalidArgument(
        "ComputeSplitPointsBySizeRequest.split_size_unit_in_byte: must be greater than 0.");
  }
  const int64_t split_bytes = request.split_size() > std::numeric_limits<int64_t>::max() / unit
                                  ? std::numeric_limits<int64_t>::max()
                                  : request.split_size() * unit;
  OTSYNC_ASSIGN_OR_RETURN(wire::TableDescription table,
                          context.store->DescribeTable(context.instance, request.table_name()));
  OTSYNC_ASSIGN_OR_RETURN(
      std::vector<wire::PrimaryKey> split_points,
      context.store->ComputeSplitPointsBySize(context.instance, request.table_name(), split_bytes));
  if (request.has_split_point_limit() && request.split_point_limit() >= 0 &&
      split_points.size() > static_cast<size_t>(request.split_point_limit())) {
    split_points.resize(request.split_point_limit());
  }

  proto::ComputeSplitPointsBySizeResponse response;
  SetConsumed(1, 0, response.mutable_consumed());
  proto::TableMeta meta;
  ToTableMeta(table, &meta);
  *response.mutable_schema() = meta.primary_key();
  for (const wire::PrimaryKey& point : split_points) {
    wire::EncodePrimaryKey(point, response.add_split_points());
  }
  auto* location = response.add_locations();
  location->set_location("");
  location->set_repeat(static_cast<int64_t>(split_points.size()) + 1);
  return SerializeResponse(response);
}

}  // namespace

void RegisterTableHandlers(RequestDispatcher* dispatcher) {
  dispatcher->Register("CreateTable", MakeHandler<proto::CreateTableRequest>(&CreateTable));
  dispatcher->Register("ListTable", MakeHandler<proto::ListTableRequest>(&ListTable));
  dispatcher->Register("DescribeTable", MakeHandler<proto::DescribeTableRequest>(&DescribeTable));
  dispatcher->Register("UpdateTable", MakeHandler<proto::UpdateTableRequest>(&UpdateTable));
  dispatcher->Register("DeleteTable", MakeHandler<proto::DeleteTableRequest>(&DeleteTable));
  dispatcher->Register(
      "ComputeSplitPointsBySize",
      MakeHandler<proto::ComputeSplitPointsBySizeRequest>(&ComputeSplitPointsBySize));
}

}  // namespace otsync::server
