// WarehouseManifest: one complete, immutable state of the warehouse — its tables, each table's
// partitions with the Parquet files that hold their rows, and the ledger of committed stream
// windows. Every commit writes a new manifest (manifest_log.h); nothing a manifest names is ever
// changed in place, so any manifest that was published stays readable.
//
// Invariants of a manifest:
//  - table names are lower-case and unique; a table's partition specs are unique;
//  - every file path is relative to the warehouse folder and named in at most one partition;
//  - for every partition, the rows of its files add up to the rows of its ledger entries (a
//    partition changes only through a committed window) — `otsync warehouse check` verifies it;
//  - in the ledger, a (table, partition, window key) appears at most once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sync/writer.h"
#include "writers/odps/table_schema.h"

namespace otsync::odps {

struct DataFile {
  std::string path;  // Relative to the warehouse folder: data/<table>/<load id>-<n>.parquet
  int64_t rows = 0;
  int64_t bytes = 0;
  bool operator==(const DataFile&) const = default;
};

struct PartitionEntry {
  std::string spec;  // "pt=20171019,region=hz"; "" for the one partition of an unpartitioned table.
  int64_t created_at_micros = 0;
  std::vector<DataFile> files;
  bool operator==(const PartitionEntry&) const = default;
};

struct TableEntry {
  TableSchema schema;
  int64_t created_at_micros = 0;
  std::vector<PartitionEntry> partitions;  // Sorted by spec.
  bool operator==(const TableEntry&) const = default;

  PartitionEntry* FindPartition(std::string_view spec);
  const PartitionEntry* FindPartition(std::string_view spec) const;
};

// One committed window: the resume record of the exactly-once protocol (docs/design.md).
struct WindowEntry {
  std::string table;
  std::string partition;
  sync::WindowKey key;
  std::string end_checkpoints;  // The reader's, opaque.
  int64_t rows = 0;
  bool truncate = false;  // Insert Overwrite: the window replaced the partition.
  int64_t committed_at_micros = 0;
  bool operator==(const WindowEntry&) const = default;
};

// A file no longer in the current state, kept for readers of an older manifest until
// `retired_at_micros` is old enough (manifest_log.h).
struct RetiredFile {
  std::string path;
  int64_t retired_at_micros = 0;
  bool operator==(const RetiredFile&) const = default;
};

struct WarehouseManifest {
  int64_t version = 0;  // 0: the empty warehouse before its first commit.
  int64_t committed_at_micros = 0;
  std::vector<TableEntry> tables;  // Sorted by name.
  std::vector<WindowEntry> windows;
  std::vector<RetiredFile> retired_files;
  bool operator==(const WarehouseManifest&) const = default;

  TableEntry* FindTable(std::string_view name);
  const TableEntry* FindTable(std::string_view name) const;
  // The ledger entry of `key` in `table` and `partition`, or null.
  const WindowEntry* FindWindow(std::string_view table, std::string_view partition,
                                const sync::WindowKey& key) const;
};

// The manifest as its file holds it: a first line "otsync-warehouse-manifest 1 <crc32 hex>" with
// the CRC-32 of the JSON body that follows, so that a damaged file is never taken for a state.
// kInvalidArgument when a string of the manifest is not UTF-8 (JSON cannot hold it).
Result<std::string> EncodeManifest(const WarehouseManifest& manifest);
// kCorruption naming `origin` when the header, the checksum or the body is wrong.
Result<WarehouseManifest> DecodeManifest(std::string_view text, std::string_view origin);

}  // namespace otsync::odps
