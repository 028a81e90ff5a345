#include "store/row_codec.h"

#include <gtest/gtest.h>

#include <cmath>

#include "store/table_meta_codec.h"

namespace otsync::store {
namespace {

using wire::Value;

StoredRow SampleRow() {
  StoredRow row;
  PutVersion(5, Value::Integer(-7), row.FindOrInsert("i"));
  PutVersion(9, Value::Integer(INT64_MIN), row.FindOrInsert("i"));
  PutVersion(-3, Value::Double(-0.0), row.FindOrInsert("d"));
  PutVersion(1, Value::Double(std::nan("")), row.FindOrInsert("d"));
  PutVersion(2, Value::Boolean(true), row.FindOrInsert("b"));
  PutVersion(3, Value::String(std::string("a\0b", 3)), row.FindOrInsert("s"));
  PutVersion(4, Value::Binary(""), row.FindOrInsert("bin"));
  return row;
}

TEST(RowCodecTest, ColumnsStaySortedAndVersionsNewestFirst) {
  StoredRow row = SampleRow();
  std::vector<std::string> names;
  for (const StoredColumn& column : row.columns) names.push_back(column.name);
  EXPECT_EQ(names, (std::vector<std::string>{"b", "bin", "d", "i", "s"}));
  EXPECT_EQ(row.Find("i")->versions[0].timestamp, 9);
  EXPECT_EQ(row.Find("i")->versions[1].timestamp, 5);
  PutVersion(5, Value::Integer(1), row.FindOrInsert("i"));
  ASSERT_EQ(row.Find("i")->versions.size(), 2u) << "same timestamp replaces the version";
  EXPECT_EQ(row.Find("i")->versions[1].value, Value::Integer(1));
  EXPECT_EQ(row.Find("missing"), nullptr);
}

TEST(RowCodecTest, RoundTripsEveryValueType) {
  StoredRow row = SampleRow();
  std::string encoded;
  EncodeStoredRow(row, &encoded);
  Result<StoredRow> decoded = DecodeStoredRow(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, row);
}

TEST(RowCodecTest, RejectsTruncatedAndTrailingBytes) {
  std::string encoded;
  EncodeStoredRow(SampleRow(), &encoded);
  for (size_t length = 0; length < encoded.size(); ++length) {
    EXPECT_FALSE(DecodeStoredRow(encoded.substr(0, length)).ok()) << length;
  }
  EXPECT_FALSE(DecodeStoredRow(encoded + "x").ok());
}

TEST(TableMetaCodecTest, RoundTripsEveryField) {
  TableRecord record;
  record.table_id = 42;
  record.instance = "inst";
  wire::TableDescription& table = record.description;
  table.name = "orders";
  table.primary_key = {{"part", wire::PrimaryKeyType::kBinary, false},
                       {"seq", wire::PrimaryKeyType::kInteger, true}};
  table.defined_columns = {{"price", wire::DefinedColumnType::kDouble}};
  table.options = {86400 * 3, 7, 1000, false};
  table.stream = {true, 168, "orders_1", 123};
  table.reserved_read_capacity = 2;
  table.reserved_write_capacity = -1;
  table.creation_time_micros = 1'700'000'000'000'000;
  std::string encoded;
  EncodeTableRecord(record, &encoded);
  Result<TableRecord> decoded = DecodeTableRecord(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, record);
  EXPECT_FALSE(DecodeTableRecord(encoded.substr(0, encoded.size() - 1)).ok());
}

}  // namespace
}  // namespace otsync::store
