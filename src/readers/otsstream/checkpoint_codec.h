// The serialized forms of checkpoints:
//  - the `ShardIds_*` payload of the DataxJobDesc row (docs/datax-semantics.md §3.2): the shard
//    ids as a Gson JSON array, UTF-8, zlib-compressed (java.util.zip.Deflater's default format,
//    header included), cut into chunks of at most 64 KiB;
//  - WindowCheckpoints, the string Reader::EndCheckpoints hands the writer and
//    PublishCheckpoints takes back, possibly in a later process (JSON).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace otsync::readers::otsstream {

inline constexpr size_t kShardIdsChunkBytes = 65'536;
// The most a ShardIds_* payload may inflate to. A shard id is tens of bytes, so this is room for
// hundreds of thousands of shards; anything larger is a damaged or hostile status table, and
// inflating it without a bound would let a few kilobytes of zlib take the reader's memory.
inline constexpr size_t kMaxShardIdsJsonBytes = 16 * 1024 * 1024;

// ["a","b"] exactly as Gson writes it (HTML-safe escapes: <, >, &, =, ' as \u003c ...).
std::string ShardIdsToGsonJson(const std::vector<std::string>& shard_ids);

// The ShardIds_0..N column values for `shard_ids`.
Result<std::vector<std::string>> EncodeShardIdChunks(const std::vector<std::string>& shard_ids);
// The shard ids from the chunks in column order (ShardIds_0, ShardIds_1, ... concatenated).
// kCorruption when the bytes do not inflate, inflate to more than kMaxShardIdsJsonBytes, or are
// not a JSON array of strings.
Result<std::vector<std::string>> DecodeShardIdChunks(const std::vector<std::string>& chunks);

// Where one shard stands at the end of a window.
struct ShardEndCheckpoint {
  std::string checkpoint;  // An iterator, kTrimHorizon or kShardEnd.
  int64_t send_record_count = 0;
  bool operator==(const ShardEndCheckpoint&) const = default;
};

// Everything PublishCheckpoints writes for a window: the job row and one checkpoint per shard.
struct WindowCheckpoints {
  std::string table_name;
  std::string stream_id;
  std::string version;  // "<millis>-<uuid>", as DataX's job version.
  int64_t start_millis = 0;
  int64_t end_millis = 0;
  std::map<std::string, ShardEndCheckpoint> shards;  // Every shard of the job.
  bool operator==(const WindowCheckpoints&) const = default;
};

std::string EncodeWindowCheckpoints(const WindowCheckpoints& checkpoints);
// kInvalidArgument when `text` is not what EncodeWindowCheckpoints wrote.
Result<WindowCheckpoints> DecodeWindowCheckpoints(std::string_view text);

}  // namespace otsync::readers::otsstream
