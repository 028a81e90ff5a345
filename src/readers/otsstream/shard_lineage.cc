#include "readers/otsstream/shard_lineage.h"

#include "readers/otsstream/status_keys.h"

namespace otsync::readers::otsstream {
namespace {

ShardState Classify(const std::string& shard_id,
                    const std::map<std::string, client::StreamShard>& shards,
                    const std::map<std::string, std::string>& end_checkpoints, int depth) {
  auto shard = shards.find(shard_id);
  if (shard == shards.end()) return ShardState::kDoneReachEnd;
  auto checkpoint = end_checkpoints.find(shard_id);
  if (checkpoint != end_checkpoints.end()) {
    return checkpoint->second == kShardEnd ? ShardState::kDoneReachEnd : ShardState::kDoneNotEnd;
  }
  // Lineage is a DAG from older to newer shards; the depth bound only guards against a
  // malformed listing that loops.
  if (depth > 10'000) return ShardState::kBlock;
  std::vector<ShardState> parents;
  for (const std::string* parent : {&shard->second.parent_id, &shard->second.parent_sibling_id}) {
    if (parent->empty()) continue;
    parents.push_back(Classify(*parent, shards, end_checkpoints, depth + 1));
  }
  const auto any = [&](ShardState state) {
    for (ShardState parent : parents) {
      if (parent == state) return true;
    }
    return false;
  };
  if (any(ShardState::kSkip) || any(ShardState::kDoneNotEnd)) return ShardState::kSkip;
  if (any(ShardState::kBlock) || any(ShardState::kReady)) return ShardState::kBlock;
  return ShardState::kReady;
}

}  // namespace

ShardState ClassifyShard(const std::string& shard_id,
                         const std::map<std::string, client::StreamShard>& shards,
                         const std::map<std::string, std::string>& end_checkpoints) {
  return Classify(shard_id, shards, end_checkpoints, 0);
}

std::vector<std::string> ParentsAmong(
    const client::StreamShard& shard,
    const std::map<std::string, client::StreamShard>& candidates) {
  std::vector<std::string> parents;
  for (const std::string* parent : {&shard.parent_id, &shard.parent_sibling_id}) {
    if (!parent->empty() && candidates.contains(*parent)) parents.push_back(*parent);
  }
  return parents;
}

}  // namespace otsync::readers::otsstream
