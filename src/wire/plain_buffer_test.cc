#include "wire/plain_buffer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "base/hex.h"

namespace otsync::wire {
namespace {

std::string FromHex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return bytes;
}

std::string WithoutTrailingZeros(std::string bytes) {
  while (!bytes.empty() && bytes.back() == 0) bytes.pop_back();
  return bytes;
}

// The test vectors of docs/protocol.md §3.12.
constexpr std::string_view kVectorA = "7500000001030402000000706b05060000000301000000610ad409ee";
constexpr std::string_view kVectorB =
    "7500000001030402000000706b05060000000301000000610ad4020304010000006305060000000301000000760a"
    "de09e8";
constexpr std::string_view kVectorC =
    "7500000001030402000000696405090000000001000000000000000a0a020304010000006e05090000000005000000"
    "0000000007e8030000000000000abf090b";
constexpr std::string_view kVectorD =
    "7500000001030402000000706b05060000000301000000610ad40203040100000064050900000001000000000000f8"
    "3f0aba03040100000062050200000002010a3e09d7";
constexpr std::string_view kVectorE =
    "7500000001030402000000706b05060000000301000000610ad4020304010000007805060000000301000000790aac"
    "0304010000007a060307e8030000000000000ab00304010000007706010ace0304010000006b050900000000020000"
    "000000000006040a0b096b0000000000";
constexpr std::string_view kVectorF = "7500000001030402000000706b05060000000301000000610ad40809e9";
constexpr std::string_view kVectorG = "7500000001030402000000706b0501000000090a3a097b00";
constexpr std::string_view kVectorH = "7500000001030402000000706b05010000000a0a3309c600";
constexpr std::string_view kStreamPut =
    "7500000001030402000000706b05060000000301000000610ad40203040100000063050600000003010000007607e8"
    "030000000000000a550b180000000c130000000d010000000e00401e18240a06000f0000000009c9";
constexpr std::string_view kStreamUpdate =
    "7500000001030402000000706b05060000000301000000610ad40203040100000063050600000003010000007707d0"
    "070000000000000a9803040100000064060307e8030000000000000a1c0304010000006506010ab30b180000000c13"
    "0000000d010000000e01401e18240a06000f00000000092c";
constexpr std::string_view kStreamDelete =
    "7500000001030402000000706b05060000000301000000610ad4080b180000000c130000000d010000000e02401e18"
    "240a06000f0000000009e9";

const std::vector<std::string_view>& AllVectors() {
  static const std::vector<std::string_view> vectors = {
      kVectorA, kVectorB, kVectorC,   kVectorD,      kVectorE,     kVectorF,
      kVectorG, kVectorH, kStreamPut, kStreamUpdate, kStreamDelete};
  return vectors;
}

PrimaryKey PkA() { return {{"pk", Value::String("a")}}; }

Cell Put(std::string name, Value value, std::optional<int64_t> timestamp = std::nullopt) {
  return Cell{std::move(name), std::move(value), timestamp, CellOperation::kPut};
}

Row DecodeOk(std::string_view hex) {
  Result<Row> row = DecodeRow(FromHex(hex));
  EXPECT_TRUE(row.ok()) << row.status().ToString();
  return row.ok() ? *row : Row();
}

TEST(PlainBufferVectorTest, A_PrimaryKeyOnly) {
  Row row = DecodeOk(kVectorA);
  EXPECT_EQ(row.primary_key, PkA());
  EXPECT_TRUE(row.cells.empty());
  EXPECT_FALSE(row.delete_marker);
  EXPECT_FALSE(row.sequence_info.has_value());
  EXPECT_EQ(HexEncode(EncodeRow(row)), kVectorA);
  EXPECT_EQ(HexEncode(EncodePrimaryKey(PkA())), kVectorA);
}

TEST(PlainBufferVectorTest, B_PutString) {
  Row row = DecodeOk(kVectorB);
  Row expected{PkA(), {Put("c", Value::String("v"))}, false, std::nullopt};
  EXPECT_EQ(row, expected);
  EXPECT_EQ(HexEncode(EncodeRow(expected)), kVectorB);
}

TEST(PlainBufferVectorTest, C_IntegersAndTimestamp) {
  Row row = DecodeOk(kVectorC);
  Row expected{{{"id", Value::Integer(1)}}, {Put("n", Value::Integer(5), 1000)}, false, {}};
  EXPECT_EQ(row, expected);
  EXPECT_EQ(HexEncode(EncodeRow(expected)), kVectorC);
}

TEST(PlainBufferVectorTest, D_DoubleAndBoolean) {
  Row row = DecodeOk(kVectorD);
  Row expected{PkA(), {Put("d", Value::Double(1.5)), Put("b", Value::Boolean(true))}, false, {}};
  EXPECT_EQ(row, expected);
  EXPECT_EQ(HexEncode(EncodeRow(expected)), kVectorD);
}

TEST(PlainBufferVectorTest, E_UpdateOperationsWithNodePadding) {
  Row row = DecodeOk(kVectorE);
  Row expected{PkA(),
               {Put("x", Value::String("y")),
                Cell{"z", std::nullopt, 1000, CellOperation::kDeleteOneVersion},
                Cell{"w", std::nullopt, std::nullopt, CellOperation::kDeleteAllVersions},
                Cell{"k", Value::Integer(2), std::nullopt, CellOperation::kIncrement}},
               false,
               {}};
  EXPECT_EQ(row, expected);
  EXPECT_EQ(EncodeRow(expected), WithoutTrailingZeros(FromHex(kVectorE)));
}

TEST(PlainBufferVectorTest, F_DeleteMarker) {
  Row row = DecodeOk(kVectorF);
  EXPECT_EQ(row.primary_key, PkA());
  EXPECT_TRUE(row.delete_marker);
  EXPECT_TRUE(row.cells.empty());
  EXPECT_EQ(HexEncode(EncodeRow(row)), kVectorF);
}

TEST(PlainBufferVectorTest, G_H_InfiniteBoundsWithPadding) {
  Row start = DecodeOk(kVectorG);
  ASSERT_EQ(start.primary_key.size(), 1u);
  EXPECT_EQ(start.primary_key[0].value.type(), ValueType::kInfMin);
  EXPECT_EQ(EncodePrimaryKey(start.primary_key), WithoutTrailingZeros(FromHex(kVectorG)));

  Row end = DecodeOk(kVectorH);
  ASSERT_EQ(end.primary_key.size(), 1u);
  EXPECT_EQ(end.primary_key[0].value.type(), ValueType::kInfMax);
  EXPECT_EQ(EncodePrimaryKey(end.primary_key), WithoutTrailingZeros(FromHex(kVectorH)));
}

TEST(PlainBufferStreamTest, PutRecord) {
  Row row = DecodeOk(kStreamPut);
  Row expected{
      PkA(), {Put("c", Value::String("v"), 1000)}, false, SequenceInfo{1, 1700000000000000, 0}};
  EXPECT_EQ(row, expected);
  EXPECT_EQ(HexEncode(EncodeRow(expected)), kStreamPut);
}

TEST(PlainBufferStreamTest, UpdateRecord) {
  Row row = DecodeOk(kStreamUpdate);
  Row expected{PkA(),
               {Put("c", Value::String("w"), 2000),
                Cell{"d", std::nullopt, 1000, CellOperation::kDeleteOneVersion},
                Cell{"e", std::nullopt, std::nullopt, CellOperation::kDeleteAllVersions}},
               false,
               SequenceInfo{1, 1700000000000001, 0}};
  EXPECT_EQ(row, expected);
  EXPECT_EQ(HexEncode(EncodeRow(expected)), kStreamUpdate);
}

// The change kStreamUpdate records, as otsd has it: no sequence info.
Row UpdateChange() {
  return Row{PkA(),
             {Put("c", Value::String("w"), 2000),
              Cell{"d", std::nullopt, 1000, CellOperation::kDeleteOneVersion},
              Cell{"e", std::nullopt, std::nullopt, CellOperation::kDeleteAllVersions}},
             false,
             std::nullopt};
}

// otsd writes a stream record from the change it records (store/stream_log.cc): the row without
// sequence info, the sequence given beside it. The bytes are the record's; a sequence the row
// holds is replaced, not written twice.
TEST(PlainBufferStreamTest, SequenceGivenBesideTheRowEncodesTheRecord) {
  const SequenceInfo sequence{1, 1700000000000001, 0};
  Row change = UpdateChange();
  std::string record;
  EncodeRow(change, sequence, &record);
  EXPECT_EQ(HexEncode(record), kStreamUpdate);

  change.sequence_info = SequenceInfo{7, 99, 3};
  std::string replaced = "prefix";
  EncodeRow(change, sequence, &replaced);
  EXPECT_EQ(replaced, "prefix" + record);
}

// otsd encodes a record before its shard's timestamp is known and sets the timestamp after: the
// bytes are those of the record encoded with it (the golden vector), and they decode.
TEST(PlainBufferStreamTest, SetSequenceTimestampGivesTheRecordOfThatTimestamp) {
  const Row change = UpdateChange();
  std::string record;
  EncodeRow(change, SequenceInfo{1, 0, 0}, &record);
  SetSequenceTimestamp(1700000000000001, &record);
  EXPECT_EQ(HexEncode(record), kStreamUpdate);

  std::string deleted;
  EncodeRow(Row{PkA(), {}, true, std::nullopt}, SequenceInfo{1, -5, 0}, &deleted);
  SetSequenceTimestamp(1700000000000002, &deleted);
  EXPECT_EQ(HexEncode(deleted), kStreamDelete);
  EXPECT_EQ(DecodeOk(HexEncode(deleted)).sequence_info->timestamp, 1700000000000002);
}

TEST(PlainBufferStreamTest, DeleteRecord) {
  Row row = DecodeOk(kStreamDelete);
  Row expected{PkA(), {}, true, SequenceInfo{1, 1700000000000002, 0}};
  EXPECT_EQ(row, expected);
  EXPECT_EQ(HexEncode(EncodeRow(expected)), kStreamDelete);
}

TEST(PlainBufferStreamTest, DecodeIntoReusesRowAcrossRecords) {
  Row row;
  ASSERT_TRUE(DecodeRowInto(FromHex(kStreamUpdate), &row).ok());
  EXPECT_EQ(row.cells.size(), 3u);
  ASSERT_TRUE(DecodeRowInto(FromHex(kStreamDelete), &row).ok());
  EXPECT_EQ(row, DecodeOk(kStreamDelete));
  ASSERT_TRUE(DecodeRowInto(FromHex(kVectorC), &row).ok());
  EXPECT_EQ(row, DecodeOk(kVectorC));
  EXPECT_FALSE(row.sequence_info.has_value());
  EXPECT_FALSE(row.delete_marker);
}

// A reused row keeps its strings' buffers: decoding a value that fits where a longer one was
// allocates nothing (the stream reader's decode loop relies on it).
TEST(PlainBufferStreamTest, DecodeIntoReusesStringCapacity) {
  Row first;
  first.primary_key = {{"pk", Value::String(std::string(40, 'k'))}};
  first.cells = {{"c", Value::Binary(std::string(64, 'v')), 5, CellOperation::kPut}};
  Row second;
  second.primary_key = {{"pk", Value::String(std::string(30, 'j'))}};
  second.cells = {{"c", Value::Binary(std::string(50, 'w')), 6, CellOperation::kPut}};
  Row row;
  ASSERT_TRUE(DecodeRowInto(EncodeRow(first), &row).ok());
  const char* key_bytes = row.primary_key[0].value.bytes().data();
  const char* cell_bytes = row.cells[0].value->bytes().data();
  ASSERT_TRUE(DecodeRowInto(EncodeRow(second), &row).ok());
  EXPECT_EQ(row, second);
  EXPECT_EQ(row.primary_key[0].value.bytes().data(), key_bytes);
  EXPECT_EQ(row.cells[0].value->bytes().data(), cell_bytes);
}

TEST(ValueTest, InPlaceSettersEqualTheFactories) {
  Value value = Value::String(std::string(100, 'x'));
  value.SetInteger(-7);
  EXPECT_EQ(value, Value::Integer(-7));
  EXPECT_TRUE(value.bytes().empty());
  value.SetDouble(2.5);
  EXPECT_EQ(value, Value::Double(2.5));
  value.SetBoolean(true);
  EXPECT_EQ(value, Value::Boolean(true));
  value.SetBytes(ValueType::kBinary, "ab");
  EXPECT_EQ(value, Value::Binary("ab"));
  value.SetBytes(ValueType::kString, "cd");
  EXPECT_EQ(value, Value::String("cd"));
  for (Value expected : {Value::Null(), Value::InfMin(), Value::InfMax(), Value::AutoIncrement()}) {
    value.SetValueless(expected.type());
    EXPECT_EQ(value, expected);
    EXPECT_TRUE(value.bytes().empty());
  }
}

TEST(PlainBufferErrorTest, CorruptedCellChecksumNamesColumnAndOffset) {
  std::string bytes = FromHex(kVectorB);
  // The checksum byte of cell "c" sits just before the row checksum tag and byte.
  const size_t cell_checksum = bytes.size() - 3;
  ASSERT_EQ(static_cast<uint8_t>(bytes[cell_checksum]), 0xde);
  bytes[cell_checksum] = static_cast<char>(0xdf);
  Result<Row> row = DecodeRow(bytes);
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(row.status().message().find("Cell data broken, checksum is mismatch"),
            std::string::npos);
  EXPECT_NE(row.status().message().find("column \"c\""), std::string::npos)
      << row.status().message();
  EXPECT_NE(row.status().message().find("offset " + std::to_string(cell_checksum - 1)),
            std::string::npos)
      << row.status().message();
}

TEST(PlainBufferErrorTest, CorruptedValueFailsCellChecksum) {
  std::string bytes = FromHex(kVectorB);
  size_t value = bytes.rfind('v');
  bytes[value] = 'w';
  Result<Row> row = DecodeRow(bytes);
  ASSERT_FALSE(row.ok());
  EXPECT_NE(row.status().message().find("checksum is mismatch"), std::string::npos);
}

TEST(PlainBufferErrorTest, CorruptedRowChecksum) {
  std::string bytes = FromHex(kVectorF);
  bytes.back() = static_cast<char>(0xe8);
  Result<Row> row = DecodeRow(bytes);
  ASSERT_FALSE(row.ok());
  EXPECT_NE(row.status().message().find("Cell data broken, checksum is mismatch: row checksum"),
            std::string::npos)
      << row.status().message();
}

TEST(PlainBufferErrorTest, DeleteMarkerCountsInRowChecksum) {
  // F without its marker keeps the row checksum computed with delete byte 1: rejected.
  std::string bytes = FromHex(kVectorF);
  bytes.erase(bytes.size() - 3, 1);
  EXPECT_FALSE(DecodeRow(bytes).ok());
}

TEST(PlainBufferErrorTest, WrongHeader) {
  std::string bytes = FromHex(kVectorA);
  bytes[0] = 0x76;
  Result<Row> row = DecodeRow(bytes);
  ASSERT_FALSE(row.ok());
  EXPECT_NE(row.status().message().find("header"), std::string::npos);
  EXPECT_FALSE(DecodeRow("").ok());
}

TEST(PlainBufferErrorTest, NonZeroTrailingBytesRejected) {
  std::string bytes = FromHex(kVectorA) + std::string("\0\0\x01", 3);
  EXPECT_FALSE(DecodeRow(bytes).ok());
  EXPECT_TRUE(DecodeRow(FromHex(kVectorA) + std::string(7, '\0')).ok());
}

TEST(PlainBufferErrorTest, TwoRowsAreNotOneRow) {
  std::string two;
  PlainBufferWriter writer(&two);
  writer.AppendRow(DecodeOk(kVectorA));
  writer.AppendRow(DecodeOk(kVectorB));
  EXPECT_FALSE(DecodeRow(two).ok());
}

TEST(PlainBufferErrorTest, EveryTruncationFailsCleanly) {
  for (std::string_view hex : AllVectors()) {
    const std::string full = FromHex(hex);
    const size_t meaningful = WithoutTrailingZeros(full).size();
    for (size_t length = 0; length < meaningful; ++length) {
      Result<Row> row = DecodeRow(std::string_view(full).substr(0, length));
      EXPECT_FALSE(row.ok()) << hex << " truncated to " << length;
      if (!row.ok()) {
        EXPECT_EQ(row.status().code(), StatusCode::kInvalidArgument);
      }
    }
    for (size_t length = meaningful; length <= full.size(); ++length) {
      EXPECT_TRUE(DecodeRow(std::string_view(full).substr(0, length)).ok()) << hex << length;
    }
  }
}

TEST(PlainBufferErrorTest, EverySingleByteCorruptionIsHandled) {
  // Under the sanitizers this also proves no flip reads out of bounds. A flip is only allowed to
  // decode if it still yields a consistent buffer; most must be caught by a checksum.
  int accepted = 0;
  int total = 0;
  for (std::string_view hex : AllVectors()) {
    const std::string original = FromHex(hex);
    for (size_t position = 0; position < original.size(); ++position) {
      for (int flip : {0x01, 0x10, 0x80, 0xff}) {
        std::string bytes = original;
        bytes[position] = static_cast<char>(bytes[position] ^ flip);
        Result<Row> row = DecodeRow(bytes);
        ++total;
        if (row.ok()) {
          ++accepted;
          Result<Row> again = DecodeRow(EncodeRow(*row));
          ASSERT_TRUE(again.ok()) << hex << " flip at " << position;
          EXPECT_EQ(*again, *row);
        }
      }
    }
  }
  EXPECT_LT(accepted, total / 10);
}

TEST(PlainBufferErrorTest, TypesOutOfPlace) {
  Row double_key{{{"pk", Value::Double(1.0)}}, {}, false, {}};
  Result<Row> row = DecodeRow(EncodeRow(double_key));
  ASSERT_FALSE(row.ok());
  EXPECT_NE(row.status().message().find("not allowed in a primary key"), std::string::npos);

  Row infinite_attribute{PkA(), {Put("c", Value::InfMax())}, false, {}};
  row = DecodeRow(EncodeRow(infinite_attribute));
  ASSERT_FALSE(row.ok());
  EXPECT_NE(row.status().message().find("\"c\""), std::string::npos);

  Row valueless_put{PkA(), {Cell{"c", std::nullopt, 5, CellOperation::kPut}}, false, {}};
  EXPECT_FALSE(DecodeRow(EncodeRow(valueless_put)).ok());
}

TEST(PlainBufferErrorTest, StringLengthDisagreeingWithValueLength) {
  std::string bytes = FromHex(kVectorA);
  // The inner string length of "a" (u32 at offset 19) claims 2 bytes.
  ASSERT_EQ(bytes[19], 1);
  bytes[19] = 2;
  Result<Row> row = DecodeRow(bytes);
  ASSERT_FALSE(row.ok());
  EXPECT_NE(row.status().message().find("\"pk\""), std::string::npos) << row.status().message();
}

TEST(PlainBufferRoundTripTest, AllValueKindsAndSequenceInfo) {
  Row row{{{"i", Value::Integer(std::numeric_limits<int64_t>::min())},
           {"s", Value::String("")},
           {"b", Value::Binary(std::string("\0\xff\x01", 3))}},
          {Put("neg", Value::Integer(-1), 0), Put("nan", Value::Double(std::nan("")), 1),
           Put("f", Value::Boolean(false), -5),
           Put(std::string(300, 'n'), Value::String(std::string(70000, 'v')), 9),
           Cell{"gone", std::nullopt, std::nullopt, CellOperation::kDeleteAllVersions}},
          true,
          SequenceInfo{0xffffffffu, -7, 42}};
  Result<Row> decoded = DecodeRow(EncodeRow(row));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, row);
}

TEST(PlainBufferRowsTest, EmptyBufferIsNoRows) {
  Result<std::vector<Row>> rows = DecodeRows("");
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST(PlainBufferRowsTest, WriterEmitsOneHeaderThenRows) {
  std::string out;
  PlainBufferWriter writer(&out);
  EXPECT_TRUE(out.empty());
  std::vector<Row> rows = {DecodeOk(kVectorB), DecodeOk(kVectorC), DecodeOk(kVectorF)};
  for (const Row& row : rows) writer.AppendRow(row);
  EXPECT_EQ(writer.rows(), 3u);
  // The second row follows the first with no header of its own.
  std::string first = FromHex(kVectorB);
  ASSERT_GT(out.size(), first.size());
  EXPECT_EQ(out.substr(0, first.size()), first);
  EXPECT_EQ(out.substr(first.size(), 1), "\x01");

  Result<std::vector<Row>> decoded = DecodeRows(out + std::string(3, '\0'));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, rows);
  EXPECT_FALSE(DecodeRows(out.substr(0, out.size() - 1)).ok());
}

TEST(PlainBufferRowsTest, DecodeRowsIntoOverwritesTheRowsItHolds) {
  const std::vector<Row> first = {DecodeOk(kVectorB), DecodeOk(kVectorC), DecodeOk(kVectorF)};
  const std::vector<Row> second = {DecodeOk(kVectorF), DecodeOk(kVectorB)};
  std::string first_page;
  PlainBufferWriter first_writer(&first_page);
  for (const Row& row : first) first_writer.AppendRow(row);
  std::string second_page;
  PlainBufferWriter second_writer(&second_page);
  for (const Row& row : second) second_writer.AppendRow(row);

  std::vector<Row> rows;
  ASSERT_TRUE(DecodeRowsInto(first_page, &rows).ok());
  EXPECT_EQ(rows, first);
  // Fewer rows than the vector holds, each with other cells than the row it overwrites.
  ASSERT_TRUE(DecodeRowsInto(second_page, &rows).ok());
  EXPECT_EQ(rows, second);
  ASSERT_TRUE(DecodeRowsInto("", &rows).ok());
  EXPECT_TRUE(rows.empty());
  EXPECT_FALSE(DecodeRowsInto(first_page.substr(0, first_page.size() - 1), &rows).ok());
}

TEST(PlainBufferRowsTest, ARowWrittenPieceByPieceEqualsAppendRow) {
  Row full;
  full.primary_key = {{"id", Value::Integer(-7)}, {"name", Value::String("k\x01y")}};
  full.cells = {{"b", Value::Boolean(true), 1700000000001},
                {"bin", Value::Binary(std::string("\0\xff", 2)), 2},
                {"d", Value::Double(-0.25), 0},
                {"i", Value::Integer(INT64_MIN), 1700000000000},
                {"s", Value::String(std::string(300, 'x')), 1700000000000},
                {"s", Value::String(""), 1699999999999}};
  Row key_only;
  key_only.primary_key = {{"id", Value::Integer(3)}, {"name", Value::Binary("b")}};

  std::string whole;
  PlainBufferWriter whole_writer(&whole);
  std::string pieces;
  PlainBufferWriter piece_writer(&pieces);
  // The cells with their name and value checksums given, as a stored row keeps them.
  std::string known;
  PlainBufferWriter known_writer(&known);
  for (const Row* row : {&full, &key_only, &full}) {
    whole_writer.AppendRow(*row);
    piece_writer.BeginRow(row->primary_key);
    known_writer.BeginRow(row->primary_key);
    for (const Cell& cell : row->cells) {
      const ValueView value = ValueView::Of(*cell.value);
      piece_writer.AppendCell(cell.name, value, *cell.timestamp);
      known_writer.AppendCell(cell.name, value, *cell.timestamp,
                              NameValueChecksum(cell.name, value));
    }
    piece_writer.EndRow();
    known_writer.EndRow();
  }
  EXPECT_EQ(HexEncode(pieces), HexEncode(whole));
  EXPECT_EQ(HexEncode(known), HexEncode(whole));
  EXPECT_EQ(piece_writer.rows(), 3u);
  // A given checksum is the one written: a wrong one makes a cell its reader refuses.
  std::string wrong;
  PlainBufferWriter wrong_writer(&wrong);
  wrong_writer.BeginRow(full.primary_key);
  const ValueView first = ValueView::Of(*full.cells[0].value);
  wrong_writer.AppendCell(full.cells[0].name, first, *full.cells[0].timestamp,
                          NameValueChecksum(full.cells[0].name, first) ^ 1);
  wrong_writer.EndRow();
  EXPECT_FALSE(DecodeRows(wrong).ok());
  Result<std::vector<Row>> decoded = DecodeRows(pieces);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, (std::vector<Row>{full, key_only, full}));
}

TEST(PlainBufferRowsTest, DecodeRowsIntoMakesRoomForTheRowsAtOnceWithinABound) {
  // 1,000 rows of one length: room for exactly those, made once the first row is read.
  std::vector<Row> alike(1000);
  std::string page;
  PlainBufferWriter writer(&page);
  for (size_t i = 0; i < alike.size(); ++i) {
    char key[24];
    std::snprintf(key, sizeof(key), "k%05zu", i);
    alike[i].primary_key = {{"pk", Value::String(key)}};
    alike[i].cells = {{"v", Value::Integer(static_cast<int64_t>(i)), 1000},
                      {"w", Value::String("some text"), 1000}};
    writer.AppendRow(alike[i]);
  }
  std::vector<Row> rows;
  ASSERT_TRUE(DecodeRowsInto(page, &rows).ok());
  EXPECT_EQ(rows, alike);
  EXPECT_EQ(rows.capacity(), alike.size());

  // A short row before a long one: the room made stays within its bound.
  Row shortest;
  shortest.primary_key = {{"pk", Value::Integer(1)}};
  Row longest;
  longest.primary_key = {{"pk", Value::Integer(2)}};
  longest.cells = {{"blob", Value::Binary(std::string(1 << 20, 'b')), 1000}};
  std::string skewed;
  PlainBufferWriter skewed_writer(&skewed);
  skewed_writer.AppendRow(shortest);
  skewed_writer.AppendRow(longest);
  std::vector<Row> two;
  ASSERT_TRUE(DecodeRowsInto(skewed, &two).ok());
  EXPECT_EQ(two, (std::vector<Row>{shortest, longest}));
  EXPECT_LE(two.capacity(), 16384u);
}

// `count` rows of keys k00000, k00001, ... in one rows buffer.
std::vector<Row> NumberedRows(size_t count, std::string* page) {
  std::vector<Row> rows(count);
  PlainBufferWriter writer(page);
  for (size_t i = 0; i < count; ++i) {
    char key[24];
    std::snprintf(key, sizeof(key), "k%05zu", i);
    rows[i].primary_key = {{"pk", Value::String(key)}};
    rows[i].cells = {{"v", Value::Integer(static_cast<int64_t>(i)), 1000}};
    writer.AppendRow(rows[i]);
  }
  return rows;
}

TEST(PlainBufferRowsTest, RowBatchDecoderHandsTheRowsOverInBatchesInOrder) {
  std::string page;
  const std::vector<Row> expected = NumberedRows(10, &page);
  page.append(3, '\0');  // Zero padding after the last row ends the rows (docs/protocol.md §3.11).
  RowBatchDecoder decoder(page);
  std::vector<Row> batch;
  std::vector<Row> all;
  std::vector<size_t> sizes;
  while (!decoder.done()) {
    ASSERT_TRUE(decoder.Next(4, &batch).ok());
    sizes.push_back(batch.size());
    all.insert(all.end(), batch.begin(), batch.end());
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 4, 2}));
  EXPECT_EQ(all, expected);
  // Done: no more rows, and the batch is left empty.
  ASSERT_TRUE(decoder.Next(4, &batch).ok());
  EXPECT_TRUE(batch.empty());

  // A batch that ends exactly at the last row is the last one.
  std::string eight;
  NumberedRows(8, &eight);
  RowBatchDecoder exact(eight);
  ASSERT_TRUE(exact.Next(4, &batch).ok());
  EXPECT_FALSE(exact.done());
  ASSERT_TRUE(exact.Next(4, &batch).ok());
  EXPECT_EQ(batch.size(), 4u);
  EXPECT_TRUE(exact.done());

  RowBatchDecoder empty("");
  EXPECT_TRUE(empty.done());
}

TEST(PlainBufferRowsTest, RowBatchDecoderStopsAtABrokenRowAfterTheBatchesBeforeIt) {
  std::string page;
  const std::vector<Row> expected = NumberedRows(6, &page);
  std::string broken = page.substr(0, page.size() - 1);  // The last row cut short.
  RowBatchDecoder decoder(broken);
  std::vector<Row> batch;
  ASSERT_TRUE(decoder.Next(4, &batch).ok());
  EXPECT_EQ(batch, std::vector<Row>(expected.begin(), expected.begin() + 4));
  Status status = decoder.Next(4, &batch);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(decoder.done());

  RowBatchDecoder no_header("\x01\x02");
  EXPECT_FALSE(no_header.Next(4, &batch).ok());
  EXPECT_TRUE(no_header.done());
}

TEST(SqlVariantTest, SpecExamples) {
  std::string integer;
  EncodeSqlVariant(Value::Integer(7), &integer);
  EXPECT_EQ(HexEncode(integer), "000700000000000000");
  std::string text;
  EncodeSqlVariant(Value::String("ab"), &text);
  EXPECT_EQ(HexEncode(text), "03020000006162");

  Result<Value> decoded = DecodeSqlVariant(text);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, Value::String("ab"));
  decoded = DecodeSqlVariant(integer);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, Value::Integer(7));
}

TEST(SqlVariantTest, RoundTripsEveryType) {
  for (const Value& value : {Value::Integer(-3), Value::Double(2.25), Value::Boolean(true),
                             Value::String("x"), Value::Binary("\x01"), Value::Null(),
                             Value::InfMin(), Value::InfMax(), Value::AutoIncrement()}) {
    std::string bytes;
    EncodeSqlVariant(value, &bytes);
    Result<Value> decoded = DecodeSqlVariant(bytes);
    ASSERT_TRUE(decoded.ok()) << value.DebugString();
    EXPECT_EQ(*decoded, value);
  }
}

TEST(SqlVariantTest, MalformedRejected) {
  EXPECT_FALSE(DecodeSqlVariant("").ok());
  EXPECT_FALSE(DecodeSqlVariant(std::string_view("\x00\x07", 2)).ok());
  EXPECT_FALSE(DecodeSqlVariant(std::string_view("\x03\x02\0\0\0a", 6)).ok());
  EXPECT_FALSE(DecodeSqlVariant(std::string_view("\x03\x01\0\0\0ab", 7)).ok());
  EXPECT_FALSE(DecodeSqlVariant("\x05").ok());
}

}  // namespace
}  // namespace otsync::wire
