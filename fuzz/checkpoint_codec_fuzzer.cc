// The checkpoint codecs of the otsstream reader (readers/otsstream/checkpoint_codec.h): the
// WindowCheckpoints text a later process reads back, and the zlib-compressed ShardIds_* chunks of
// the status table. Anything decodable must encode and decode back to the same value.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_checks.h"
#include "readers/otsstream/checkpoint_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace otsync;
  using namespace otsync::readers::otsstream;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  Result<WindowCheckpoints> checkpoints = DecodeWindowCheckpoints(text);
  if (checkpoints.ok()) {
    Result<WindowCheckpoints> again =
        DecodeWindowCheckpoints(EncodeWindowCheckpoints(*checkpoints));
    fuzz::Check(again.ok() && *again == *checkpoints, "window checkpoints change on a round trip");
  } else {
    fuzz::Check(checkpoints.status().code() == StatusCode::kInvalidArgument,
                "bad window checkpoints are not InvalidArgument", checkpoints.status().ToString());
  }

  FuzzedDataProvider provider(data, size);
  std::vector<std::string> chunks;
  while (provider.remaining_bytes() > 0 && chunks.size() < 4) {
    chunks.push_back(provider.ConsumeRandomLengthString());
  }
  Result<std::vector<std::string>> shard_ids = DecodeShardIdChunks(chunks);
  if (shard_ids.ok()) {
    Result<std::vector<std::string>> encoded = EncodeShardIdChunks(*shard_ids);
    fuzz::Check(encoded.ok(), "decoded shard ids do not encode", encoded.status().ToString());
    Result<std::vector<std::string>> again = DecodeShardIdChunks(*encoded);
    fuzz::Check(again.ok() && *again == *shard_ids, "shard ids change on a round trip");
  } else {
    fuzz::Check(shard_ids.status().code() == StatusCode::kCorruption,
                "bad shard id chunks are not Corruption", shard_ids.status().ToString());
  }
  return 0;
}
