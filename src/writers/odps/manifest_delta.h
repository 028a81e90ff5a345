// ManifestDelta: what one commit changed in the warehouse's state — the difference between the
// manifest of version N - 1 (its base) and that of version N. A commit that adds one partition
// and one ledger entry to a warehouse of thousands writes a delta of a few hundred bytes instead
// of the whole state (manifest_log.h says when a complete manifest is written instead).
//
// A committer states its change as a delta directly (warehouse_commit.h) and the log applies it
// to the cached state: nothing of the size of the state is copied or compared under the lock.
// ApplyManifestDelta is deterministic, so every reader that applies the delta decoded from its
// file to the same base gets the same state; the publisher checks that the decoded delta is the
// one it applied.
//
// DiffManifests serves tools and tests that hold two whole states. Contract: for manifests
// `from` and `to`, ApplyManifestDelta(DiffManifests(from, to), from') turns a copy `from'` of
// `from` into a manifest equal to `to` whenever `to` keeps the orders the committer keeps —
// tables sorted by name, a table's partitions sorted by spec, ledger entries and retired files
// in commit order with new ones appended.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "writers/odps/manifest.h"

namespace otsync::odps {

struct PartitionRef {
  std::string table;
  std::string spec;
  bool operator==(const PartitionRef&) const = default;
};

struct PartitionPut {
  std::string table;
  PartitionEntry partition;
  bool operator==(const PartitionPut&) const = default;
};

struct ManifestDelta {
  int64_t version = 0;       // The version this delta makes.
  int64_t base_version = 0;  // The version it applies to: version - 1.
  int64_t committed_at_micros = 0;
  // Applied in this order.
  std::vector<std::string> tables_removed;
  std::vector<TableEntry> tables_put;  // Schema and creation time only; `partitions` is empty.
  std::vector<PartitionRef> partitions_removed;
  std::vector<PartitionPut> partitions_put;  // Added, or replacing the partition of that spec.
  std::vector<WindowEntry> windows_removed;  // Only the identity (table, partition, key) is used.
  std::vector<WindowEntry> windows_added;    // Appended to the ledger in this order.
  std::vector<std::string> retired_files_removed;  // Paths.
  std::vector<RetiredFile> retired_files_added;    // Appended in this order.
  bool operator==(const ManifestDelta&) const = default;
};

// The delta from `from` to `to`, based on from.version.
ManifestDelta DiffManifests(const WarehouseManifest& from, const WarehouseManifest& to);

// Applies `delta` to `manifest`. kCorruption when `manifest` is not the delta's base version or an
// entry the delta removes is not there; `manifest` may then be partly changed.
Status ApplyManifestDelta(const ManifestDelta& delta, WarehouseManifest* manifest);

// The delta as its file holds it: a first line "otsync-warehouse-delta 1 <crc32 hex>" with the
// CRC-32 of the JSON body that follows. kInvalidArgument when a string is not UTF-8.
Result<std::string> EncodeManifestDelta(const ManifestDelta& delta);
// kCorruption naming `origin` when the header, the checksum or the body is wrong.
Result<ManifestDelta> DecodeManifestDelta(std::string_view text, std::string_view origin);

}  // namespace otsync::odps
