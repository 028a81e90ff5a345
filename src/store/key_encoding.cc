#include "store/key_encoding.h"

#include "wire/coding.h"

namespace otsync::store {
namespace {

constexpr char kMarkerInfMin = 0x00;
constexpr char kMarkerValue = 0x01;
constexpr char kMarkerInfMax = 0x02;

void AppendEscapedBytes(const std::string& bytes, std::string* out) {
  for (char byte : bytes) {
    out->push_back(byte);
    if (byte == '\0') out->push_back('\xff');
  }
  out->push_back('\0');
  out->push_back('\x01');
}

bool ReadEscapedBytes(wire::ByteReader* reader, std::string* bytes) {
  uint8_t byte = 0;
  while (reader->GetByte(&byte)) {
    if (byte != 0) {
      bytes->push_back(static_cast<char>(byte));
      continue;
    }
    uint8_t escape = 0;
    if (!reader->GetByte(&escape)) return false;
    if (escape == 0x01) return true;
    if (escape != 0xff) return false;
    bytes->push_back('\0');
  }
  return false;
}

}  // namespace

std::string TableKeyPrefix(uint64_t table_id) {
  std::string prefix;
  wire::PutBigEndian64(table_id, &prefix);
  return prefix;
}

std::string TableKeyLimit(uint64_t table_id) { return TableKeyPrefix(table_id + 1); }

void AppendPrimaryKey(const wire::PrimaryKey& primary_key, std::string* out) {
  for (const wire::PrimaryKeyColumn& column : primary_key) {
    const wire::Value& value = column.value;
    switch (value.type()) {
      case wire::ValueType::kInfMin:
        out->push_back(kMarkerInfMin);
        break;
      case wire::ValueType::kInfMax:
        out->push_back(kMarkerInfMax);
        break;
      case wire::ValueType::kInteger:
        out->push_back(kMarkerValue);
        wire::PutOrderedInt64(value.integer(), out);
        break;
      default:
        out->push_back(kMarkerValue);
        AppendEscapedBytes(value.bytes(), out);
        break;
    }
  }
}

std::string EncodeRowKey(uint64_t table_id, const wire::PrimaryKey& primary_key) {
  std::string key = TableKeyPrefix(table_id);
  AppendPrimaryKey(primary_key, &key);
  return key;
}

Result<wire::PrimaryKey> DecodeRowKey(std::string_view key,
                                      const std::vector<wire::PrimaryKeySchemaColumn>& schema) {
  const Status corrupt = Status::Corruption("Malformed row key.");
  if (key.size() < kTableIdSize) return corrupt;
  wire::ByteReader reader(key.substr(kTableIdSize));
  wire::PrimaryKey primary_key;
  primary_key.reserve(schema.size());
  for (const wire::PrimaryKeySchemaColumn& column : schema) {
    uint8_t marker = 0;
    if (!reader.GetByte(&marker) || marker != kMarkerValue) return corrupt;
    if (column.type == wire::PrimaryKeyType::kInteger) {
      int64_t integer = 0;
      if (!reader.GetOrderedInt64(&integer)) return corrupt;
      primary_key.push_back({column.name, wire::Value::Integer(integer)});
      continue;
    }
    std::string bytes;
    if (!ReadEscapedBytes(&reader, &bytes)) return corrupt;
    primary_key.push_back({column.name, column.type == wire::PrimaryKeyType::kString
                                            ? wire::Value::String(std::move(bytes))
                                            : wire::Value::Binary(std::move(bytes))});
  }
  if (!reader.empty()) return corrupt;
  return primary_key;
}

}  // namespace otsync::store
