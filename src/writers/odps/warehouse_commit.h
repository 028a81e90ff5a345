// WarehouseCommitter: every change of the warehouse's state goes through Apply — one short
// critical section under the commit lock that turns the current manifest into the next one and
// publishes it (manifest_log.h). A load's commit is one such change:
//
//   lock  ->  read the current manifest  ->  check (table unchanged; without truncate, the window
//   is not yet in the ledger)  ->  move the load's staged Parquet files into data/<table>/ and
//   sync that folder  ->  the next manifest: the files added to the partition (with truncate: in
//   place of its files, which become retired), the partition added if new, the window in the
//   ledger (with truncate: in place of the partition's entries)  ->  publish  ->  unlock.
//
// A process killed at any step leaves the previous state whole: files moved but not yet named
// by a published manifest are never read, and a later commit of the same table deletes them
// (they carry a load id whose staging folder is no longer locked).
//
// Kill points (base/kill_point.h), in protocol order:
//   warehouse.commit.after_lock, warehouse.commit.after_files_moved,
//   warehouse.commit.after_manifest_written, warehouse.commit.after_manifest_linked,
//   warehouse.commit.after_publish
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sync/writer.h"
#include "writers/odps/manifest.h"
#include "writers/odps/manifest_log.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/warehouse.h"

namespace otsync::odps {

// How long a writer waits for another process's commit before it gives up naming that process.
inline constexpr int64_t kCommitLockTimeoutMicros = 60LL * 1000 * 1000;

// A Parquet file a load staged, not yet part of any state.
struct StagedFile {
  std::string path;  // Absolute, under the load's staging folder.
  int64_t rows = 0;
  int64_t bytes = 0;
};

struct LoadCommit {
  std::string load_id;  // Unique; names the committed files.
  TableSchema schema;   // As the load saw it: the commit fails if the table changed since.
  std::string partition;
  bool truncate = false;
  std::vector<StagedFile> files;
  sync::CommittedWindow window;
};

class WarehouseCommitter {
 public:
  explicit WarehouseCommitter(ManifestLog log) : log_(std::move(log)) {}

  const ManifestLog& log() const { return log_; }

  // Runs `change` on a copy of the current manifest (version + 1, committed now) under the
  // commit lock and publishes the result when `change` returns OK; nothing is published
  // otherwise. `holder` says what is committed, for the messages of writers that wait.
  // `stats`, when given, receives the lock's wait and hold times.
  Status Apply(std::string_view holder, const std::function<Status(WarehouseManifest&)>& change,
               CommitStats* stats = nullptr);

  // The commit of a load, as the header describes. kAlreadyExists when, without truncate, the
  // window is already in the ledger for that partition (committed by another job meanwhile);
  // the staged files are then left for the caller to discard.
  Status CommitLoad(const LoadCommit& load, CommitStats* stats = nullptr);

 private:
  ManifestLog log_;
};

// Microseconds since the epoch, the time stamps of manifests.
int64_t NowMicros();

}  // namespace otsync::odps
