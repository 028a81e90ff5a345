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

// Reads bytes AppendEscapedBytes wrote into `*bytes`: a view into the reader's bytes when they
// hold no escaped zero (the common case), else `*unescaped`, rebuilt.
bool ReadEscapedBytes(wire::ByteReader* reader, std::string* unescaped, std::string_view* bytes) {
  const std::string_view rest = reader->rest();
  const size_t zero = rest.find('\0');
  if (zero == std::string_view::npos || zero + 1 >= rest.size()) return false;
  std::string_view skipped;
  if (rest[zero + 1] == '\x01') {
    *bytes = rest.substr(0, zero);
    return reader->GetBytes(zero + 2, &skipped);
  }
  unescaped->clear();
  uint8_t byte = 0;
  while (reader->GetByte(&byte)) {
    if (byte != 0) {
      unescaped->push_back(static_cast<char>(byte));
      continue;
    }
    uint8_t escape = 0;
    if (!reader->GetByte(&escape)) return false;
    if (escape == 0x01) {
      *bytes = *unescaped;
      return true;
    }
    if (escape != 0xff) return false;
    unescaped->push_back('\0');
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

Status DecodeRowKeyInto(std::string_view key,
                        const std::vector<wire::PrimaryKeySchemaColumn>& schema,
                        wire::PrimaryKey* primary_key) {
  const Status corrupt = Status::Corruption("Malformed row key.");
  if (key.size() < kTableIdSize) return corrupt;
  wire::ByteReader reader(key.substr(kTableIdSize));
  primary_key->resize(schema.size());
  std::string unescaped;
  for (size_t i = 0; i < schema.size(); ++i) {
    const wire::PrimaryKeySchemaColumn& column = schema[i];
    wire::PrimaryKeyColumn& decoded = (*primary_key)[i];
    decoded.name.assign(column.name);
    uint8_t marker = 0;
    if (!reader.GetByte(&marker) || marker != kMarkerValue) return corrupt;
    if (column.type == wire::PrimaryKeyType::kInteger) {
      int64_t integer = 0;
      if (!reader.GetOrderedInt64(&integer)) return corrupt;
      decoded.value.SetInteger(integer);
      continue;
    }
    std::string_view bytes;
    if (!ReadEscapedBytes(&reader, &unescaped, &bytes)) return corrupt;
    decoded.value.SetBytes(column.type == wire::PrimaryKeyType::kString ? wire::ValueType::kString
                                                                        : wire::ValueType::kBinary,
                           bytes);
  }
  if (!reader.empty()) return corrupt;
  return Status::OK();
}

}  // namespace otsync::store
