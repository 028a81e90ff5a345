#include "store/stream_metadata.h"

#include "wire/coding.h"
#include "wire/plain_buffer.h"

namespace otsync::store {
namespace {

constexpr uint8_t kVersion = 1;

Status Damaged(std::string_view what) {
  return Status::Corruption("stream log metadata: damaged " + std::string(what));
}

void AppendValue(const wire::Value& value, std::string* out) {
  std::string variant;
  wire::EncodeSqlVariant(value, &variant);
  wire::PutBigEndian16LengthPrefixed(variant, out);
}

bool ReadValue(wire::ByteReader* reader, wire::Value* value) {
  std::string variant;
  if (!reader->GetBigEndian16LengthPrefixed(&variant)) return false;
  Result<wire::Value> decoded = wire::DecodeSqlVariant(variant);
  if (!decoded.ok()) return false;
  *value = std::move(decoded).value();
  return true;
}

bool ReadVersion(wire::ByteReader* reader) {
  uint8_t version = 0;
  return reader->GetByte(&version) && version == kVersion;
}

}  // namespace

std::string EncodeStreamCounters(const StreamCounters& counters) {
  std::string out(1, static_cast<char>(kVersion));
  wire::PutBigEndian64(counters.next_shard_number, &out);
  wire::PutOrderedInt64(counters.last_creation_micros, &out);
  return out;
}

Result<StreamCounters> DecodeStreamCounters(std::string_view bytes) {
  wire::ByteReader reader(bytes);
  StreamCounters counters;
  if (!ReadVersion(&reader) || !reader.GetBigEndian64(&counters.next_shard_number) ||
      !reader.GetOrderedInt64(&counters.last_creation_micros) || !reader.empty()) {
    return Damaged("counters");
  }
  return counters;
}

std::string EncodeStreamMeta(const StreamMeta& meta) {
  std::string out(1, static_cast<char>(kVersion));
  wire::PutBigEndian16LengthPrefixed(meta.table.instance, &out);
  wire::PutBigEndian16LengthPrefixed(meta.table.table, &out);
  wire::PutBigEndian16LengthPrefixed(meta.stream_id, &out);
  wire::PutBigEndian32(static_cast<uint32_t>(meta.expiration_hours), &out);
  wire::PutOrderedInt64(meta.creation_micros, &out);
  wire::PutBigEndian32(meta.next_shard_sequence, &out);
  out.push_back(static_cast<char>(meta.first_key_type));
  return out;
}

Result<StreamMeta> DecodeStreamMeta(std::string_view bytes) {
  wire::ByteReader reader(bytes);
  StreamMeta meta;
  uint32_t expiration = 0;
  uint8_t key_type = 0;
  if (!ReadVersion(&reader) || !reader.GetBigEndian16LengthPrefixed(&meta.table.instance) ||
      !reader.GetBigEndian16LengthPrefixed(&meta.table.table) ||
      !reader.GetBigEndian16LengthPrefixed(&meta.stream_id) ||
      !reader.GetBigEndian32(&expiration) || !reader.GetOrderedInt64(&meta.creation_micros) ||
      !reader.GetBigEndian32(&meta.next_shard_sequence) || !reader.GetByte(&key_type) ||
      key_type < static_cast<uint8_t>(wire::PrimaryKeyType::kInteger) ||
      key_type > static_cast<uint8_t>(wire::PrimaryKeyType::kBinary) || !reader.empty()) {
    return Damaged("stream");
  }
  meta.expiration_hours = static_cast<int32_t>(expiration);
  meta.first_key_type = static_cast<wire::PrimaryKeyType>(key_type);
  return meta;
}

std::string EncodeShardMeta(const ShardMeta& meta) {
  std::string out(1, static_cast<char>(kVersion));
  wire::PutBigEndian16LengthPrefixed(meta.shard_id, &out);
  wire::PutBigEndian64(meta.number, &out);
  wire::PutBigEndian16LengthPrefixed(meta.parent_id, &out);
  wire::PutBigEndian16LengthPrefixed(meta.parent_sibling_id, &out);
  AppendValue(meta.inclusive_start, &out);
  AppendValue(meta.exclusive_end, &out);
  out.push_back(meta.open ? 1 : 0);
  wire::PutOrderedInt64(meta.closed_micros, &out);
  wire::PutOrderedInt64(meta.floor_timestamp, &out);
  wire::PutOrderedInt64(meta.trim_horizon.timestamp, &out);
  wire::PutBigEndian32(meta.trim_horizon.row_index, &out);
  return out;
}

Result<ShardMeta> DecodeShardMeta(std::string_view bytes) {
  wire::ByteReader reader(bytes);
  ShardMeta meta;
  uint8_t open = 0;
  if (!ReadVersion(&reader) || !reader.GetBigEndian16LengthPrefixed(&meta.shard_id) ||
      !reader.GetBigEndian64(&meta.number) ||
      !reader.GetBigEndian16LengthPrefixed(&meta.parent_id) ||
      !reader.GetBigEndian16LengthPrefixed(&meta.parent_sibling_id) ||
      !ReadValue(&reader, &meta.inclusive_start) || !ReadValue(&reader, &meta.exclusive_end) ||
      !reader.GetByte(&open) || open > 1 || !reader.GetOrderedInt64(&meta.closed_micros) ||
      !reader.GetOrderedInt64(&meta.floor_timestamp) ||
      !reader.GetOrderedInt64(&meta.trim_horizon.timestamp) ||
      !reader.GetBigEndian32(&meta.trim_horizon.row_index) || !reader.empty()) {
    return Damaged("shard");
  }
  meta.open = open == 1;
  return meta;
}

}  // namespace otsync::store
