#include "store/stream_keys.h"

#include "wire/coding.h"

namespace otsync::store::stream_keys {

std::string ShardPrefix(uint64_t shard_number) {
  std::string key;
  wire::PutBigEndian64(shard_number, &key);
  return key;
}

std::string RecordKey(uint64_t shard_number, StreamPosition position) {
  std::string key;
  key.reserve(kRecordKeySize);
  wire::PutBigEndian64(shard_number, &key);
  wire::PutOrderedInt64(position.timestamp, &key);
  wire::PutBigEndian32(position.row_index, &key);
  return key;
}

bool ParseRecordKey(std::string_view key, uint64_t* shard_number, StreamPosition* position) {
  if (key.size() != kRecordKeySize) return false;
  wire::ByteReader reader(key);
  return reader.GetBigEndian64(shard_number) && reader.GetOrderedInt64(&position->timestamp) &&
         reader.GetBigEndian32(&position->row_index);
}

std::string StreamKey(const TableRef& table) {
  std::string key(kStreamPrefix);
  wire::PutBigEndian16LengthPrefixed(table.instance, &key);
  key.append(table.table);
  return key;
}

std::string ShardKey(std::string_view stream_id, std::string_view shard_id) {
  std::string key(kShardPrefix);
  wire::PutBigEndian16LengthPrefixed(stream_id, &key);
  key.append(shard_id);
  return key;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  return end;
}

}  // namespace otsync::store::stream_keys
