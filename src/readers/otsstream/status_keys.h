// The primary keys of DataX's status table (docs/datax-semantics.md §3.1, §3.2), byte for byte:
// rows written by otsync read as DataX's and the other way round.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/row.h"
#include "wire/table_schema.h"

namespace otsync::readers::otsstream {

inline constexpr std::string_view kStatusStreamIdColumn = "StreamId";
inline constexpr std::string_view kStatusTypeColumn = "StatusType";
inline constexpr std::string_view kStatusValueColumn = "StatusValue";

inline constexpr std::string_view kJobDescStatusType = "DataxJobDesc";
inline constexpr std::string_view kCheckpointStatusType = "CheckpointForDataxReader";
inline constexpr std::string_view kShardTimeCheckpointStatusType =
    "ShardTimeCheckpointForDataxReader";

// Attribute columns.
inline constexpr std::string_view kShardIdsColumnPrefix = "ShardIds_";
inline constexpr std::string_view kVersionColumn = "Version";
inline constexpr std::string_view kTableNameColumn = "TableName";
inline constexpr std::string_view kJobStreamIdColumn = "JobStreamId";
inline constexpr std::string_view kStartTimeColumn = "StartTime";
inline constexpr std::string_view kEndTimeColumn = "EndTime";
inline constexpr std::string_view kCheckpointColumn = "Checkpoint";
inline constexpr std::string_view kSkipCountColumn = "SkipCount";
inline constexpr std::string_view kSendRecordCountColumn = "SendRecordCount";
inline constexpr std::string_view kShardCountColumn = "ShardCount";

// The checkpoint values that are not iterators.
inline constexpr std::string_view kTrimHorizon = "TRIM_HORIZON";
inline constexpr std::string_view kShardEnd = "SHARD_END";

inline constexpr int32_t kStatusTableTtlSeconds = 2'592'000;  // 30 days.

// StreamId, StatusType, StatusValue: three STRING columns in this order.
std::vector<wire::PrimaryKeySchemaColumn> StatusTableSchema();

// Java String.format("%16d", value): right-aligned in 16 characters, space padded.
std::string Fmt16(int64_t value);

// (S, "DataxJobDesc", fmt16(end))
wire::PrimaryKey JobDescKey(std::string_view stream_id, int64_t end_millis);
// (S, "CheckpointForDataxReader", fmt16(time) + "\t" + shard)
wire::PrimaryKey CheckpointKey(std::string_view stream_id, int64_t time_millis,
                               std::string_view shard_id);
// (S, "CheckpointForDataxReader", fmt16(time)): the legacy ShardCount row.
wire::PrimaryKey LegacyShardCountKey(std::string_view stream_id, int64_t time_millis);
// The range [(…, fmt16(time) + "\t"), (…, fmt16(time) + "\t\x7f")) of every checkpoint at `time`.
wire::PrimaryKey CheckpointRangeStart(std::string_view stream_id, int64_t time_millis);
wire::PrimaryKey CheckpointRangeEnd(std::string_view stream_id, int64_t time_millis);
// The shard id of a checkpoint row's StatusValue; empty when it has no TAB (the legacy row).
std::string ShardIdOfCheckpointValue(std::string_view status_value);
// (S, "ShardTimeCheckpointForDataxReader", shard + "\t" + fmt16(time))
wire::PrimaryKey ShardTimeCheckpointKey(std::string_view stream_id, std::string_view shard_id,
                                        int64_t time_millis);

}  // namespace otsync::readers::otsstream
