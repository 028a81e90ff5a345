// Checks of our proto transcription against the wire bytes docs/protocol.md states, so that a wrong
// field number or type in proto/*.proto shows up here rather than in an SDK.
#include <gtest/gtest.h>

#include <string>

#include "proto/table_store.pb.h"
#include "proto/table_store_filter.pb.h"

namespace otsync::proto {
namespace {

TEST(ProtoSchemaTest, ErrorBodyAsTheNodeSdkShowsIt) {
  // docs/protocol.md §1.9: "\n\x11OTSObjectNotExist\x12\x1fRequested table does not exist."
  const std::string body =
      std::string("\n\x11OTSObjectNotExist\x12\x1f") + "Requested table does not exist.";
  Error error;
  ASSERT_TRUE(error.ParseFromString(body));
  EXPECT_EQ(error.code(), "OTSObjectNotExist");
  EXPECT_EQ(error.message(), "Requested table does not exist.");
  EXPECT_EQ(error.SerializeAsString(), body);
}

TEST(ProtoSchemaTest, MissingRowIsPresentEmptyBytes) {
  GetRowResponse response;
  response.mutable_consumed()->mutable_capacity_unit()->set_read(1);
  response.mutable_consumed()->mutable_capacity_unit()->set_write(0);
  response.set_row("");
  const std::string bytes = response.SerializeAsString();
  EXPECT_NE(bytes.find(std::string("\x12\x00", 2)), std::string::npos);
}

TEST(ProtoSchemaTest, SplitLocationRepeatIsZigZag) {
  ComputeSplitPointsBySizeResponse::SplitLocation location;
  location.set_location("");
  location.set_repeat(1);
  EXPECT_EQ(location.SerializeAsString(), std::string("\x0a\x00\x10\x02", 4));
}

TEST(ProtoSchemaTest, RequiredFieldsAreEnforced) {
  DescribeTableResponse response;
  response.mutable_table_meta()->set_table_name("t");
  response.mutable_reserved_throughput_details()->mutable_capacity_unit();
  response.mutable_reserved_throughput_details()->set_last_increase_time(1);
  response.mutable_table_options();
  EXPECT_FALSE(response.IsInitialized());
  response.set_table_status(ACTIVE);
  EXPECT_TRUE(response.IsInitialized());
}

TEST(ProtoSchemaTest, DefaultsOfGetRange) {
  GetRangeRequest request;
  EXPECT_TRUE(request.cache_blocks());
  EXPECT_TRUE(request.return_entire_primary_keys());
  EXPECT_EQ(request.data_block_type_hint(), DBT_PLAIN_BUFFER);
}

TEST(ProtoSchemaTest, StreamRecordFieldNumbers) {
  GetStreamRecordResponse response;
  GetStreamRecordResponse::StreamRecord* record = response.add_stream_records();
  record->set_action_type(DELETE_ROW);
  record->set_record("r");
  // stream_records (1, bytes) { action_type (1, varint 3), record (2, "r") }.
  EXPECT_EQ(response.SerializeAsString(), std::string("\x0a\x05\x08\x03\x12\x01r", 7));
}

TEST(ProtoSchemaTest, FilterNestsSubFiltersAsMessages) {
  SingleColumnValueFilter single;
  single.set_comparator(CT_EQUAL);
  single.set_column_name("c");
  single.set_column_value(std::string("\x00\x07\x00\x00\x00\x00\x00\x00\x00", 9));
  single.set_filter_if_missing(false);
  single.set_latest_version_only(true);
  Filter leaf;
  leaf.set_type(FT_SINGLE_COLUMN_VALUE);
  leaf.set_filter(single.SerializeAsString());
  CompositeColumnValueFilter composite;
  composite.set_combinator(LO_NOT);
  *composite.add_sub_filters() = leaf;
  CompositeColumnValueFilter parsed;
  ASSERT_TRUE(parsed.ParseFromString(composite.SerializeAsString()));
  ASSERT_EQ(parsed.sub_filters_size(), 1);
  SingleColumnValueFilter parsed_single;
  ASSERT_TRUE(parsed_single.ParseFromString(parsed.sub_filters(0).filter()));
  EXPECT_EQ(parsed_single.column_name(), "c");
}

}  // namespace
}  // namespace otsync::proto
