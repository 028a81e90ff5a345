#include "store/table_meta_codec.h"

#include "wire/coding.h"

namespace otsync::store {
namespace {

constexpr uint8_t kFormatVersion = 0x01;

void PutSigned(int64_t value, std::string* out) {
  wire::PutVarint64(wire::ZigZagEncode(value), out);
}

bool GetSigned(wire::ByteReader* reader, int64_t* value) {
  uint64_t bits = 0;
  if (!reader->GetVarint64(&bits)) return false;
  *value = wire::ZigZagDecode(bits);
  return true;
}

template <typename Int>
bool GetSignedAs(wire::ByteReader* reader, Int* value) {
  int64_t wide = 0;
  if (!GetSigned(reader, &wide)) return false;
  *value = static_cast<Int>(wide);
  return true;
}

bool GetString(wire::ByteReader* reader, std::string* value) {
  std::string_view bytes;
  if (!reader->GetVarintLengthPrefixed(&bytes)) return false;
  *value = std::string(bytes);
  return true;
}

}  // namespace

void EncodeTableRecord(const TableRecord& record, std::string* out) {
  const wire::TableDescription& table = record.description;
  out->push_back(static_cast<char>(kFormatVersion));
  wire::PutVarint64(record.table_id, out);
  wire::PutVarintLengthPrefixed(record.instance, out);
  wire::PutVarintLengthPrefixed(table.name, out);
  wire::PutVarint64(table.primary_key.size(), out);
  for (const wire::PrimaryKeySchemaColumn& column : table.primary_key) {
    wire::PutVarintLengthPrefixed(column.name, out);
    out->push_back(static_cast<char>(column.type));
    out->push_back(column.auto_increment ? 1 : 0);
  }
  wire::PutVarint64(table.defined_columns.size(), out);
  for (const wire::DefinedColumn& column : table.defined_columns) {
    wire::PutVarintLengthPrefixed(column.name, out);
    out->push_back(static_cast<char>(column.type));
  }
  PutSigned(table.options.time_to_live_seconds, out);
  PutSigned(table.options.max_versions, out);
  PutSigned(table.options.deviation_cell_version_in_seconds, out);
  out->push_back(table.options.allow_update ? 1 : 0);
  out->push_back(table.stream.enabled ? 1 : 0);
  PutSigned(table.stream.expiration_hours, out);
  wire::PutVarintLengthPrefixed(table.stream.stream_id, out);
  PutSigned(table.stream.last_enable_time_micros, out);
  PutSigned(table.reserved_read_capacity, out);
  PutSigned(table.reserved_write_capacity, out);
  PutSigned(table.creation_time_micros, out);
}

Result<TableRecord> DecodeTableRecord(std::string_view bytes) {
  const Status corrupt = Status::Corruption("Malformed table metadata.");
  wire::ByteReader reader(bytes);
  TableRecord record;
  wire::TableDescription& table = record.description;
  uint8_t format = 0;
  uint64_t count = 0;
  if (!reader.GetByte(&format) || format != kFormatVersion ||
      !reader.GetVarint64(&record.table_id) || !GetString(&reader, &record.instance) ||
      !GetString(&reader, &table.name) || !reader.GetVarint64(&count) || count > 4) {
    return corrupt;
  }
  table.primary_key.resize(count);
  for (wire::PrimaryKeySchemaColumn& column : table.primary_key) {
    uint8_t type = 0;
    uint8_t auto_increment = 0;
    if (!GetString(&reader, &column.name) || !reader.GetByte(&type) ||
        !reader.GetByte(&auto_increment)) {
      return corrupt;
    }
    column.type = static_cast<wire::PrimaryKeyType>(type);
    column.auto_increment = auto_increment != 0;
  }
  if (!reader.GetVarint64(&count) || count > bytes.size()) return corrupt;
  table.defined_columns.resize(count);
  for (wire::DefinedColumn& column : table.defined_columns) {
    uint8_t type = 0;
    if (!GetString(&reader, &column.name) || !reader.GetByte(&type)) return corrupt;
    column.type = static_cast<wire::DefinedColumnType>(type);
  }
  uint8_t allow_update = 0;
  uint8_t stream_enabled = 0;
  if (!GetSignedAs(&reader, &table.options.time_to_live_seconds) ||
      !GetSignedAs(&reader, &table.options.max_versions) ||
      !GetSigned(&reader, &table.options.deviation_cell_version_in_seconds) ||
      !reader.GetByte(&allow_update) || !reader.GetByte(&stream_enabled) ||
      !GetSignedAs(&reader, &table.stream.expiration_hours) ||
      !GetString(&reader, &table.stream.stream_id) ||
      !GetSigned(&reader, &table.stream.last_enable_time_micros) ||
      !GetSignedAs(&reader, &table.reserved_read_capacity) ||
      !GetSignedAs(&reader, &table.reserved_write_capacity) ||
      !GetSigned(&reader, &table.creation_time_micros)) {
    return corrupt;
  }
  table.options.allow_update = allow_update != 0;
  table.stream.enabled = stream_enabled != 0;
  return record;
}

}  // namespace otsync::store
