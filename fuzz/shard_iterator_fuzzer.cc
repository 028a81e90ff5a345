// Shard iterators (store/stream_iterator.h): arbitrary text must be refused as a trimmed one
// (kTrimmedDataAccess) unless this codec issued it, and whatever it issues decodes to the same
// fields for the same instance only.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_checks.h"
#include "store/stream_iterator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace otsync;
  static const store::ShardIteratorCodec codec(
      std::string(store::ShardIteratorCodec::kKeySize, 'k'));
  std::string_view text(reinterpret_cast<const char*>(data), size);

  Result<store::ShardIteratorFields> decoded = codec.Decode("fuzz", text);
  if (decoded.ok()) {
    fuzz::Check(codec.Encode("fuzz", *decoded) == text, "two texts decode to the same iterator");
  } else {
    fuzz::Check(decoded.status().code() == StatusCode::kTrimmedDataAccess,
                "a bad iterator is not refused as trimmed data", decoded.status().ToString());
  }

  FuzzedDataProvider provider(data, size);
  store::ShardIteratorFields fields;
  fields.stream_id = provider.ConsumeRandomLengthString(256);
  fields.shard_id = provider.ConsumeRandomLengthString(256);
  fields.position.timestamp = provider.ConsumeIntegral<int64_t>();
  fields.position.row_index = provider.ConsumeIntegral<uint32_t>();
  std::string instance = provider.ConsumeRandomLengthString(64);
  std::string iterator = codec.Encode(instance, fields);
  Result<store::ShardIteratorFields> again = codec.Decode(instance, iterator);
  fuzz::Check(again.ok() && *again == fields, "an issued iterator does not decode to its fields");
  if (instance != "fuzz") {
    fuzz::Check(!codec.Decode("fuzz", iterator).ok(), "an iterator moves to another instance");
  }
  return 0;
}
