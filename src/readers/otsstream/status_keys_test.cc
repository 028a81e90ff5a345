#include "readers/otsstream/status_keys.h"

#include <gtest/gtest.h>

namespace otsync::readers::otsstream {
namespace {

std::string ValueOf(const wire::PrimaryKey& key, size_t index) {
  return key.at(index).value.bytes();
}

TEST(Fmt16Test, RightAlignsInSixteenCharacters) {
  EXPECT_EQ(Fmt16(1516010400000), "   1516010400000");
  EXPECT_EQ(Fmt16(0), "               0");
  EXPECT_EQ(Fmt16(-5), "              -5");
  EXPECT_EQ(Fmt16(1234567890123456789), "1234567890123456789");
}

TEST(StatusKeysTest, RowKeysAreDataXs) {
  const wire::PrimaryKey job = JobDescKey("stream-1", 1516010400000);
  ASSERT_EQ(job.size(), 3u);
  EXPECT_EQ(job[0].name, "StreamId");
  EXPECT_EQ(job[1].name, "StatusType");
  EXPECT_EQ(job[2].name, "StatusValue");
  EXPECT_EQ(ValueOf(job, 0), "stream-1");
  EXPECT_EQ(ValueOf(job, 1), "DataxJobDesc");
  EXPECT_EQ(ValueOf(job, 2), "   1516010400000");

  const wire::PrimaryKey checkpoint = CheckpointKey("stream-1", 1516010400000, "shard-a");
  EXPECT_EQ(ValueOf(checkpoint, 1), "CheckpointForDataxReader");
  EXPECT_EQ(ValueOf(checkpoint, 2), "   1516010400000\tshard-a");
  EXPECT_EQ(ValueOf(LegacyShardCountKey("s", 7), 2), "               7");

  EXPECT_EQ(ValueOf(CheckpointRangeStart("s", 7), 2), "               7\t");
  EXPECT_EQ(ValueOf(CheckpointRangeEnd("s", 7), 2), "               7\t\x7f");

  const wire::PrimaryKey time = ShardTimeCheckpointKey("s", "shard-a", 1516010400000);
  EXPECT_EQ(ValueOf(time, 1), "ShardTimeCheckpointForDataxReader");
  EXPECT_EQ(ValueOf(time, 2), "shard-a\t   1516010400000");
}

TEST(StatusKeysTest, CheckpointRangeHoldsExactlyTheRowsOfOneTime) {
  const std::string start = ValueOf(CheckpointRangeStart("s", 1000), 2);
  const std::string end = ValueOf(CheckpointRangeEnd("s", 1000), 2);
  const std::string inside = ValueOf(CheckpointKey("s", 1000, "zzzz"), 2);
  const std::string legacy = ValueOf(LegacyShardCountKey("s", 1000), 2);
  const std::string later = ValueOf(CheckpointKey("s", 1001, "a"), 2);
  EXPECT_TRUE(start <= inside && inside < end);
  EXPECT_LT(legacy, start);
  EXPECT_GE(later, end);
  // Space padding keeps string order equal to numeric order.
  EXPECT_LT(Fmt16(999), Fmt16(1000));
}

TEST(StatusKeysTest, ShardIdOfCheckpointValue) {
  EXPECT_EQ(ShardIdOfCheckpointValue("   1516010400000\tshard-a"), "shard-a");
  EXPECT_EQ(ShardIdOfCheckpointValue("   1516010400000"), "");
}

TEST(StatusKeysTest, SchemaIsThreeStringColumns) {
  const auto schema = StatusTableSchema();
  ASSERT_EQ(schema.size(), 3u);
  for (const auto& column : schema) EXPECT_EQ(column.type, wire::PrimaryKeyType::kString);
  EXPECT_EQ(schema[0].name, "StreamId");
  EXPECT_EQ(schema[2].name, "StatusValue");
}

}  // namespace
}  // namespace otsync::readers::otsstream
