#include "store/stream_metadata.h"

#include "store/stream_encoding.h"
#include "wire/plain_buffer.h"

namespace otsync::store {
namespace {

namespace enc = stream_encoding;

constexpr uint8_t kVersion = 1;

Status Damaged(std::string_view what) {
  return Status::Corruption("stream log metadata: damaged " + std::string(what));
}

void AppendValue(const wire::Value& value, std::string* out) {
  std::string variant;
  wire::EncodeSqlVariant(value, &variant);
  enc::AppendString16(variant, out);
}

bool ReadValue(enc::ByteReader* reader, wire::Value* value) {
  std::string variant;
  if (!reader->ReadString16(&variant)) return false;
  Result<wire::Value> decoded = wire::DecodeSqlVariant(variant);
  if (!decoded.ok()) return false;
  *value = std::move(decoded).value();
  return true;
}

bool ReadVersion(enc::ByteReader* reader) {
  uint8_t version = 0;
  return reader->ReadU8(&version) && version == kVersion;
}

}  // namespace

std::string EncodeStreamCounters(const StreamCounters& counters) {
  std::string out(1, static_cast<char>(kVersion));
  enc::AppendU64(counters.next_shard_number, &out);
  enc::AppendI64Ordered(counters.last_creation_micros, &out);
  return out;
}

Result<StreamCounters> DecodeStreamCounters(std::string_view bytes) {
  enc::ByteReader reader(bytes);
  StreamCounters counters;
  if (!ReadVersion(&reader) || !reader.ReadU64(&counters.next_shard_number) ||
      !reader.ReadI64Ordered(&counters.last_creation_micros) || !reader.empty()) {
    return Damaged("counters");
  }
  return counters;
}

std::string EncodeStreamMeta(const StreamMeta& meta) {
  std::string out(1, static_cast<char>(kVersion));
  enc::AppendString16(meta.table.instance, &out);
  enc::AppendString16(meta.table.table, &out);
  enc::AppendString16(meta.stream_id, &out);
  enc::AppendU32(static_cast<uint32_t>(meta.expiration_hours), &out);
  enc::AppendI64Ordered(meta.creation_micros, &out);
  enc::AppendU32(meta.next_shard_sequence, &out);
  out.push_back(static_cast<char>(meta.first_key_type));
  return out;
}

Result<StreamMeta> DecodeStreamMeta(std::string_view bytes) {
  enc::ByteReader reader(bytes);
  StreamMeta meta;
  uint32_t expiration = 0;
  uint8_t key_type = 0;
  if (!ReadVersion(&reader) || !reader.ReadString16(&meta.table.instance) ||
      !reader.ReadString16(&meta.table.table) || !reader.ReadString16(&meta.stream_id) ||
      !reader.ReadU32(&expiration) || !reader.ReadI64Ordered(&meta.creation_micros) ||
      !reader.ReadU32(&meta.next_shard_sequence) || !reader.ReadU8(&key_type) ||
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
  enc::AppendString16(meta.shard_id, &out);
  enc::AppendU64(meta.number, &out);
  enc::AppendString16(meta.parent_id, &out);
  enc::AppendString16(meta.parent_sibling_id, &out);
  AppendValue(meta.inclusive_start, &out);
  AppendValue(meta.exclusive_end, &out);
  out.push_back(meta.open ? 1 : 0);
  enc::AppendI64Ordered(meta.closed_micros, &out);
  enc::AppendI64Ordered(meta.floor_timestamp, &out);
  enc::AppendI64Ordered(meta.trim_horizon.timestamp, &out);
  enc::AppendU32(meta.trim_horizon.row_index, &out);
  return out;
}

Result<ShardMeta> DecodeShardMeta(std::string_view bytes) {
  enc::ByteReader reader(bytes);
  ShardMeta meta;
  uint8_t open = 0;
  if (!ReadVersion(&reader) || !reader.ReadString16(&meta.shard_id) ||
      !reader.ReadU64(&meta.number) || !reader.ReadString16(&meta.parent_id) ||
      !reader.ReadString16(&meta.parent_sibling_id) || !ReadValue(&reader, &meta.inclusive_start) ||
      !ReadValue(&reader, &meta.exclusive_end) || !reader.ReadU8(&open) || open > 1 ||
      !reader.ReadI64Ordered(&meta.closed_micros) ||
      !reader.ReadI64Ordered(&meta.floor_timestamp) ||
      !reader.ReadI64Ordered(&meta.trim_horizon.timestamp) ||
      !reader.ReadU32(&meta.trim_horizon.row_index) || !reader.empty()) {
    return Damaged("shard");
  }
  meta.open = open == 1;
  return meta;
}

}  // namespace otsync::store
