#include "store/stream_partitioning.h"

#include <cstdint>
#include <limits>
#include <string>

namespace otsync::store {

Result<std::vector<wire::Value>> InitialSplitPoints(const StreamEnableOptions& options) {
  std::vector<wire::Value> points;
  if (!options.split_points.empty()) {
    if (options.split_points.size() + 1 > static_cast<size_t>(kMaxStreamPartitions)) {
      return Status::InvalidArgument("too many stream partitions");
    }
    for (size_t i = 0; i < options.split_points.size(); ++i) {
      const wire::Value& point = options.split_points[i];
      if (!wire::MatchesPrimaryKeyType(point, options.first_key_type)) {
        return Status::InvalidArgument("stream split point " + point.DebugString() +
                                       " is not of the first primary key column's type");
      }
      if (i > 0 && options.split_points[i - 1].Compare(point) >= 0) {
        return Status::InvalidArgument("stream split points must be strictly increasing");
      }
      points.push_back(point);
    }
    return points;
  }
  const int32_t count = options.partition_count;
  if (count < 1 || count > kMaxStreamPartitions) {
    return Status::InvalidArgument("stream partition count must be between 1 and " +
                                   std::to_string(kMaxStreamPartitions));
  }
  for (int32_t k = 1; k < count; ++k) {
    if (options.first_key_type == wire::PrimaryKeyType::kInteger) {
      const uint64_t step = std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(count);
      const uint64_t offset = static_cast<uint64_t>(k) * step;
      const uint64_t biased = offset ^ (uint64_t{1} << 63);  // INT64_MIN + offset.
      points.push_back(wire::Value::Integer(static_cast<int64_t>(biased)));
    } else {
      std::string first_byte(1, static_cast<char>(k * 256 / count));
      points.push_back(options.first_key_type == wire::PrimaryKeyType::kString
                           ? wire::Value::String(std::move(first_byte))
                           : wire::Value::Binary(std::move(first_byte)));
    }
  }
  return points;
}

}  // namespace otsync::store
