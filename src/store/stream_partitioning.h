// How a stream's first shards cut the key space: the partition boundaries on the first
// primary-key column, from StreamEnableOptions.
#pragma once

#include <vector>

#include "base/result.h"
#include "store/stream_types.h"
#include "wire/row.h"

namespace otsync::store {

// The strictly increasing boundaries between the initial shards (empty for one shard).
// kInvalidArgument for a partition count outside 1..kMaxStreamPartitions or split points that
// are unordered or not of `options.first_key_type`.
Result<std::vector<wire::Value>> InitialSplitPoints(const StreamEnableOptions& options);

}  // namespace otsync::store
