#include "server/proto_conversion.h"

#include <gtest/gtest.h>

#include "proto/table_store.pb.h"
#include "proto/table_store_filter.pb.h"
#include "wire/plain_buffer.h"

namespace otsync::server {
namespace {

std::string SqlVariant(const wire::Value& value) {
  std::string bytes;
  wire::EncodeSqlVariant(value, &bytes);
  return bytes;
}

std::string SingleColumnFilter(proto::ComparatorType comparator, const std::string& column,
                               const wire::Value& value) {
  proto::SingleColumnValueFilter single;
  single.set_comparator(comparator);
  single.set_column_name(column);
  single.set_column_value(SqlVariant(value));
  single.set_filter_if_missing(true);
  single.set_latest_version_only(true);
  proto::Filter filter;
  filter.set_type(proto::FT_SINGLE_COLUMN_VALUE);
  filter.set_filter(single.SerializeAsString());
  return filter.SerializeAsString();
}

TEST(ProtoConversionTest, CreateTableRequestBecomesATableDescription) {
  proto::CreateTableRequest request;
  proto::TableMeta* meta = request.mutable_table_meta();
  meta->set_table_name("t");
  auto* id = meta->add_primary_key();
  id->set_name("id");
  id->set_type(proto::STRING);
  auto* seq = meta->add_primary_key();
  seq->set_name("seq");
  seq->set_type(proto::INTEGER);
  seq->set_option(proto::AUTO_INCREMENT);
  auto* column = meta->add_defined_column();
  column->set_name("d");
  column->set_type(proto::DCT_DOUBLE);
  request.mutable_reserved_throughput()->mutable_capacity_unit()->set_read(3);
  request.mutable_table_options()->set_time_to_live(-1);
  request.mutable_table_options()->set_max_versions(5);
  request.mutable_stream_spec()->set_enable_stream(true);
  request.mutable_stream_spec()->set_expiration_time(168);

  Result<wire::TableDescription> table = FromCreateTableRequest(request);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->name, "t");
  ASSERT_EQ(table->primary_key.size(), 2u);
  EXPECT_EQ(table->primary_key[0].type, wire::PrimaryKeyType::kString);
  EXPECT_FALSE(table->primary_key[0].auto_increment);
  EXPECT_EQ(table->primary_key[1].type, wire::PrimaryKeyType::kInteger);
  EXPECT_TRUE(table->primary_key[1].auto_increment);
  ASSERT_EQ(table->defined_columns.size(), 1u);
  EXPECT_EQ(table->defined_columns[0].type, wire::DefinedColumnType::kDouble);
  EXPECT_EQ(table->options.time_to_live_seconds, -1);
  EXPECT_EQ(table->options.max_versions, 5);
  EXPECT_EQ(table->options.deviation_cell_version_in_seconds, 86400);
  EXPECT_TRUE(table->stream.enabled);
  EXPECT_EQ(table->stream.expiration_hours, 168);
  EXPECT_EQ(table->reserved_read_capacity, 3);

  proto::TableMeta round_trip;
  ToTableMeta(*table, &round_trip);
  EXPECT_EQ(round_trip.SerializeAsString(), meta->SerializeAsString());
}

TEST(ProtoConversionTest, BadTableOptionsAndStreamSpecAreNamed) {
  proto::CreateTableRequest request;
  request.mutable_table_meta()->set_table_name("t");
  request.mutable_reserved_throughput()->mutable_capacity_unit();
  request.mutable_table_options()->set_time_to_live(0);
  Result<wire::TableDescription> bad_ttl = FromCreateTableRequest(request);
  ASSERT_FALSE(bad_ttl.ok());
  EXPECT_EQ(bad_ttl.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_ttl.status().message().find("table_options"), std::string::npos);

  request.mutable_table_options()->set_time_to_live(-1);
  request.mutable_stream_spec()->set_enable_stream(true);
  request.mutable_stream_spec()->set_expiration_time(169);
  Result<wire::TableDescription> bad_stream = FromCreateTableRequest(request);
  ASSERT_FALSE(bad_stream.ok());
  EXPECT_NE(bad_stream.status().message().find("stream_spec"), std::string::npos);
}

TEST(ProtoConversionTest, UpdateTableMergesGivenOptionsOnly) {
  wire::TableDescription current;
  current.options.time_to_live_seconds = 86400 * 2;
  current.options.max_versions = 3;

  proto::UpdateTableRequest empty_options;
  empty_options.set_table_name("t");
  empty_options.mutable_table_options();
  Result<wire::TableUpdate> unchanged = FromUpdateTableRequest(empty_options, current);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_FALSE(unchanged->options.has_value());
  EXPECT_FALSE(unchanged->stream.has_value());

  proto::UpdateTableRequest request;
  request.set_table_name("t");
  request.mutable_table_options()->set_max_versions(7);
  request.mutable_stream_spec()->set_enable_stream(false);
  Result<wire::TableUpdate> update = FromUpdateTableRequest(request, current);
  ASSERT_TRUE(update.ok());
  ASSERT_TRUE(update->options.has_value());
  EXPECT_EQ(update->options->max_versions, 7);
  EXPECT_EQ(update->options->time_to_live_seconds, 86400 * 2);
  ASSERT_TRUE(update->stream.has_value());
  EXPECT_FALSE(update->stream->enabled);
}

TEST(ProtoConversionTest, DescribeFieldsTheSdksDereferenceAreAlwaysSet) {
  wire::TableDescription table;
  table.creation_time_micros = 1700000000123456;
  proto::TableOptions options;
  ToTableOptions(table.options, &options);
  EXPECT_TRUE(options.has_time_to_live());
  EXPECT_TRUE(options.has_max_versions());
  EXPECT_TRUE(options.has_deviation_cell_version_in_sec());

  proto::ReservedThroughputDetails details;
  ToReservedThroughputDetails(table, &details);
  EXPECT_TRUE(details.capacity_unit().has_read());
  EXPECT_TRUE(details.capacity_unit().has_write());
  EXPECT_EQ(details.last_increase_time(), 1700000000);

  proto::StreamDetails off;
  ToStreamDetails(table.stream, &off);
  EXPECT_TRUE(off.IsInitialized());
  EXPECT_FALSE(off.enable_stream());
  EXPECT_FALSE(off.has_stream_id());

  table.stream = {true, 24, "stream-1", 1700000000000000};
  proto::StreamDetails on;
  ToStreamDetails(table.stream, &on);
  EXPECT_EQ(on.stream_id(), "stream-1");
  EXPECT_EQ(on.expiration_time(), 24);
  EXPECT_EQ(on.last_enable_time(), 1700000000000000);
}

TEST(ProtoConversionTest, ConditionWithSingleColumnFilter) {
  proto::Condition condition;
  condition.set_row_existence(proto::EXPECT_EXIST);
  condition.set_column_condition(
      SingleColumnFilter(proto::CT_GREATER_THAN, "n", wire::Value::Integer(7)));
  Result<wire::Condition> result = FromCondition(condition, "PutRowRequest.condition");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->row_existence, wire::RowExistence::kExpectExist);
  ASSERT_TRUE(result->column_condition.has_value());
  const wire::Filter& filter = *result->column_condition;
  EXPECT_EQ(filter.kind, wire::Filter::Kind::kSingleColumn);
  EXPECT_EQ(filter.comparator, wire::Comparator::kGreaterThan);
  EXPECT_EQ(filter.column_name, "n");
  EXPECT_EQ(filter.value, wire::Value::Integer(7));
  EXPECT_TRUE(filter.filter_if_missing);
}

TEST(ProtoConversionTest, CompositeFilterAndItsArity) {
  proto::CompositeColumnValueFilter composite;
  composite.set_combinator(proto::LO_AND);
  ASSERT_TRUE(composite.add_sub_filters()->ParseFromString(
      SingleColumnFilter(proto::CT_EQUAL, "a", wire::Value::String("x"))));
  ASSERT_TRUE(composite.add_sub_filters()->ParseFromString(
      SingleColumnFilter(proto::CT_LESS_EQUAL, "b", wire::Value::Double(1.5))));
  proto::Filter filter;
  filter.set_type(proto::FT_COMPOSITE_COLUMN_VALUE);
  filter.set_filter(composite.SerializeAsString());
  Result<wire::Filter> result = DecodeFilter(filter.SerializeAsString(), "GetRowRequest.filter");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->kind, wire::Filter::Kind::kComposite);
  EXPECT_EQ(result->combinator, wire::LogicalOperator::kAnd);
  ASSERT_EQ(result->children.size(), 2u);
  EXPECT_EQ(result->children[1].value, wire::Value::Double(1.5));

  composite.mutable_sub_filters()->RemoveLast();
  filter.set_filter(composite.SerializeAsString());
  Result<wire::Filter> one_child = DecodeFilter(filter.SerializeAsString(), "f");
  ASSERT_FALSE(one_child.ok());
  EXPECT_EQ(one_child.status().code(), StatusCode::kInvalidArgument);
}

TEST(ProtoConversionTest, MalformedFilterNamesTheField) {
  Result<wire::Filter> garbage = DecodeFilter("\xff\xff\xff", "GetRangeRequest.filter");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(garbage.status().message().find("GetRangeRequest.filter"), std::string::npos);
}

TEST(ProtoConversionTest, ParseRequestReportsTruncationAndMissingFields) {
  proto::PutRowRequest request;
  request.set_table_name("t");
  request.set_row("r");
  request.mutable_condition()->set_row_existence(proto::IGNORE);
  const std::string body = request.SerializeAsString();

  proto::PutRowRequest parsed;
  EXPECT_TRUE(ParseRequest(body, &parsed).ok());
  Status truncated = ParseRequest(std::string_view(body).substr(0, body.size() - 3), &parsed);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.code(), StatusCode::kInvalidArgument);

  proto::PutRowRequest no_condition;
  no_condition.set_table_name("t");
  no_condition.set_row("r");
  Status missing = ParseRequest(no_condition.SerializePartialAsString(), &parsed);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("condition"), std::string::npos);
}

TEST(ProtoConversionTest, RowChangesAreCheckedForTheirWriteType) {
  wire::Row row;
  row.primary_key = {{"pk", wire::Value::String("a")}};
  row.cells = {{"c", wire::Value::String("v"), std::nullopt, wire::CellOperation::kPut}};
  EXPECT_TRUE(DecodeRowChange(wire::EncodeRow(row), wire::WriteType::kPut, "row").ok());

  wire::Row with_operation = row;
  with_operation.cells.push_back(
      {"z", std::nullopt, std::nullopt, wire::CellOperation::kDeleteAllVersions});
  Result<wire::Row> put =
      DecodeRowChange(wire::EncodeRow(with_operation), wire::WriteType::kPut, "PutRowRequest.row");
  ASSERT_FALSE(put.ok());
  EXPECT_NE(put.status().message().find("OpType cannot be given for column name:z in PutRow."),
            std::string::npos);
  EXPECT_TRUE(
      DecodeRowChange(wire::EncodeRow(with_operation), wire::WriteType::kUpdate, "row").ok());

  wire::Row key_only;
  key_only.primary_key = row.primary_key;
  Result<wire::Row> delete_without_marker =
      DecodeRowChange(wire::EncodeRow(key_only), wire::WriteType::kDelete, "primary_key");
  ASSERT_FALSE(delete_without_marker.ok());
  EXPECT_NE(delete_without_marker.status().message().find("missing RowDeleteMarker"),
            std::string::npos);
  key_only.delete_marker = true;
  EXPECT_TRUE(
      DecodeRowChange(wire::EncodeRow(key_only), wire::WriteType::kDelete, "primary_key").ok());

  Result<wire::PrimaryKey> not_a_key = DecodePrimaryKeyField(wire::EncodeRow(row), "pk");
  EXPECT_FALSE(not_a_key.ok());
  Result<wire::PrimaryKey> garbage = DecodePrimaryKeyField("garbage", "GetRowRequest.primary_key");
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("GetRowRequest.primary_key"), std::string::npos);
}

TEST(ProtoConversionTest, ErrorsAndConsumedCapacity) {
  proto::Error error;
  ASSERT_TRUE(error.ParseFromString(
      EncodeErrorBody(Status(StatusCode::kNotFound, "Requested table does not exist."))));
  EXPECT_EQ(error.code(), "OTSObjectNotExist");
  EXPECT_EQ(error.message(), "Requested table does not exist.");

  proto::ConsumedCapacity consumed;
  SetConsumed(1, 0, &consumed);
  EXPECT_TRUE(consumed.capacity_unit().has_read());
  EXPECT_TRUE(consumed.capacity_unit().has_write());
  EXPECT_EQ(CapacityUnitsFor(0), 1);
  EXPECT_EQ(CapacityUnitsFor(4096), 1);
  EXPECT_EQ(CapacityUnitsFor(4097), 2);

  proto::GetRowResponse incomplete;
  Result<std::string> serialized = SerializeResponse(incomplete);
  ASSERT_FALSE(serialized.ok());
  EXPECT_EQ(serialized.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace otsync::server
