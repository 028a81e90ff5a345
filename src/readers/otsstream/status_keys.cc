#include "readers/otsstream/status_keys.h"

#include <cstdio>

namespace otsync::readers::otsstream {
namespace {

constexpr char kSeparator = '\t';
constexpr char kLargestShardId = '\x7f';

wire::PrimaryKey StatusKey(std::string_view stream_id, std::string_view status_type,
                           std::string status_value) {
  return {{std::string(kStatusStreamIdColumn), wire::Value::String(std::string(stream_id))},
          {std::string(kStatusTypeColumn), wire::Value::String(std::string(status_type))},
          {std::string(kStatusValueColumn), wire::Value::String(std::move(status_value))}};
}

}  // namespace

std::vector<wire::PrimaryKeySchemaColumn> StatusTableSchema() {
  return {{std::string(kStatusStreamIdColumn), wire::PrimaryKeyType::kString, false},
          {std::string(kStatusTypeColumn), wire::PrimaryKeyType::kString, false},
          {std::string(kStatusValueColumn), wire::PrimaryKeyType::kString, false}};
}

std::string Fmt16(int64_t value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%16lld", static_cast<long long>(value));
  return text;
}

wire::PrimaryKey JobDescKey(std::string_view stream_id, int64_t end_millis) {
  return StatusKey(stream_id, kJobDescStatusType, Fmt16(end_millis));
}

wire::PrimaryKey CheckpointKey(std::string_view stream_id, int64_t time_millis,
                               std::string_view shard_id) {
  return StatusKey(stream_id, kCheckpointStatusType,
                   Fmt16(time_millis) + kSeparator + std::string(shard_id));
}

wire::PrimaryKey LegacyShardCountKey(std::string_view stream_id, int64_t time_millis) {
  return StatusKey(stream_id, kCheckpointStatusType, Fmt16(time_millis));
}

wire::PrimaryKey CheckpointRangeStart(std::string_view stream_id, int64_t time_millis) {
  return StatusKey(stream_id, kCheckpointStatusType, Fmt16(time_millis) + kSeparator);
}

wire::PrimaryKey CheckpointRangeEnd(std::string_view stream_id, int64_t time_millis) {
  return StatusKey(stream_id, kCheckpointStatusType,
                   Fmt16(time_millis) + kSeparator + kLargestShardId);
}

std::string ShardIdOfCheckpointValue(std::string_view status_value) {
  const size_t separator = status_value.find(kSeparator);
  if (separator == std::string_view::npos) return {};
  return std::string(status_value.substr(separator + 1));
}

wire::PrimaryKey ShardTimeCheckpointKey(std::string_view stream_id, std::string_view shard_id,
                                        int64_t time_millis) {
  return StatusKey(stream_id, kShardTimeCheckpointStatusType,
                   std::string(shard_id) + kSeparator + Fmt16(time_millis));
}

}  // namespace otsync::readers::otsstream
