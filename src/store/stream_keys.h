// The stream log's key layout in its two RocksDB column families.
//
// Records ("stream_records"): shard number (u64 BE) + commit timestamp (i64, order-preserving BE)
// + row index (u32 BE), 20 bytes, so RocksDB order within a shard is commit order and one
// DeleteRange drops a shard's prefix up to a position. Value: action byte + PlainBuffer record.
//
// Metadata ("stream_meta"): small keys under fixed prefixes, loaded whole at open:
//   "c:key"                              the iterator HMAC key
//   "c:counters"                         next shard number, last stream creation time
//   "s:" + instance(16-bit len) + table  one stream (StreamMeta)
//   "h:" + stream_id(16-bit len) + shard_id   one shard (ShardMeta)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/stream_types.h"

namespace otsync::store::stream_keys {

inline constexpr char kMetaColumnFamily[] = "stream_meta";
inline constexpr char kRecordsColumnFamily[] = "stream_records";

inline constexpr size_t kRecordKeySize = 20;

// Sorts before every record key of `shard_number` and after every key of smaller numbers.
std::string ShardPrefix(uint64_t shard_number);
std::string RecordKey(uint64_t shard_number, StreamPosition position);
// False when `key` is not a record key.
bool ParseRecordKey(std::string_view key, uint64_t* shard_number, StreamPosition* position);

inline constexpr std::string_view kIteratorKeyKey = "c:key";
inline constexpr std::string_view kCountersKey = "c:counters";
inline constexpr std::string_view kStreamPrefix = "s:";
inline constexpr std::string_view kShardPrefix = "h:";

std::string StreamKey(const TableRef& table);
std::string ShardKey(std::string_view stream_id, std::string_view shard_id);
// The smallest key greater than every key starting with `prefix` (prefix is non-empty and not
// all 0xff).
std::string PrefixEnd(std::string_view prefix);

}  // namespace otsync::store::stream_keys
