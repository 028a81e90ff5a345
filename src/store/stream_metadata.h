// The persisted metadata of the stream log (values of the "stream_meta" column family) and its
// byte encoding. Each encoding starts with a version byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/stream_types.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace otsync::store {

struct StreamCounters {
  uint64_t next_shard_number = 1;    // Record-key prefix of the next shard created.
  int64_t last_creation_micros = 0;  // Stream ids embed their creation time: kept increasing.
  bool operator==(const StreamCounters&) const = default;
};

struct StreamMeta {
  TableRef table;
  std::string stream_id;
  int32_t expiration_hours = 24;
  int64_t creation_micros = 0;
  uint32_t next_shard_sequence = 1;  // Shard ids of this stream are numbered from it.
  wire::PrimaryKeyType first_key_type = wire::PrimaryKeyType::kString;  // What shards cut.
  bool operator==(const StreamMeta&) const = default;
};

struct ShardMeta {
  std::string shard_id;
  uint64_t number = 0;  // Prefix of the shard's record keys; unique in the database.
  std::string parent_id;
  std::string parent_sibling_id;
  wire::Value inclusive_start;
  wire::Value exclusive_end;
  bool open = true;
  int64_t closed_micros = 0;
  // Every timestamp of this shard is greater: a child starts after its parents' last records.
  int64_t floor_timestamp = 0;
  // Records before this position were trimmed; iterators before it fail.
  StreamPosition trim_horizon;
  bool operator==(const ShardMeta&) const = default;
};

std::string EncodeStreamCounters(const StreamCounters& counters);
Result<StreamCounters> DecodeStreamCounters(std::string_view bytes);
std::string EncodeStreamMeta(const StreamMeta& meta);
Result<StreamMeta> DecodeStreamMeta(std::string_view bytes);
std::string EncodeShardMeta(const ShardMeta& meta);
Result<ShardMeta> DecodeShardMeta(std::string_view bytes);

}  // namespace otsync::store
