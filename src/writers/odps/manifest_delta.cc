#include "writers/odps/manifest_delta.h"

#include <simdjson.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "writers/odps/manifest_json.h"

namespace otsync::odps {
namespace {

constexpr std::string_view kHeaderPrefix = "otsync-warehouse-delta 1 ";
constexpr std::string_view kWhat = "warehouse manifest delta";

using manifest_json::ObjectReader;
using manifest_json::ObjectWriter;

using WindowIdentity = std::tuple<std::string_view, std::string_view, std::string_view,
                                  std::string_view, int64_t, int64_t>;

WindowIdentity IdentityOf(const WindowEntry& window) {
  return {window.table,         window.partition,        window.key.source_table,
          window.key.stream_id, window.key.start_millis, window.key.end_millis};
}

bool SameHeader(const TableEntry& a, const TableEntry& b) {
  return a.schema == b.schema && a.created_at_micros == b.created_at_micros;
}

TableEntry HeaderOf(const TableEntry& table) {
  TableEntry header;
  header.schema = table.schema;
  header.created_at_micros = table.created_at_micros;
  return header;
}

// Appends to `removed` the items of `from` that `to` does not keep in order, and to `added` the
// items of `to` after the last one kept: a walk of both lists in step, which finds exactly what a
// commit does to a list it only erases from and appends to.
template <typename Item, typename OnRemoved, typename OnAdded>
void DiffAppendOnly(const std::vector<Item>& from, const std::vector<Item>& to,
                    OnRemoved on_removed, OnAdded on_added) {
  size_t next = 0;
  for (const Item& item : from) {
    if (next < to.size() && to[next] == item) {
      ++next;
    } else {
      on_removed(item);
    }
  }
  for (; next < to.size(); ++next) on_added(to[next]);
}

Status Missing(const ManifestDelta& delta, const std::string& what) {
  return Status::Corruption(
      "the warehouse manifest delta of version " + std::to_string(delta.version) + " removes " +
      what + ", which its base version " + std::to_string(delta.base_version) + " does not have");
}

// The JSON body; false when a string is not UTF-8.
bool AppendBody(const ManifestDelta& delta, std::string& out) {
  bool valid = true;
  {
    ObjectWriter root(out, valid);
    root.Integer("version", delta.version);
    root.Integer("base_version", delta.base_version);
    root.Integer("committed_at_micros", delta.committed_at_micros);
    root.BeginArray("tables_removed");
    for (const std::string& name : delta.tables_removed) {
      root.Item();
      root.Nested().String("name", name);
    }
    root.EndArray();
    root.BeginArray("tables_put");
    for (const TableEntry& table : delta.tables_put) {
      root.Item();
      ObjectWriter item = root.Nested();
      manifest_json::WriteTableHeader(item, table);
    }
    root.EndArray();
    root.BeginArray("partitions_removed");
    for (const PartitionRef& partition : delta.partitions_removed) {
      root.Item();
      ObjectWriter item = root.Nested();
      item.String("table", partition.table);
      item.String("spec", partition.spec);
    }
    root.EndArray();
    root.BeginArray("partitions_put");
    for (const PartitionPut& put : delta.partitions_put) {
      root.Item();
      ObjectWriter item = root.Nested();
      item.String("table", put.table);
      manifest_json::WritePartition(item, put.partition);
    }
    root.EndArray();
    root.BeginArray("windows_removed");
    for (const WindowEntry& window : delta.windows_removed) {
      root.Item();
      ObjectWriter item = root.Nested();
      manifest_json::WriteWindowIdentity(item, window);
    }
    root.EndArray();
    root.BeginArray("windows_added");
    for (const WindowEntry& window : delta.windows_added) {
      root.Item();
      ObjectWriter item = root.Nested();
      manifest_json::WriteWindow(item, window);
    }
    root.EndArray();
    root.BeginArray("retired_files_removed");
    for (const std::string& path : delta.retired_files_removed) {
      root.Item();
      root.Nested().String("path", path);
    }
    root.EndArray();
    root.BeginArray("retired_files_added");
    for (const RetiredFile& file : delta.retired_files_added) {
      root.Item();
      ObjectWriter item = root.Nested();
      manifest_json::WriteRetiredFile(item, file);
    }
    root.EndArray();
  }
  out += '\n';
  return valid;
}

Result<ManifestDelta> ReadBody(simdjson::dom::object document) {
  const ObjectReader root(document, "delta");
  ManifestDelta delta;
  OTSYNC_RETURN_IF_ERROR(root.Integer("version", &delta.version));
  OTSYNC_RETURN_IF_ERROR(root.Integer("base_version", &delta.base_version));
  OTSYNC_RETURN_IF_ERROR(root.Integer("committed_at_micros", &delta.committed_at_micros));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("tables_removed", [&](const ObjectReader& item) {
    return item.String("name", &delta.tables_removed.emplace_back());
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("tables_put", [&](const ObjectReader& item) {
    return manifest_json::ReadTableHeader(item, &delta.tables_put.emplace_back());
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("partitions_removed", [&](const ObjectReader& item) {
    PartitionRef& partition = delta.partitions_removed.emplace_back();
    OTSYNC_RETURN_IF_ERROR(item.String("table", &partition.table));
    return item.String("spec", &partition.spec);
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("partitions_put", [&](const ObjectReader& item) {
    PartitionPut& put = delta.partitions_put.emplace_back();
    OTSYNC_RETURN_IF_ERROR(item.String("table", &put.table));
    return manifest_json::ReadPartition(item, &put.partition);
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("windows_removed", [&](const ObjectReader& item) {
    return manifest_json::ReadWindowIdentity(item, &delta.windows_removed.emplace_back());
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("windows_added", [&](const ObjectReader& item) {
    return manifest_json::ReadWindow(item, &delta.windows_added.emplace_back());
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("retired_files_removed", [&](const ObjectReader& item) {
    return item.String("path", &delta.retired_files_removed.emplace_back());
  }));
  OTSYNC_RETURN_IF_ERROR(root.EachObject("retired_files_added", [&](const ObjectReader& item) {
    return manifest_json::ReadRetiredFile(item, &delta.retired_files_added.emplace_back());
  }));
  return delta;
}

}  // namespace

ManifestDelta DiffManifests(const WarehouseManifest& from, const WarehouseManifest& to) {
  ManifestDelta delta;
  delta.version = to.version;
  delta.base_version = from.version;
  delta.committed_at_micros = to.committed_at_micros;

  // Tables by name and partitions by spec are sorted in both states: one merge walk each, with
  // no index built (this runs under the commit lock, on states of thousands of partitions).
  static const std::vector<PartitionEntry> kNoPartitions;
  auto diff_partitions = [&](const std::string& table, const std::vector<PartitionEntry>& before,
                             const std::vector<PartitionEntry>& after) {
    auto old = before.begin();
    auto now = after.begin();
    while (old != before.end() || now != after.end()) {
      if (now == after.end() || (old != before.end() && old->spec < now->spec)) {
        delta.partitions_removed.push_back({table, old->spec});
        ++old;
      } else if (old == before.end() || now->spec < old->spec) {
        delta.partitions_put.push_back({table, *now});
        ++now;
      } else {
        if (!(*old == *now)) delta.partitions_put.push_back({table, *now});
        ++old;
        ++now;
      }
    }
  };
  auto old = from.tables.begin();
  auto now = to.tables.begin();
  while (old != from.tables.end() || now != to.tables.end()) {
    if (now == to.tables.end() ||
        (old != from.tables.end() && old->schema.name < now->schema.name)) {
      delta.tables_removed.push_back(old->schema.name);
      ++old;
    } else if (old == from.tables.end() || now->schema.name < old->schema.name) {
      delta.tables_put.push_back(HeaderOf(*now));
      diff_partitions(now->schema.name, kNoPartitions, now->partitions);
      ++now;
    } else {
      if (!SameHeader(*old, *now)) delta.tables_put.push_back(HeaderOf(*now));
      diff_partitions(now->schema.name, old->partitions, now->partitions);
      ++old;
      ++now;
    }
  }

  DiffAppendOnly(
      from.windows, to.windows,
      [&](const WindowEntry& window) {
        WindowEntry identity;
        identity.table = window.table;
        identity.partition = window.partition;
        identity.key = window.key;
        delta.windows_removed.push_back(std::move(identity));
      },
      [&](const WindowEntry& window) { delta.windows_added.push_back(window); });
  DiffAppendOnly(
      from.retired_files, to.retired_files,
      [&](const RetiredFile& file) { delta.retired_files_removed.push_back(file.path); },
      [&](const RetiredFile& file) { delta.retired_files_added.push_back(file); });
  return delta;
}

Status ApplyManifestDelta(const ManifestDelta& delta, WarehouseManifest* manifest) {
  if (manifest->version != delta.base_version) {
    return Status::Corruption("the warehouse manifest delta of version " +
                              std::to_string(delta.version) + " applies to version " +
                              std::to_string(delta.base_version) + ", not to version " +
                              std::to_string(manifest->version));
  }
  auto& tables = manifest->tables;
  for (const std::string& name : delta.tables_removed) {
    auto table = std::find_if(tables.begin(), tables.end(),
                              [&](const TableEntry& entry) { return entry.schema.name == name; });
    if (table == tables.end()) return Missing(delta, "table " + name);
    tables.erase(table);
  }
  auto table_position = [&](std::string_view name) {
    return std::lower_bound(
        tables.begin(), tables.end(), name,
        [](const TableEntry& entry, std::string_view key) { return entry.schema.name < key; });
  };
  for (const TableEntry& header : delta.tables_put) {
    auto table = table_position(header.schema.name);
    if (table != tables.end() && table->schema.name == header.schema.name) {
      table->schema = header.schema;
      table->created_at_micros = header.created_at_micros;
    } else {
      tables.insert(table, header);
    }
  }
  auto find_table = [&](const std::string& name) -> TableEntry* {
    auto table = table_position(name);
    return table != tables.end() && table->schema.name == name ? &*table : nullptr;
  };
  auto partition_position = [](TableEntry& table, std::string_view spec) {
    return std::lower_bound(
        table.partitions.begin(), table.partitions.end(), spec,
        [](const PartitionEntry& entry, std::string_view key) { return entry.spec < key; });
  };
  for (const PartitionRef& ref : delta.partitions_removed) {
    TableEntry* table = find_table(ref.table);
    if (table == nullptr) return Missing(delta, "a partition of table " + ref.table);
    auto partition = partition_position(*table, ref.spec);
    if (partition == table->partitions.end() || partition->spec != ref.spec) {
      return Missing(delta, "partition " + ref.spec + " of table " + ref.table);
    }
    table->partitions.erase(partition);
  }
  for (const PartitionPut& put : delta.partitions_put) {
    TableEntry* table = find_table(put.table);
    if (table == nullptr) return Missing(delta, "the table " + put.table + " of a partition");
    auto partition = partition_position(*table, put.partition.spec);
    if (partition != table->partitions.end() && partition->spec == put.partition.spec) {
      *partition = put.partition;
    } else {
      table->partitions.insert(partition, put.partition);
    }
  }

  if (!delta.windows_removed.empty()) {
    std::set<WindowIdentity> removed;
    for (const WindowEntry& window : delta.windows_removed) removed.insert(IdentityOf(window));
    const size_t before = manifest->windows.size();
    std::erase_if(manifest->windows,
                  [&](const WindowEntry& window) { return removed.count(IdentityOf(window)) > 0; });
    if (before - manifest->windows.size() != removed.size()) {
      return Missing(delta, "a ledger entry");
    }
  }
  manifest->windows.insert(manifest->windows.end(), delta.windows_added.begin(),
                           delta.windows_added.end());

  if (!delta.retired_files_removed.empty()) {
    const std::set<std::string_view> removed(delta.retired_files_removed.begin(),
                                             delta.retired_files_removed.end());
    const size_t before = manifest->retired_files.size();
    std::erase_if(manifest->retired_files,
                  [&](const RetiredFile& file) { return removed.count(file.path) > 0; });
    if (before - manifest->retired_files.size() != removed.size()) {
      return Missing(delta, "a retired file");
    }
  }
  manifest->retired_files.insert(manifest->retired_files.end(), delta.retired_files_added.begin(),
                                 delta.retired_files_added.end());
  manifest->version = delta.version;
  manifest->committed_at_micros = delta.committed_at_micros;
  return Status::OK();
}

Result<std::string> EncodeManifestDelta(const ManifestDelta& delta) {
  std::string body;
  body.reserve(1024);
  if (!AppendBody(delta, body)) {
    return Status::InvalidArgument(
        "the warehouse state holds a name or path that is not UTF-8 text; it cannot be recorded");
  }
  return manifest_json::Frame(kHeaderPrefix, body);
}

Result<ManifestDelta> DecodeManifestDelta(std::string_view text, std::string_view origin) {
  OTSYNC_ASSIGN_OR_RETURN(std::string_view body,
                          manifest_json::CheckedBody(text, kHeaderPrefix, kWhat, origin));
  simdjson::dom::parser parser;
  OTSYNC_ASSIGN_OR_RETURN(simdjson::dom::object document,
                          manifest_json::ParseObject(parser, body, kWhat, origin));
  Result<ManifestDelta> delta = ReadBody(document);
  if (!delta.ok()) {
    return Status::Corruption("the " + std::string(kWhat) + " " + std::string(origin) +
                              " is damaged: " + delta.status().message());
  }
  if (delta->base_version != delta->version - 1) {
    return Status::Corruption("the " + std::string(kWhat) + " " + std::string(origin) +
                              " is damaged: version " + std::to_string(delta->version) +
                              " names base version " + std::to_string(delta->base_version));
  }
  return delta;
}

}  // namespace otsync::odps
