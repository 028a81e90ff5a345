#include "store/stream_record_block.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/coding.h"

namespace otsync::store {
namespace {

using wire::StreamAction;

struct Expected {
  StreamPosition position;
  StreamAction action;
  std::string bytes;
};

std::vector<Expected> ReadEntry(StreamPosition key, const std::string& value) {
  StoredRecordCursor cursor;
  Status status = cursor.Reset(key, value);
  EXPECT_TRUE(status.ok()) << status.ToString();
  std::vector<Expected> records;
  StoredStreamRecord record;
  while (status.ok() && cursor.Next(&record)) {
    records.push_back({record.position, record.action, std::string(record.bytes)});
  }
  return records;
}

std::string Build(const std::vector<Expected>& records, StreamPosition* key) {
  StreamRecordBlockBuilder builder;
  for (const Expected& record : records) {
    builder.AddEncoded(record.position, record.action, record.bytes);
  }
  std::string value;
  *key = builder.TakeEntry(&value);
  return value;
}

TEST(StreamRecordBlockTest, ARecordAloneIsStoredInTheSingleRecordForm) {
  StreamRecordBlockBuilder builder;
  builder.AddEncoded(StreamPosition{1000, 3}, StreamAction::kUpdateRow, "plain buffer");
  std::string value;
  const StreamPosition key = builder.TakeEntry(&value);
  EXPECT_EQ(key, (StreamPosition{1000, 3}));
  EXPECT_EQ(value, std::string(1, static_cast<char>(StreamAction::kUpdateRow)) + "plain buffer");
  EXPECT_TRUE(builder.empty());
  std::vector<Expected> read = ReadEntry(key, value);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].position, key);
  EXPECT_EQ(read[0].action, StreamAction::kUpdateRow);
  EXPECT_EQ(read[0].bytes, "plain buffer");
}

TEST(StreamRecordBlockTest, RecordsOfABlockReadBackInOrderWithTheirPositions) {
  std::vector<Expected> records;
  int64_t timestamp = int64_t{1'700'000'000} * 1'000'000;
  const StreamAction actions[] = {StreamAction::kPutRow, StreamAction::kUpdateRow,
                                  StreamAction::kDeleteRow};
  for (uint32_t i = 0; i < 300; ++i) {
    // Steps of 1 µs, of many seconds (multi-byte varints) and row indexes that jump.
    timestamp += i % 7 == 0 ? int64_t{5'000'000'000} : 1;
    records.push_back({StreamPosition{timestamp, i * 3 + (i % 2) * 100000}, actions[i % 3],
                       std::string(i % 40, static_cast<char>('a' + i % 26))});
  }
  StreamPosition key;
  const std::string value = Build(records, &key);
  EXPECT_EQ(static_cast<uint8_t>(value[0]), kRecordBlockMarker);
  EXPECT_EQ(key, records.front().position);
  std::vector<Expected> read = ReadEntry(key, value);
  ASSERT_EQ(read.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(read[i].position, records[i].position) << i;
    EXPECT_EQ(read[i].action, records[i].action) << i;
    EXPECT_EQ(read[i].bytes, records[i].bytes) << i;
  }
  StoredRecordCursor cursor;
  ASSERT_TRUE(cursor.Reset(key, value).ok());
  EXPECT_EQ(cursor.count(), records.size());
  EXPECT_EQ(cursor.last_position(), records.back().position);
}

TEST(StreamRecordBlockTest, TakeEntryStartsTheNextEntryAfresh) {
  StreamRecordBlockBuilder builder;
  builder.AddEncoded({10, 0}, StreamAction::kPutRow, "one");
  builder.AddEncoded({11, 1}, StreamAction::kPutRow, "two");
  std::string first;
  EXPECT_EQ(builder.TakeEntry(&first), (StreamPosition{10, 0}));
  builder.AddEncoded({12, 0}, StreamAction::kDeleteRow, "three");
  std::string second;
  EXPECT_EQ(builder.TakeEntry(&second), (StreamPosition{12, 0}));
  EXPECT_EQ(ReadEntry({10, 0}, first).size(), 2u);
  std::vector<Expected> read = ReadEntry({12, 0}, second);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].bytes, "three");
}

TEST(StreamRecordBlockTest, ABuilderIsFullPastItsByteBound) {
  StreamRecordBlockBuilder builder;
  const std::string record(1000, 'r');
  int64_t timestamp = 1;
  while (!builder.full()) builder.AddEncoded({timestamp++, 0}, StreamAction::kPutRow, record);
  EXPECT_GE(timestamp - 1, static_cast<int64_t>(kMaxRecordBlockBytes / 1000));
  EXPECT_LE(timestamp - 1, static_cast<int64_t>(kMaxRecordBlockBytes / 1000) + 1);
}

TEST(StreamRecordBlockTest, DamagedEntriesAreCorruptionNotRecords) {
  const std::vector<Expected> records = {{{100, 0}, StreamAction::kPutRow, "first"},
                                         {{101, 5}, StreamAction::kDeleteRow, "second"},
                                         {{103, 2}, StreamAction::kUpdateRow, "third"}};
  StreamPosition key;
  const std::string value = Build(records, &key);
  StoredRecordCursor cursor;
  ASSERT_TRUE(cursor.Reset(key, value).ok());

  EXPECT_EQ(cursor.Reset(key, "").code(), StatusCode::kCorruption);
  EXPECT_EQ(cursor.Reset(key, std::string(1, '\x07') + "x").code(), StatusCode::kCorruption)
      << "no such action";
  // Every cut of the block ends inside a record, or leaves fewer records than its count says.
  for (size_t size = 1; size < value.size(); ++size) {
    EXPECT_EQ(cursor.Reset(key, value.substr(0, size)).code(), StatusCode::kCorruption) << size;
  }
  EXPECT_EQ(cursor.Reset(key, value + "!").code(), StatusCode::kCorruption) << "trailing bytes";
  // Timestamps are stored as steps from the key's, so a key names the first record's timestamp;
  // its row index is stored, and must match.
  EXPECT_EQ(cursor.Reset(StreamPosition{100, 1}, value).code(), StatusCode::kCorruption)
      << "the first record is not where the key says";

  std::string one_record;
  one_record.push_back(static_cast<char>(kRecordBlockMarker));
  wire::PutVarint64(1, &one_record);
  EXPECT_EQ(cursor.Reset(key, one_record).code(), StatusCode::kCorruption)
      << "a block holds two records or more";

  // Two records at one position: the second must come after the first.
  std::string repeated;
  repeated.push_back(static_cast<char>(kRecordBlockMarker));
  wire::PutVarint64(2, &repeated);
  for (int i = 0; i < 2; ++i) {
    wire::PutVarint64(0, &repeated);  // Timestamp step.
    wire::PutVarint64(0, &repeated);  // Row index.
    repeated.push_back(static_cast<char>(StreamAction::kPutRow));
    wire::PutVarintLengthPrefixed("x", &repeated);
  }
  EXPECT_EQ(cursor.Reset(StreamPosition{100, 0}, repeated).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace otsync::store
