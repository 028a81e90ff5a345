#include "store/row_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/table_meta_codec.h"
#include "wire/coding.h"
#include "wire/plain_buffer.h"

namespace otsync::store {
namespace {

using wire::Value;
using wire::ValueView;

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

// Reads `bytes` through StoredRowReader into a StoredRow; the first error on the way.
Result<StoredRow> ReadColumnByColumn(std::string_view bytes) {
  StoredRowReader reader(bytes);
  uint64_t column_count = 0;
  OTSYNC_RETURN_IF_ERROR(reader.Start(&column_count));
  StoredRow row;
  Value value = Value::String(std::string(64, 'x'));  // Reused: each version overwrites it.
  ValueView view;
  for (uint64_t c = 0; c < column_count; ++c) {
    std::string_view name;
    uint64_t version_count = 0;
    OTSYNC_RETURN_IF_ERROR(reader.NextColumn(&name, &version_count));
    StoredColumn& column = row.columns.emplace_back();
    column.name = std::string(name);
    for (uint64_t v = 0; v < version_count; ++v) {
      int64_t timestamp = 0;
      OTSYNC_RETURN_IF_ERROR(reader.NextVersion(&timestamp, &view));
      value.Set(view);
      column.versions.push_back({timestamp, value});
    }
  }
  OTSYNC_RETURN_IF_ERROR(reader.Finish());
  return row;
}

// Every version keeps the checksum of its column's name and value.
TEST(RowCodecTest, VersionsKeepTheirNameValueChecksums) {
  const StoredRow row = SampleRow();
  std::string encoded;
  EncodeStoredRow(row, &encoded);
  ASSERT_EQ(encoded[0], 0x02);
  StoredRowReader reader(encoded);
  uint64_t column_count = 0;
  ASSERT_TRUE(reader.Start(&column_count).ok());
  for (const StoredColumn& column : row.columns) {
    std::string_view name;
    uint64_t version_count = 0;
    ASSERT_TRUE(reader.NextColumn(&name, &version_count).ok());
    for (const StoredVersion& version : column.versions) {
      int64_t timestamp = 0;
      ValueView value;
      std::optional<uint8_t> checksum;
      ASSERT_TRUE(reader.NextVersion(&timestamp, &value, &checksum).ok());
      ASSERT_TRUE(checksum.has_value());
      EXPECT_EQ(*checksum, wire::NameValueChecksum(column.name, ValueView::Of(version.value)));
    }
  }
  EXPECT_TRUE(reader.Finish().ok());
}

// A row stored before the checksums (format 0x01) still reads, without them, and is written
// again in format 2.
TEST(RowCodecTest, ARowOfFormatOneStillReads) {
  // Column "a": 7 at 5, -1 at 3; column "s": "xy" at 9.
  std::string format_one = "\x01";
  wire::PutVarint64(2, &format_one);
  wire::PutVarintLengthPrefixed("a", &format_one);
  wire::PutVarint64(2, &format_one);
  for (const auto& [timestamp, integer] : {std::pair<int64_t, int64_t>{5, 7}, {3, -1}}) {
    wire::PutVarint64(wire::ZigZagEncode(timestamp), &format_one);
    format_one.push_back(static_cast<char>(wire::ValueType::kInteger));
    wire::PutVarint64(wire::ZigZagEncode(integer), &format_one);
  }
  wire::PutVarintLengthPrefixed("s", &format_one);
  wire::PutVarint64(1, &format_one);
  wire::PutVarint64(wire::ZigZagEncode(9), &format_one);
  format_one.push_back(static_cast<char>(wire::ValueType::kString));
  wire::PutVarintLengthPrefixed("xy", &format_one);

  StoredRow expected;
  PutVersion(5, Value::Integer(7), expected.FindOrInsert("a"));
  PutVersion(3, Value::Integer(-1), expected.FindOrInsert("a"));
  PutVersion(9, Value::String("xy"), expected.FindOrInsert("s"));
  Result<StoredRow> decoded = DecodeStoredRow(format_one);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, expected);
  Result<StoredRow> read = ReadColumnByColumn(format_one);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, expected);

  StoredRowReader reader(format_one);
  uint64_t column_count = 0;
  ASSERT_TRUE(reader.Start(&column_count).ok());
  std::string_view name;
  uint64_t version_count = 0;
  ASSERT_TRUE(reader.NextColumn(&name, &version_count).ok());
  int64_t timestamp = 0;
  ValueView value;
  std::optional<uint8_t> checksum = 7;
  ASSERT_TRUE(reader.NextVersion(&timestamp, &value, &checksum).ok());
  EXPECT_FALSE(checksum.has_value());

  std::string again;
  EncodeStoredRow(*decoded, &again);
  std::string expected_bytes;
  EncodeStoredRow(expected, &expected_bytes);
  EXPECT_EQ(again, expected_bytes);
  EXPECT_EQ(again[0], 0x02);
  EXPECT_EQ(again.size(), format_one.size() + 3) << "one checksum byte per version";
}

TEST(RowCodecTest, TheColumnReaderSeesWhatDecodeStoredRowSees) {
  std::string encoded;
  EncodeStoredRow(SampleRow(), &encoded);
  Result<StoredRow> read = ReadColumnByColumn(encoded);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, SampleRow());
  for (size_t length = 0; length < encoded.size(); ++length) {
    EXPECT_EQ(ReadColumnByColumn(encoded.substr(0, length)).status().code(),
              StatusCode::kCorruption)
        << length;
  }
  EXPECT_EQ(ReadColumnByColumn(encoded + "x").status().code(), StatusCode::kCorruption);
  // Finishing early (a column left unread) is refused too.
  StoredRowReader reader(encoded);
  uint64_t column_count = 0;
  ASSERT_TRUE(reader.Start(&column_count).ok());
  EXPECT_EQ(reader.Finish().code(), StatusCode::kCorruption);
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
