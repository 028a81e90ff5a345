// Parent/child gating of shards after splits and merges (docs/datax-semantics.md §3.4, DataX's
// ShardStatusChecker): a child is read only after every parent reached its end; a child whose
// parent stopped inside the window waits for a later window.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "client/client.h"

namespace otsync::readers::otsstream {

enum class ShardState {
  kReady,         // Read it now.
  kBlock,         // A parent has not finished yet.
  kSkip,          // A parent stopped inside this window: end checkpoint TRIM_HORIZON.
  kDoneReachEnd,  // Finished with SHARD_END (or unknown to the job).
  kDoneNotEnd,    // Finished inside the shard.
};

// The state of `shard_id` given the job's shards and the end checkpoints written so far in this
// window (shard -> checkpoint value). A shard with an end checkpoint is done; otherwise its
// parents decide, in DataX's priority: any parent SKIP or DONE_NOT_END -> SKIP, any parent
// BLOCK or READY -> BLOCK, else READY. A parent missing from `shards` counts as reached its end.
ShardState ClassifyShard(const std::string& shard_id,
                         const std::map<std::string, client::StreamShard>& shards,
                         const std::map<std::string, std::string>& end_checkpoints);

// The parents of `shard` among `candidates` (the shards that get a task).
std::vector<std::string> ParentsAmong(const client::StreamShard& shard,
                                      const std::map<std::string, client::StreamShard>& candidates);

}  // namespace otsync::readers::otsstream
