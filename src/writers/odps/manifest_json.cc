#include "writers/odps/manifest_json.h"

#include <zlib.h>

#include <charconv>
#include <cstdio>

namespace otsync::odps::manifest_json {
namespace {

uint32_t Crc32(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

std::string Crc32Hex(std::string_view bytes) {
  char checksum[16];
  std::snprintf(checksum, sizeof(checksum), "%08x", Crc32(bytes));
  return checksum;
}

// Appends each byte of `bytes` as two lowercase hex digits.
void AppendHex(std::string& out, std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const size_t from = out.size();
  out.resize(from + bytes.size() * 2);
  char* digit = out.data() + from;
  for (unsigned char byte : bytes) {
    *digit++ = kDigits[byte >> 4];
    *digit++ = kDigits[byte & 0xf];
  }
}

Result<std::string> Unhex(std::string_view text) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) return Status::Corruption("odd-length hex text");
  std::string bytes;
  bytes.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int high = digit(text[i]);
    int low = digit(text[i + 1]);
    if (high < 0 || low < 0) return Status::Corruption("a character that is not a hex digit");
    bytes += static_cast<char>(high << 4 | low);
  }
  return bytes;
}

// Appends `text` as a JSON string; false when it is not UTF-8, which JSON cannot hold.
bool AppendString(std::string& out, std::string_view text) {
  if (!simdjson::validate_utf8(text.data(), text.size())) return false;
  static constexpr char kDigits[] = "0123456789abcdef";
  out += '"';
  size_t plain_from = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(plain_from, i - plain_from));
    plain_from = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kDigits[c >> 4];
        out += kDigits[c & 0xf];
    }
  }
  out.append(text.substr(plain_from));
  out += '"';
  return true;
}

void WriteColumns(ObjectWriter& parent, std::string_view key, const std::vector<Column>& columns) {
  parent.BeginArray(key);
  for (const Column& column : columns) {
    parent.Item();
    ObjectWriter item = parent.Nested();
    item.String("name", column.name);
    item.String("type", ColumnTypeName(column.type));
  }
  parent.EndArray();
}

Result<std::vector<Column>> ReadColumns(const ObjectReader& table, const char* key) {
  std::vector<Column> columns;
  OTSYNC_RETURN_IF_ERROR(table.EachObject(key, [&](const ObjectReader& item) -> Status {
    Column column;
    std::string type;
    OTSYNC_RETURN_IF_ERROR(item.String("name", &column.name));
    OTSYNC_RETURN_IF_ERROR(item.String("type", &type));
    OTSYNC_ASSIGN_OR_RETURN(column.type, ParseColumnType(type));
    columns.push_back(std::move(column));
    return Status::OK();
  }));
  return columns;
}

}  // namespace

void ObjectWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  if (!AppendString(out_, value)) valid_ = false;
}

void ObjectWriter::HexString(std::string_view key, std::string_view bytes) {
  Key(key);
  out_ += '"';
  AppendHex(out_, bytes);
  out_ += '"';
}

void ObjectWriter::Integer(std::string_view key, int64_t value) {
  Key(key);
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof(digits), value);
  out_.append(digits, end);
}

void ObjectWriter::Boolean(std::string_view key, bool value) {
  Key(key);
  out_ += value ? "true" : "false";
}

void ObjectWriter::BeginArray(std::string_view key) {
  Key(key);
  out_ += '[';
  first_item_ = true;
}

void ObjectWriter::Item() {
  if (!first_item_) out_ += ',';
  first_item_ = false;
}

void ObjectWriter::Key(std::string_view key) {
  if (!first_member_) out_ += ',';
  first_member_ = false;
  out_ += '"';
  out_ += key;  // Keys are this room's own ASCII names.
  out_ += "\":";
}

Status ObjectReader::Integer(const char* key, int64_t* out) const {
  return object_[key].get_int64().get(*out) == simdjson::SUCCESS ? Status::OK() : Bad(key);
}

Status ObjectReader::Boolean(const char* key, bool* out) const {
  return object_[key].get_bool().get(*out) == simdjson::SUCCESS ? Status::OK() : Bad(key);
}

Status ObjectReader::String(const char* key, std::string* out) const {
  std::string_view view;
  if (object_[key].get_string().get(view) != simdjson::SUCCESS) return Bad(key);
  out->assign(view);
  return Status::OK();
}

Status ObjectReader::HexString(const char* key, std::string* out) const {
  std::string_view view;
  if (object_[key].get_string().get(view) != simdjson::SUCCESS) return Bad(key);
  Result<std::string> bytes = Unhex(view);
  if (!bytes.ok()) {
    return Status::Corruption(std::string(where_) + "." + key + ": " + bytes.status().message());
  }
  *out = std::move(*bytes);
  return Status::OK();
}

Status ObjectReader::EachObject(const char* key,
                                const std::function<Status(const ObjectReader& item)>& read) const {
  simdjson::dom::array array;
  if (object_[key].get_array().get(array) != simdjson::SUCCESS) return Bad(key);
  const std::string where = std::string(where_) + "." + key;
  for (simdjson::dom::element element : array) {
    simdjson::dom::object item;
    if (element.get_object().get(item) != simdjson::SUCCESS) {
      return Status::Corruption("an item of " + where + " is not an object");
    }
    OTSYNC_RETURN_IF_ERROR(read(ObjectReader(item, where)));
  }
  return Status::OK();
}

Status ObjectReader::Bad(const char* key) const {
  return Status::Corruption(std::string(where_) + "." + key + " is missing or of the wrong type");
}

void WriteTableHeader(ObjectWriter& object, const TableEntry& table) {
  object.String("name", table.schema.name);
  WriteColumns(object, "columns", table.schema.columns);
  WriteColumns(object, "partition_columns", table.schema.partition_columns);
  object.Integer("created_at_micros", table.created_at_micros);
}

Status ReadTableHeader(const ObjectReader& object, TableEntry* table) {
  OTSYNC_RETURN_IF_ERROR(object.String("name", &table->schema.name));
  OTSYNC_ASSIGN_OR_RETURN(table->schema.columns, ReadColumns(object, "columns"));
  OTSYNC_ASSIGN_OR_RETURN(table->schema.partition_columns,
                          ReadColumns(object, "partition_columns"));
  return object.Integer("created_at_micros", &table->created_at_micros);
}

void WritePartition(ObjectWriter& object, const PartitionEntry& partition) {
  object.String("spec", partition.spec);
  object.Integer("created_at_micros", partition.created_at_micros);
  object.BeginArray("files");
  for (const DataFile& file : partition.files) {
    object.Item();
    ObjectWriter file_object = object.Nested();
    file_object.String("path", file.path);
    file_object.Integer("rows", file.rows);
    file_object.Integer("bytes", file.bytes);
  }
  object.EndArray();
}

Status ReadPartition(const ObjectReader& object, PartitionEntry* partition) {
  OTSYNC_RETURN_IF_ERROR(object.String("spec", &partition->spec));
  OTSYNC_RETURN_IF_ERROR(object.Integer("created_at_micros", &partition->created_at_micros));
  return object.EachObject("files", [&](const ObjectReader& file) -> Status {
    DataFile data_file;
    OTSYNC_RETURN_IF_ERROR(file.String("path", &data_file.path));
    OTSYNC_RETURN_IF_ERROR(file.Integer("rows", &data_file.rows));
    OTSYNC_RETURN_IF_ERROR(file.Integer("bytes", &data_file.bytes));
    partition->files.push_back(std::move(data_file));
    return Status::OK();
  });
}

void WriteWindowIdentity(ObjectWriter& object, const WindowEntry& window) {
  object.String("table", window.table);
  object.String("partition", window.partition);
  object.String("source_table", window.key.source_table);
  object.String("stream_id", window.key.stream_id);
  object.Integer("start_millis", window.key.start_millis);
  object.Integer("end_millis", window.key.end_millis);
}

Status ReadWindowIdentity(const ObjectReader& object, WindowEntry* window) {
  OTSYNC_RETURN_IF_ERROR(object.String("table", &window->table));
  OTSYNC_RETURN_IF_ERROR(object.String("partition", &window->partition));
  OTSYNC_RETURN_IF_ERROR(object.String("source_table", &window->key.source_table));
  OTSYNC_RETURN_IF_ERROR(object.String("stream_id", &window->key.stream_id));
  OTSYNC_RETURN_IF_ERROR(object.Integer("start_millis", &window->key.start_millis));
  return object.Integer("end_millis", &window->key.end_millis);
}

void WriteWindow(ObjectWriter& object, const WindowEntry& window) {
  WriteWindowIdentity(object, window);
  object.HexString("end_checkpoints_hex", window.end_checkpoints);
  object.Integer("rows", window.rows);
  object.Boolean("truncate", window.truncate);
  object.Integer("committed_at_micros", window.committed_at_micros);
}

Status ReadWindow(const ObjectReader& object, WindowEntry* window) {
  OTSYNC_RETURN_IF_ERROR(ReadWindowIdentity(object, window));
  OTSYNC_RETURN_IF_ERROR(object.HexString("end_checkpoints_hex", &window->end_checkpoints));
  OTSYNC_RETURN_IF_ERROR(object.Integer("rows", &window->rows));
  OTSYNC_RETURN_IF_ERROR(object.Boolean("truncate", &window->truncate));
  return object.Integer("committed_at_micros", &window->committed_at_micros);
}

void WriteRetiredFile(ObjectWriter& object, const RetiredFile& file) {
  object.String("path", file.path);
  object.Integer("retired_at_micros", file.retired_at_micros);
}

Status ReadRetiredFile(const ObjectReader& object, RetiredFile* file) {
  OTSYNC_RETURN_IF_ERROR(object.String("path", &file->path));
  return object.Integer("retired_at_micros", &file->retired_at_micros);
}

std::string Frame(std::string_view header_prefix, std::string_view body) {
  std::string framed;
  framed.reserve(header_prefix.size() + 9 + body.size());
  framed.append(header_prefix);
  framed += Crc32Hex(body);
  framed += '\n';
  framed.append(body);
  return framed;
}

Result<std::string_view> CheckedBody(std::string_view text, std::string_view header_prefix,
                                     std::string_view what, std::string_view origin) {
  auto damaged = [&](const std::string& why) {
    return Status::Corruption("the " + std::string(what) + " " + std::string(origin) +
                              " is damaged: " + why);
  };
  size_t newline = text.find('\n');
  if (newline == std::string_view::npos || !text.starts_with(header_prefix)) {
    return damaged("it does not start with \"" + std::string(header_prefix) + "<checksum>\"");
  }
  std::string_view stored = text.substr(header_prefix.size(), newline - header_prefix.size());
  std::string_view body = text.substr(newline + 1);
  const std::string computed = Crc32Hex(body);
  if (stored != computed) {
    return damaged("its checksum is " + computed + ", the header says " + std::string(stored));
  }
  return body;
}

Result<simdjson::dom::object> ParseObject(simdjson::dom::parser& parser, std::string_view body,
                                          std::string_view what, std::string_view origin) {
  simdjson::dom::object document;
  if (parser.parse(simdjson::padded_string(body)).get_object().get(document) != simdjson::SUCCESS) {
    return Status::Corruption("the " + std::string(what) + " " + std::string(origin) +
                              " is damaged: its body is not a JSON object");
  }
  return document;
}

}  // namespace otsync::odps::manifest_json
