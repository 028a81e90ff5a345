#include "writers/odps/manifest.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace otsync::odps {
namespace {

using json = nlohmann::json;

constexpr std::string_view kHeaderPrefix = "otsync-warehouse-manifest 1 ";

uint32_t Crc32(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0xf];
  }
  return text;
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

json ColumnsToJson(const std::vector<Column>& columns) {
  json list = json::array();
  for (const Column& column : columns) {
    list.push_back({{"name", column.name}, {"type", ColumnTypeName(column.type)}});
  }
  return list;
}

Result<std::vector<Column>> ColumnsFromJson(const json& list) {
  std::vector<Column> columns;
  for (const json& item : list) {
    Column column;
    column.name = item.at("name").get<std::string>();
    OTSYNC_ASSIGN_OR_RETURN(column.type, ParseColumnType(item.at("type").get<std::string>()));
    columns.push_back(std::move(column));
  }
  return columns;
}

json ToJson(const WarehouseManifest& manifest) {
  json tables = json::array();
  for (const TableEntry& table : manifest.tables) {
    json partitions = json::array();
    for (const PartitionEntry& partition : table.partitions) {
      json files = json::array();
      for (const DataFile& file : partition.files) {
        files.push_back({{"path", file.path}, {"rows", file.rows}, {"bytes", file.bytes}});
      }
      partitions.push_back({{"spec", partition.spec},
                            {"created_at_micros", partition.created_at_micros},
                            {"files", std::move(files)}});
    }
    tables.push_back({{"name", table.schema.name},
                      {"columns", ColumnsToJson(table.schema.columns)},
                      {"partition_columns", ColumnsToJson(table.schema.partition_columns)},
                      {"created_at_micros", table.created_at_micros},
                      {"partitions", std::move(partitions)}});
  }
  json windows = json::array();
  for (const WindowEntry& window : manifest.windows) {
    windows.push_back({{"table", window.table},
                       {"partition", window.partition},
                       {"source_table", window.key.source_table},
                       {"stream_id", window.key.stream_id},
                       {"start_millis", window.key.start_millis},
                       {"end_millis", window.key.end_millis},
                       {"end_checkpoints_hex", Hex(window.end_checkpoints)},
                       {"rows", window.rows},
                       {"truncate", window.truncate},
                       {"committed_at_micros", window.committed_at_micros}});
  }
  json retired = json::array();
  for (const RetiredFile& file : manifest.retired_files) {
    retired.push_back({{"path", file.path}, {"retired_at_micros", file.retired_at_micros}});
  }
  return {{"version", manifest.version},
          {"committed_at_micros", manifest.committed_at_micros},
          {"tables", std::move(tables)},
          {"windows", std::move(windows)},
          {"retired_files", std::move(retired)}};
}

Result<WarehouseManifest> FromJson(const json& document) {
  WarehouseManifest manifest;
  manifest.version = document.at("version").get<int64_t>();
  manifest.committed_at_micros = document.at("committed_at_micros").get<int64_t>();
  for (const json& item : document.at("tables")) {
    TableEntry table;
    table.schema.name = item.at("name").get<std::string>();
    OTSYNC_ASSIGN_OR_RETURN(table.schema.columns, ColumnsFromJson(item.at("columns")));
    OTSYNC_ASSIGN_OR_RETURN(table.schema.partition_columns,
                            ColumnsFromJson(item.at("partition_columns")));
    table.created_at_micros = item.at("created_at_micros").get<int64_t>();
    for (const json& partition_item : item.at("partitions")) {
      PartitionEntry partition;
      partition.spec = partition_item.at("spec").get<std::string>();
      partition.created_at_micros = partition_item.at("created_at_micros").get<int64_t>();
      for (const json& file_item : partition_item.at("files")) {
        partition.files.push_back({file_item.at("path").get<std::string>(),
                                   file_item.at("rows").get<int64_t>(),
                                   file_item.at("bytes").get<int64_t>()});
      }
      table.partitions.push_back(std::move(partition));
    }
    manifest.tables.push_back(std::move(table));
  }
  for (const json& item : document.at("windows")) {
    WindowEntry window;
    window.table = item.at("table").get<std::string>();
    window.partition = item.at("partition").get<std::string>();
    window.key.source_table = item.at("source_table").get<std::string>();
    window.key.stream_id = item.at("stream_id").get<std::string>();
    window.key.start_millis = item.at("start_millis").get<int64_t>();
    window.key.end_millis = item.at("end_millis").get<int64_t>();
    OTSYNC_ASSIGN_OR_RETURN(window.end_checkpoints,
                            Unhex(item.at("end_checkpoints_hex").get<std::string>()));
    window.rows = item.at("rows").get<int64_t>();
    window.truncate = item.at("truncate").get<bool>();
    window.committed_at_micros = item.at("committed_at_micros").get<int64_t>();
    manifest.windows.push_back(std::move(window));
  }
  for (const json& item : document.at("retired_files")) {
    manifest.retired_files.push_back(
        {item.at("path").get<std::string>(), item.at("retired_at_micros").get<int64_t>()});
  }
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

std::string EncodeManifest(const WarehouseManifest& manifest) {
  // Compact: a manifest of thousands of partitions is written and read by every commit, and
  // indentation alone made it about a third larger.
  std::string body = ToJson(manifest).dump() + "\n";
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
  json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return damaged("its body is not JSON");
  try {
    Result<WarehouseManifest> manifest = FromJson(document);
    if (!manifest.ok()) return damaged(manifest.status().message());
    return manifest;
  } catch (const json::exception& error) {
    return damaged(error.what());
  }
}

}  // namespace otsync::odps
