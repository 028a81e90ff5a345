#include "readers/otsstream/record_formatter.h"

#include <gtest/gtest.h>

namespace otsync::readers::otsstream {
namespace {

using sync::Field;
using wire::CellOperation;
using wire::Value;

constexpr wire::SequenceInfo kSequence{0, 1700000000000123, 0};

client::StreamRecord MakeRecord(wire::StreamAction action, std::vector<wire::Cell> cells) {
  client::StreamRecord record;
  record.action = action;
  record.sequence = kSequence;
  record.row.primary_key = {{"pk1", Value::String("a")}, {"pk2", Value::Integer(1)}};
  record.row.cells = std::move(cells);
  record.row.sequence_info = kSequence;
  return record;
}

wire::Cell Put(std::string name, Value value, int64_t timestamp) {
  return {std::move(name), std::move(value), timestamp, CellOperation::kPut};
}
wire::Cell DeleteOne(std::string name, int64_t timestamp) {
  return {std::move(name), std::nullopt, timestamp, CellOperation::kDeleteOneVersion};
}
wire::Cell DeleteAll(std::string name) {
  return {std::move(name), std::nullopt, std::nullopt, CellOperation::kDeleteAllVersions};
}

// The rows as text: fields by DebugString, "null" for null, joined by ",".
std::vector<std::string> Render(const std::vector<sync::Record>& rows) {
  std::vector<std::string> lines;
  for (const sync::Record& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.fields.size(); ++i) {
      if (i > 0) line += ",";
      const Field& field = row.fields[i];
      line += field.type() == wire::ValueType::kNull ? "null" : field.DebugString();
    }
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> Format(const client::StreamRecord& record, const RecordFormat& format) {
  std::vector<sync::Record> rows;
  const Status status = FormatStreamRecord(record, "s", format, &rows);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return Render(rows);
}

TEST(RecordFormatterTest, SequenceInfoWidths) {
  EXPECT_EQ(SequenceInfoText({1, 1444357620415123, 0}, "S1"),
            "0000000001_00001444357620415123_0000000000_S1");
}

TEST(RecordFormatterTest, PutIsDeleteRowThenOneUpdatePerCell) {
  RecordFormat format;
  format.export_sequence_info = true;
  const auto record = MakeRecord(wire::StreamAction::kPutRow, {Put("c1", Value::String("x"), 1000),
                                                               Put("c2", Value::Integer(5), 1000)});
  const std::string seq = "\"0000000000_00001700000000000123_0000000000_s:";
  EXPECT_EQ(Format(record, format),
            (std::vector<std::string>{"\"a\",1,null,null,null,\"DR\"," + seq + "0000000000\"",
                                      "\"a\",1,\"c1\",1000,\"x\",\"U\"," + seq + "0000000001\"",
                                      "\"a\",1,\"c2\",1000,5,\"U\"," + seq + "0000000002\""}));
}

TEST(RecordFormatterTest, UpdateDeletesAndDeleteRow) {
  RecordFormat format;
  format.export_sequence_info = true;
  const std::string seq = "\"0000000000_00001700000000000123_0000000000_s:";
  EXPECT_EQ(
      Format(MakeRecord(wire::StreamAction::kUpdateRow, {DeleteOne("c1", 1000), DeleteAll("c2")}),
             format),
      (std::vector<std::string>{"\"a\",1,\"c1\",1000,null,\"DO\"," + seq + "0000000000\"",
                                "\"a\",1,\"c2\",null,null,\"DA\"," + seq + "0000000001\""}));
  EXPECT_EQ(Format(MakeRecord(wire::StreamAction::kDeleteRow, {}), format),
            (std::vector<std::string>{"\"a\",1,null,null,null,\"DR\"," + seq + "0000000000\""}));
}

TEST(RecordFormatterTest, WithoutSequenceInfoAndEveryType) {
  const auto record =
      MakeRecord(wire::StreamAction::kUpdateRow,
                 {Put("s", Value::String("t"), 1), Put("i", Value::Integer(-7), 2),
                  Put("d", Value::Double(1.5), 3), Put("b", Value::Boolean(true), 4),
                  Put("x", Value::Binary(std::string("\x01\x02", 2)), 5)});
  std::vector<sync::Record> rows;
  ASSERT_TRUE(FormatStreamRecord(record, "s", RecordFormat{}, &rows).ok());
  ASSERT_EQ(rows.size(), 5u);
  for (const sync::Record& row : rows) EXPECT_EQ(row.fields.size(), 6u);
  EXPECT_EQ(rows[0].fields[4], Value::String("t"));
  EXPECT_EQ(rows[1].fields[4], Value::Integer(-7));
  EXPECT_EQ(rows[2].fields[4], Value::Double(1.5));
  EXPECT_EQ(rows[3].fields[4], Value::Boolean(true));
  EXPECT_EQ(rows[4].fields[4], Value::Binary(std::string("\x01\x02", 2)));
  EXPECT_EQ(rows[4].fields[3], Value::Integer(5));
  EXPECT_EQ(rows[4].fields[5], Value::String("U"));
}

TEST(RecordFormatterTest, BinaryPrimaryKeyAndUnknownTypes) {
  auto record = MakeRecord(wire::StreamAction::kDeleteRow, {});
  record.row.primary_key = {{"pk", Value::Binary("\xff")}};
  std::vector<sync::Record> rows;
  ASSERT_TRUE(FormatStreamRecord(record, "s", RecordFormat{}, &rows).ok());
  EXPECT_EQ(rows.at(0).fields.at(0), Value::Binary("\xff"));

  record.row.primary_key = {{"pk", Value::InfMin()}};
  EXPECT_EQ(FormatStreamRecord(record, "s", RecordFormat{}, &rows).message(),
            "Unknown primary key type: INF_MIN.");
  record = MakeRecord(wire::StreamAction::kUpdateRow, {Put("c", Value::InfMax(), 1)});
  EXPECT_EQ(FormatStreamRecord(record, "s", RecordFormat{}, &rows).message(),
            "Unknown column type: INF_MAX.");
}

TEST(RecordFormatterTest, SingleVersionModeOneRowPerRecord) {
  RecordFormat format;
  format.mode = OtsStreamMode::kSingleVersionAndUpdateOnly;
  format.columns = {"pk1", "c1", "c2", "pk2"};
  EXPECT_EQ(Format(MakeRecord(wire::StreamAction::kPutRow, {Put("c1", Value::String("x"), 1000),
                                                            Put("c2", Value::Integer(5), 1000)}),
                   format),
            (std::vector<std::string>{"\"a\",\"x\",5,1"}));
  // Partial update: unmentioned and deleted columns are null.
  EXPECT_EQ(Format(MakeRecord(wire::StreamAction::kUpdateRow,
                              {Put("c2", Value::Integer(6), 1001), DeleteAll("c1")}),
                   format),
            (std::vector<std::string>{"\"a\",null,6,1"}));
  // Deletes are dropped.
  EXPECT_TRUE(Format(MakeRecord(wire::StreamAction::kDeleteRow, {}), format).empty());
  // An attribute named like a primary key wins.
  format.columns = {"pk1"};
  EXPECT_EQ(
      Format(MakeRecord(wire::StreamAction::kUpdateRow, {Put("pk1", Value::String("shadow"), 1)}),
             format),
      (std::vector<std::string>{"\"shadow\""}));
}

TEST(RecordFormatterTest, SingleVersionModeDropsAllNullRowsAndAppendsSequence) {
  RecordFormat format;
  format.mode = OtsStreamMode::kSingleVersionAndUpdateOnly;
  format.columns = {"nothing"};
  EXPECT_TRUE(
      Format(MakeRecord(wire::StreamAction::kPutRow, {Put("c1", Value::String("x"), 1)}), format)
          .empty());
  format.columns = {};
  EXPECT_TRUE(Format(MakeRecord(wire::StreamAction::kPutRow, {}), format).empty());
  format.columns = {"c1"};
  format.export_sequence_info = true;
  EXPECT_EQ(
      Format(MakeRecord(wire::StreamAction::kPutRow, {Put("c1", Value::String("x"), 1)}), format),
      (std::vector<std::string>{"\"x\",\"0000000000_00001700000000000123_0000000000_s\""}));
}

// Hands out records full of an earlier record's fields, as the engine's recycling sink does.
class ReusingSink final : public sync::RecordSink {
 public:
  sync::Record TakeRecord() override {
    sync::Record used;
    for (int i = 0; i < 9; ++i) {
      used.fields.push_back(Value::Binary(std::string(40, static_cast<char>('a' + i))));
    }
    return used;
  }
  Status Emit(sync::Record record) override {
    rows.push_back(std::move(record));
    return Status::OK();
  }
  Status EmitDirty(sync::DirtyRecord record) override { return Status::OK(); }
  void ReportLagMillis(int64_t lag_millis) override {}

  std::vector<sync::Record> rows;
};

TEST(RecordFormatterTest, RowsFilledIntoReusedRecordsEqualNewOnes) {
  const std::vector<client::StreamRecord> records = {
      MakeRecord(wire::StreamAction::kPutRow,
                 {Put("c1", Value::String("x"), 1000), Put("c2", Value::Integer(5), 1000)}),
      MakeRecord(wire::StreamAction::kUpdateRow,
                 {DeleteOne("c1", 1000), DeleteAll("c2"), Put("c3", Value::Double(2.5), 7)}),
      MakeRecord(wire::StreamAction::kDeleteRow, {})};
  for (bool sequence : {false, true}) {
    for (OtsStreamMode mode :
         {OtsStreamMode::kMultiVersion, OtsStreamMode::kSingleVersionAndUpdateOnly}) {
      RecordFormat format;
      format.mode = mode;
      format.export_sequence_info = sequence;
      format.columns = {"c2", "pk1", "c3", "c1"};
      for (const client::StreamRecord& record : records) {
        ReusingSink sink;
        ASSERT_TRUE(CheckStreamRecord(record, format).ok());
        ASSERT_TRUE(EmitStreamRecordRows(record, "s", format, sink).ok());
        std::vector<sync::Record> fresh;
        ASSERT_TRUE(FormatStreamRecord(record, "s", format, &fresh).ok());
        EXPECT_EQ(Render(sink.rows), Render(fresh));
        ASSERT_EQ(sink.rows.size(), fresh.size());
        for (size_t i = 0; i < fresh.size(); ++i) {
          EXPECT_EQ(sink.rows[i].fields, fresh[i].fields);
          EXPECT_EQ(sink.rows[i].ByteSize(), fresh[i].ByteSize());
        }
      }
    }
  }
}

TEST(RecordFormatterTest, ARecordThatCannotBeFormattedGivesNoRows) {
  // The DR row of a PUT comes before its cells; an unformattable cell must not leave it behind.
  const auto record = MakeRecord(wire::StreamAction::kPutRow,
                                 {Put("c1", Value::String("x"), 1), Put("c2", Value::InfMax(), 1)});
  EXPECT_EQ(CheckStreamRecord(record, RecordFormat{}).message(), "Unknown column type: INF_MAX.");
  std::vector<sync::Record> rows;
  EXPECT_FALSE(FormatStreamRecord(record, "s", RecordFormat{}, &rows).ok());
  EXPECT_TRUE(rows.empty());
}

}  // namespace
}  // namespace otsync::readers::otsstream
