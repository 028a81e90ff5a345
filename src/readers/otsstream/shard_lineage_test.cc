#include "readers/otsstream/shard_lineage.h"

#include <gtest/gtest.h>

namespace otsync::readers::otsstream {
namespace {

// p splits into a and b; a and b merge into m.
std::map<std::string, client::StreamShard> Lineage() {
  return {
      {"p", {"p", "", ""}}, {"a", {"a", "p", ""}}, {"b", {"b", "p", ""}}, {"m", {"m", "a", "b"}}};
}

TEST(ShardLineageTest, RootIsReadyUntilItHasACheckpoint) {
  const auto shards = Lineage();
  EXPECT_EQ(ClassifyShard("p", shards, {}), ShardState::kReady);
  EXPECT_EQ(ClassifyShard("p", shards, {{"p", "SHARD_END"}}), ShardState::kDoneReachEnd);
  EXPECT_EQ(ClassifyShard("p", shards, {{"p", "iterator"}}), ShardState::kDoneNotEnd);
}

TEST(ShardLineageTest, ChildrenWaitForTheirParents) {
  const auto shards = Lineage();
  EXPECT_EQ(ClassifyShard("a", shards, {}), ShardState::kBlock);
  EXPECT_EQ(ClassifyShard("m", shards, {}), ShardState::kBlock);
  EXPECT_EQ(ClassifyShard("a", shards, {{"p", "SHARD_END"}}), ShardState::kReady);
  EXPECT_EQ(ClassifyShard("m", shards, {{"p", "SHARD_END"}}), ShardState::kBlock);
  EXPECT_EQ(ClassifyShard("m", shards, {{"p", "SHARD_END"}, {"a", "SHARD_END"}}),
            ShardState::kBlock);
  EXPECT_EQ(
      ClassifyShard("m", shards, {{"p", "SHARD_END"}, {"a", "SHARD_END"}, {"b", "SHARD_END"}}),
      ShardState::kReady);
}

TEST(ShardLineageTest, AParentThatStoppedInsideTheWindowSkipsItsChildren) {
  const auto shards = Lineage();
  EXPECT_EQ(ClassifyShard("a", shards, {{"p", "iterator"}}), ShardState::kSkip);
  EXPECT_EQ(ClassifyShard("m", shards, {{"p", "iterator"}}), ShardState::kSkip);
  // A skipped shard's TRIM_HORIZON counts as "not at the end".
  EXPECT_EQ(ClassifyShard("m", shards, {{"p", "SHARD_END"}, {"a", "TRIM_HORIZON"}}),
            ShardState::kSkip);
}

TEST(ShardLineageTest, UnknownShardsCountAsFinished) {
  auto shards = Lineage();
  shards.erase("p");
  EXPECT_EQ(ClassifyShard("p", shards, {}), ShardState::kDoneReachEnd);
  EXPECT_EQ(ClassifyShard("a", shards, {}), ShardState::kReady);
}

TEST(ShardLineageTest, ParentsAmongTheShardsRead) {
  const auto shards = Lineage();
  EXPECT_EQ(ParentsAmong(shards.at("m"), shards), (std::vector<std::string>{"a", "b"}));
  auto without_a = shards;
  without_a.erase("a");
  EXPECT_EQ(ParentsAmong(shards.at("m"), without_a), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(ParentsAmong(shards.at("p"), shards).empty());
}

}  // namespace
}  // namespace otsync::readers::otsstream
