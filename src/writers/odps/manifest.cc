#include "writers/odps/manifest.h"

#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>

namespace otsync::odps {
namespace {

constexpr std::string_view kHeaderPrefix = "otsync-warehouse-manifest 1 ";

uint32_t Crc32(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
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

// The manifest's JSON is written and read by hand: every commit writes the whole state and every
// process reads it, and with thousands of partitions and windows a DOM library (nlohmann) spent
// tens of milliseconds each way, most of an instance's time in the warehouse.

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

void AppendInteger(std::string& out, int64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, end);
}

// Writes one JSON object member by member: `"key":value`, comma-separated.
class ObjectWriter {
 public:
  ObjectWriter(std::string& out, bool& valid) : out_(out), valid_(valid) { out_ += '{'; }
  ~ObjectWriter() { out_ += '}'; }

  void String(std::string_view key, std::string_view value) {
    Key(key);
    if (!AppendString(out_, value)) valid_ = false;
  }
  // `bytes` as a JSON string of hex digits, which need no escaping.
  void HexString(std::string_view key, std::string_view bytes) {
    Key(key);
    out_ += '"';
    AppendHex(out_, bytes);
    out_ += '"';
  }
  void Integer(std::string_view key, int64_t value) {
    Key(key);
    AppendInteger(out_, value);
  }
  void Boolean(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
  }
  // Begins `"key":[`; the caller writes the items, separated by Item(), and calls EndArray().
  void BeginArray(std::string_view key) {
    Key(key);
    out_ += '[';
    first_item_ = true;
  }
  void Item() {
    if (!first_item_) out_ += ',';
    first_item_ = false;
  }
  void EndArray() { out_ += ']'; }

 private:
  void Key(std::string_view key) {
    if (!first_member_) out_ += ',';
    first_member_ = false;
    out_ += '"';
    out_ += key;  // Keys are this file's own ASCII names.
    out_ += "\":";
  }

  std::string& out_;
  bool& valid_;
  bool first_member_ = true;
  bool first_item_ = true;
};

void AppendColumns(ObjectWriter& parent, std::string_view key, const std::vector<Column>& columns,
                   std::string& out, bool& valid) {
  parent.BeginArray(key);
  for (const Column& column : columns) {
    parent.Item();
    ObjectWriter item(out, valid);
    item.String("name", column.name);
    item.String("type", ColumnTypeName(column.type));
  }
  parent.EndArray();
}

// The JSON body; false when a string of the manifest is not UTF-8.
bool AppendBody(const WarehouseManifest& manifest, std::string& out) {
  bool valid = true;
  {
    ObjectWriter root(out, valid);
    root.Integer("version", manifest.version);
    root.Integer("committed_at_micros", manifest.committed_at_micros);
    root.BeginArray("tables");
    for (const TableEntry& table : manifest.tables) {
      root.Item();
      ObjectWriter table_object(out, valid);
      table_object.String("name", table.schema.name);
      AppendColumns(table_object, "columns", table.schema.columns, out, valid);
      AppendColumns(table_object, "partition_columns", table.schema.partition_columns, out, valid);
      table_object.Integer("created_at_micros", table.created_at_micros);
      table_object.BeginArray("partitions");
      for (const PartitionEntry& partition : table.partitions) {
        table_object.Item();
        ObjectWriter partition_object(out, valid);
        partition_object.String("spec", partition.spec);
        partition_object.Integer("created_at_micros", partition.created_at_micros);
        partition_object.BeginArray("files");
        for (const DataFile& file : partition.files) {
          partition_object.Item();
          ObjectWriter file_object(out, valid);
          file_object.String("path", file.path);
          file_object.Integer("rows", file.rows);
          file_object.Integer("bytes", file.bytes);
        }
        partition_object.EndArray();
      }
      table_object.EndArray();
    }
    root.EndArray();
    root.BeginArray("windows");
    for (const WindowEntry& window : manifest.windows) {
      root.Item();
      ObjectWriter window_object(out, valid);
      window_object.String("table", window.table);
      window_object.String("partition", window.partition);
      window_object.String("source_table", window.key.source_table);
      window_object.String("stream_id", window.key.stream_id);
      window_object.Integer("start_millis", window.key.start_millis);
      window_object.Integer("end_millis", window.key.end_millis);
      window_object.HexString("end_checkpoints_hex", window.end_checkpoints);
      window_object.Integer("rows", window.rows);
      window_object.Boolean("truncate", window.truncate);
      window_object.Integer("committed_at_micros", window.committed_at_micros);
    }
    root.EndArray();
    root.BeginArray("retired_files");
    for (const RetiredFile& file : manifest.retired_files) {
      root.Item();
      ObjectWriter file_object(out, valid);
      file_object.String("path", file.path);
      file_object.Integer("retired_at_micros", file.retired_at_micros);
    }
    root.EndArray();
  }
  out += '\n';
  return valid;
}

// Reads the members of one JSON object; an absent or mistyped member is named in the error.
class ObjectReader {
 public:
  ObjectReader(simdjson::dom::object object, std::string_view where)
      : object_(object), where_(where) {}

  Status Integer(const char* key, int64_t* out) const {
    return object_[key].get_int64().get(*out) == simdjson::SUCCESS ? Status::OK() : Bad(key);
  }
  Status Boolean(const char* key, bool* out) const {
    return object_[key].get_bool().get(*out) == simdjson::SUCCESS ? Status::OK() : Bad(key);
  }
  Status String(const char* key, std::string* out) const {
    std::string_view view;
    if (object_[key].get_string().get(view) != simdjson::SUCCESS) return Bad(key);
    out->assign(view);
    return Status::OK();
  }
  // Calls `read` with a reader of each object in the array `key`.
  Status EachObject(const char* key,
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

 private:
  Status Bad(const char* key) const {
    return Status::Corruption(std::string(where_) + "." + key + " is missing or of the wrong type");
  }

  simdjson::dom::object object_;
  std::string_view where_;
};

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

Result<WarehouseManifest> ReadBody(simdjson::dom::object document) {
  const ObjectReader root(document, "manifest");
  WarehouseManifest manifest;
  OTSYNC_RETURN_IF_ERROR(root.Integer("version", &manifest.version));
  OTSYNC_RETURN_IF_ERROR(root.Integer("committed_at_micros", &manifest.committed_at_micros));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("tables", [&](const ObjectReader& item) -> Status {
    TableEntry table;
    OTSYNC_RETURN_IF_ERROR(item.String("name", &table.schema.name));
    OTSYNC_ASSIGN_OR_RETURN(table.schema.columns, ReadColumns(item, "columns"));
    OTSYNC_ASSIGN_OR_RETURN(table.schema.partition_columns, ReadColumns(item, "partition_columns"));
    OTSYNC_RETURN_IF_ERROR(item.Integer("created_at_micros", &table.created_at_micros));
    OTSYNC_RETURN_IF_ERROR(item.EachObject("partitions", [&](const ObjectReader& entry) -> Status {
      PartitionEntry partition;
      OTSYNC_RETURN_IF_ERROR(entry.String("spec", &partition.spec));
      OTSYNC_RETURN_IF_ERROR(entry.Integer("created_at_micros", &partition.created_at_micros));
      OTSYNC_RETURN_IF_ERROR(entry.EachObject("files", [&](const ObjectReader& file) -> Status {
        DataFile data_file;
        OTSYNC_RETURN_IF_ERROR(file.String("path", &data_file.path));
        OTSYNC_RETURN_IF_ERROR(file.Integer("rows", &data_file.rows));
        OTSYNC_RETURN_IF_ERROR(file.Integer("bytes", &data_file.bytes));
        partition.files.push_back(std::move(data_file));
        return Status::OK();
      }));
      table.partitions.push_back(std::move(partition));
      return Status::OK();
    }));
    manifest.tables.push_back(std::move(table));
    return Status::OK();
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("windows", [&](const ObjectReader& item) -> Status {
    WindowEntry window;
    std::string checkpoints_hex;
    OTSYNC_RETURN_IF_ERROR(item.String("table", &window.table));
    OTSYNC_RETURN_IF_ERROR(item.String("partition", &window.partition));
    OTSYNC_RETURN_IF_ERROR(item.String("source_table", &window.key.source_table));
    OTSYNC_RETURN_IF_ERROR(item.String("stream_id", &window.key.stream_id));
    OTSYNC_RETURN_IF_ERROR(item.Integer("start_millis", &window.key.start_millis));
    OTSYNC_RETURN_IF_ERROR(item.Integer("end_millis", &window.key.end_millis));
    OTSYNC_RETURN_IF_ERROR(item.String("end_checkpoints_hex", &checkpoints_hex));
    OTSYNC_ASSIGN_OR_RETURN(window.end_checkpoints, Unhex(checkpoints_hex));
    OTSYNC_RETURN_IF_ERROR(item.Integer("rows", &window.rows));
    OTSYNC_RETURN_IF_ERROR(item.Boolean("truncate", &window.truncate));
    OTSYNC_RETURN_IF_ERROR(item.Integer("committed_at_micros", &window.committed_at_micros));
    manifest.windows.push_back(std::move(window));
    return Status::OK();
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("retired_files", [&](const ObjectReader& item) -> Status {
    RetiredFile file;
    OTSYNC_RETURN_IF_ERROR(item.String("path", &file.path));
    OTSYNC_RETURN_IF_ERROR(item.Integer("retired_at_micros", &file.retired_at_micros));
    manifest.retired_files.push_back(std::move(file));
    return Status::OK();
  }));
  return manifest;
}

}  // namespace

PartitionEntry* TableEntry::FindPartition(std::string_view spec) {
  for (PartitionEntry& partition : partitions) {
    if (partition.spec == spec) return &partition;
  }
  return nullptr;
}

const PartitionEntry* TableEntry::FindPartition(std::string_view spec) const {
  return const_cast<TableEntry*>(this)->FindPartition(spec);
}

TableEntry* WarehouseManifest::FindTable(std::string_view name) {
  std::string lower = ToLower(name);
  for (TableEntry& table : tables) {
    if (table.schema.name == lower) return &table;
  }
  return nullptr;
}

const TableEntry* WarehouseManifest::FindTable(std::string_view name) const {
  return const_cast<WarehouseManifest*>(this)->FindTable(name);
}

const WindowEntry* WarehouseManifest::FindWindow(std::string_view table, std::string_view partition,
                                                 const sync::WindowKey& key) const {
  for (const WindowEntry& window : windows) {
    if (window.table == table && window.partition == partition && window.key == key) {
      return &window;
    }
  }
  return nullptr;
}

Result<std::string> EncodeManifest(const WarehouseManifest& manifest) {
  std::string body;
  body.reserve(4096 + manifest.windows.size() * 512);
  if (!AppendBody(manifest, body)) {
    return Status::InvalidArgument(
        "the warehouse state holds a name or path that is not UTF-8 text; it cannot be recorded");
  }
  char checksum[16];
  std::snprintf(checksum, sizeof(checksum), "%08x", Crc32(body));
  return std::string(kHeaderPrefix) + checksum + "\n" + body;
}

Result<WarehouseManifest> DecodeManifest(std::string_view text, std::string_view origin) {
  auto damaged = [&](const std::string& what) {
    return Status::Corruption("the warehouse manifest " + std::string(origin) +
                              " is damaged: " + what);
  };
  size_t newline = text.find('\n');
  if (newline == std::string_view::npos || !text.starts_with(kHeaderPrefix)) {
    return damaged("it does not start with \"" + std::string(kHeaderPrefix) + "<checksum>\"");
  }
  std::string_view stored = text.substr(kHeaderPrefix.size(), newline - kHeaderPrefix.size());
  std::string_view body = text.substr(newline + 1);
  char computed[16];
  std::snprintf(computed, sizeof(computed), "%08x", Crc32(body));
  if (stored != computed) {
    return damaged("its checksum is " + std::string(computed) + ", the header says " +
                   std::string(stored));
  }
  simdjson::dom::parser parser;
  simdjson::dom::object document;
  if (parser.parse(simdjson::padded_string(body)).get_object().get(document) != simdjson::SUCCESS) {
    return damaged("its body is not a JSON object");
  }
  Result<WarehouseManifest> manifest = ReadBody(document);
  if (!manifest.ok()) return damaged(manifest.status().message());
  return manifest;
}

}  // namespace otsync::odps
