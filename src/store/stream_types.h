// The Stream feature as the store serves it: plain data for ListStream, DescribeStream,
// GetShardIterator and GetStreamRecord (docs/protocol.md §2.6, §4). No RocksDB here, so the store's
// public API and the server may include this header.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/row.h"
#include "wire/stream.h"
#include "wire/table_schema.h"

namespace otsync::store {

// A table as the store names it: instance + table name.
struct TableRef {
  std::string instance;
  std::string table;
  auto operator<=>(const TableRef&) const = default;
};

// A place in a shard's log: the first record at or after (timestamp, row_index). Commit
// timestamps are unique within a shard, so the timestamp alone orders its records.
struct StreamPosition {
  int64_t timestamp = 0;  // Microseconds.
  uint32_t row_index = 0;
  auto operator<=>(const StreamPosition&) const = default;
};

inline constexpr int32_t kMinStreamExpirationHours = 1;
inline constexpr int32_t kMaxStreamExpirationHours = 168;
inline constexpr int32_t kMaxStreamPartitions = 64;
// GetStreamRecord: `limit` defaults to 100 and is capped at 1000 (the service documents
// neither, docs/protocol.md §4.4); a response also stops after ~4 MB of records.
inline constexpr int32_t kDefaultStreamRecordLimit = 100;
inline constexpr int32_t kMaxStreamRecordLimit = 1000;
inline constexpr size_t kMaxStreamRecordBytes = 4 << 20;
// The service's message for OTSTrimmedDataAccess (StatusCode::kTrimmedDataAccess).
inline constexpr std::string_view kTrimmedDataMessage =
    "Requested stream data is already trimmed or does not exist.";

struct StreamEnableOptions {
  int32_t expiration_hours = 24;  // 1..168.
  // The key space is cut by the first primary-key column into this many partitions, one shard
  // each: integers evenly over the int64 range, strings and binaries evenly over their first
  // byte. Ignored when `split_points` is given.
  int32_t partition_count = 1;
  wire::PrimaryKeyType first_key_type = wire::PrimaryKeyType::kString;
  // Explicit partition boundaries, strictly increasing, of the first PK column's type:
  // N points make N+1 shards.
  std::vector<wire::Value> split_points;
};

struct StreamSummary {
  std::string stream_id;
  std::string table_name;
  int64_t creation_time_micros = 0;
};

struct StreamShardInfo {
  std::string shard_id;
  std::string parent_id;          // Empty = none.
  std::string parent_sibling_id;  // Empty = none; set on the child of a merge.
  // The first-PK-column range the shard owns: [inclusive_start, exclusive_end), INF_MIN/INF_MAX
  // at the ends of the key space.
  wire::Value inclusive_start;
  wire::Value exclusive_end;
  bool open = true;  // A closed shard takes no more records.
};

struct StreamDescription {
  std::string stream_id;
  std::string table_name;
  int32_t expiration_hours = 0;
  int64_t creation_time_micros = 0;
  wire::StreamStatus status = wire::StreamStatus::kActive;
  std::vector<StreamShardInfo> shards;  // In creation order (shard id order).
  std::string next_shard_id;            // Empty = no more shards past the limit.
};

struct StreamRecord {
  wire::StreamAction action = wire::StreamAction::kPutRow;
  wire::SequenceInfo sequence;
  // PlainBuffer: one row + the sequence-info extension (docs/protocol.md §3.10).
  std::string record;
};

struct StreamRecordBatch {
  std::vector<StreamRecord> records;  // Commit order.
  // Absent = the shard is closed and every record was read. The iterator passed in, unchanged,
  // when no record was returned from an open shard.
  std::optional<std::string> next_shard_iterator;
  bool may_more_record = false;
};

// Receives the records of one GetStreamRecord read (Store::ReadStreamRecords) in commit order,
// without copies: `record` (PlainBuffer, as StreamRecord::record) points into the store's read
// buffers and is valid only during the call.
class StreamRecordVisitor {
 public:
  virtual ~StreamRecordVisitor() = default;
  virtual void Visit(wire::StreamAction action, const wire::SequenceInfo& sequence,
                     std::string_view record) = 0;
};

// What a visited read returns besides the records: the fields of StreamRecordBatch.
struct StreamReadSummary {
  size_t record_count = 0;
  size_t record_bytes = 0;                         // The sum of the visited records' sizes.
  std::optional<std::string> next_shard_iterator;  // As StreamRecordBatch::next_shard_iterator.
  bool may_more_record = false;
};

// What one retention pass did.
struct TrimStats {
  uint64_t shards_trimmed = 0;  // Shards whose trim horizon advanced.
  uint64_t shards_removed = 0;  // Closed shards gone entirely.
};

}  // namespace otsync::store
