#include "writers/odps/manifest.h"

#include <simdjson.h>

#include "writers/odps/manifest_json.h"

namespace otsync::odps {
namespace {

constexpr std::string_view kHeaderPrefix = "otsync-warehouse-manifest 1 ";
constexpr std::string_view kWhat = "warehouse manifest";

using manifest_json::ObjectReader;
using manifest_json::ObjectWriter;

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
      ObjectWriter table_object = root.Nested();
      manifest_json::WriteTableHeader(table_object, table);
      table_object.BeginArray("partitions");
      for (const PartitionEntry& partition : table.partitions) {
        table_object.Item();
        ObjectWriter partition_object = table_object.Nested();
        manifest_json::WritePartition(partition_object, partition);
      }
      table_object.EndArray();
    }
    root.EndArray();
    root.BeginArray("windows");
    for (const WindowEntry& window : manifest.windows) {
      root.Item();
      ObjectWriter window_object = root.Nested();
      manifest_json::WriteWindow(window_object, window);
    }
    root.EndArray();
    root.BeginArray("retired_files");
    for (const RetiredFile& file : manifest.retired_files) {
      root.Item();
      ObjectWriter file_object = root.Nested();
      manifest_json::WriteRetiredFile(file_object, file);
    }
    root.EndArray();
  }
  out += '\n';
  return valid;
}

Result<WarehouseManifest> ReadBody(simdjson::dom::object document) {
  const ObjectReader root(document, "manifest");
  WarehouseManifest manifest;
  OTSYNC_RETURN_IF_ERROR(root.Integer("version", &manifest.version));
  OTSYNC_RETURN_IF_ERROR(root.Integer("committed_at_micros", &manifest.committed_at_micros));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("tables", [&](const ObjectReader& item) -> Status {
    TableEntry table;
    OTSYNC_RETURN_IF_ERROR(manifest_json::ReadTableHeader(item, &table));
    OTSYNC_RETURN_IF_ERROR(item.EachObject("partitions", [&](const ObjectReader& entry) -> Status {
      PartitionEntry partition;
      OTSYNC_RETURN_IF_ERROR(manifest_json::ReadPartition(entry, &partition));
      table.partitions.push_back(std::move(partition));
      return Status::OK();
    }));
    manifest.tables.push_back(std::move(table));
    return Status::OK();
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("windows", [&](const ObjectReader& item) -> Status {
    WindowEntry window;
    OTSYNC_RETURN_IF_ERROR(manifest_json::ReadWindow(item, &window));
    manifest.windows.push_back(std::move(window));
    return Status::OK();
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("retired_files", [&](const ObjectReader& item) -> Status {
    RetiredFile file;
    OTSYNC_RETURN_IF_ERROR(manifest_json::ReadRetiredFile(item, &file));
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
  return manifest_json::Frame(kHeaderPrefix, body);
}

Result<WarehouseManifest> DecodeManifest(std::string_view text, std::string_view origin) {
  OTSYNC_ASSIGN_OR_RETURN(std::string_view body,
                          manifest_json::CheckedBody(text, kHeaderPrefix, kWhat, origin));
  simdjson::dom::parser parser;
  OTSYNC_ASSIGN_OR_RETURN(simdjson::dom::object document,
                          manifest_json::ParseObject(parser, body, kWhat, origin));
  Result<WarehouseManifest> manifest = ReadBody(document);
  if (!manifest.ok()) {
    return Status::Corruption("the " + std::string(kWhat) + " " + std::string(origin) +
                              " is damaged: " + manifest.status().message());
  }
  return manifest;
}

}  // namespace otsync::odps
