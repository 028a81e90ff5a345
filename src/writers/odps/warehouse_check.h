// `otsync warehouse check` and `otsync warehouse recover`: verifying a warehouse and going back
// to its last good state.
//
// A state (manifest) is good when its manifest decodes with a matching checksum, every file it
// names exists with its recorded size and reads as Parquet with its recorded row count, and its
// window ledger agrees with its rows: per partition, the rows of the files add up to the rows of
// the partition's ledger entries, and no window appears twice.
//
// Commits cannot damage a state (manifest_log.h); what can is the disk or a person (a deleted or
// edited file). Recovery publishes the newest good state as a new version — nothing is deleted,
// so it can be repeated or undone — and lists the windows committed after it: the status table
// already has their end checkpoints, so running those windows again (while the stream retains
// them) exports them anew.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "writers/odps/manifest.h"
#include "writers/odps/manifest_log.h"

namespace otsync::odps {

struct WarehouseCheckReport {
  int64_t version = 0;
  int64_t tables = 0;
  int64_t partitions = 0;
  int64_t files = 0;
  int64_t rows = 0;
  int64_t windows = 0;
  std::vector<std::string> problems;  // The state is damaged; each names what and where.
  std::vector<std::string> notes;     // Harmless leftovers, e.g. files of killed loads.
  bool ok() const { return problems.empty(); }
};

// Checks the current state. An error only when the warehouse cannot be listed at all; a damaged
// manifest is a problem in the report.
Result<WarehouseCheckReport> CheckWarehouse(const ManifestLog& log,
                                            const std::string& memory_limit);

// Checks one state.
WarehouseCheckReport CheckManifest(const ManifestLog& log, const WarehouseManifest& manifest,
                                   const std::string& memory_limit);

struct RecoveryReport {
  int64_t damaged_version = 0;    // The current version when recovery began.
  int64_t good_version = 0;       // The newest good one (0: none; the warehouse starts empty).
  int64_t published_version = 0;  // The new version holding the good state; 0 if none needed.
  // Windows of versions after the good one, as far as their manifests can be read: to export
  // again.
  std::vector<WindowEntry> lost_windows;
};

// When the current state is good, changes nothing (published_version 0). Otherwise publishes the
// newest good state as a new version under the commit lock.
Result<RecoveryReport> RecoverWarehouse(const ManifestLog& log, const std::string& memory_limit);

}  // namespace otsync::odps
