// Shard iterators: the opaque strings GetShardIterator hands out and consumers persist as
// checkpoints. An iterator names a stream, a shard and a position, and carries an HMAC over
// them and the instance, so it cannot be forged or moved into another shard, table or instance.
// The text is base64url without padding (no '+', '/' or '=' to escape in JSON or URLs).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "store/stream_types.h"
#include "wire/hmac.h"

namespace otsync::store {

struct ShardIteratorFields {
  std::string stream_id;
  std::string shard_id;
  StreamPosition position;
  bool operator==(const ShardIteratorFields&) const = default;
};

// Thread-safe (immutable after construction).
class ShardIteratorCodec {
 public:
  static constexpr size_t kKeySize = 32;

  // A fresh random key of kKeySize bytes; kInternal when the system has no entropy.
  static Result<std::string> GenerateKey();

  // REQUIRED: key.size() == kKeySize.
  explicit ShardIteratorCodec(std::string key);

  // REQUIRED: the ids are shorter than 64 KiB.
  std::string Encode(std::string_view instance, const ShardIteratorFields& fields) const;

  // kTrimmedDataAccess (kTrimmedDataMessage), as for a trimmed position, for anything this codec
  // did not produce for `instance` (damaged, truncated, forged, or issued for another instance).
  Result<ShardIteratorFields> Decode(std::string_view instance, std::string_view iterator) const;

 private:
  std::string Mac(std::string_view instance, std::string_view payload) const;

  wire::HmacKey mac_key_;  // HMAC-SHA256 under the codec's key.
};

}  // namespace otsync::store
