// WarehouseCommitter: every change of the warehouse's state goes through Apply — one short
// critical section under the commit lock that states the change as a delta of the current
// manifest and publishes it (manifest_log.h). A load's commit is one such change:
//
//   lock  ->  the current manifest (cached, not copied)  ->  check (table unchanged; without
//   truncate, the window is not yet in the ledger)  ->  move the load's staged Parquet files into
//   data/<table>/ and sync that folder  ->  the delta: the partition with the files added (with
//   truncate: in place of its files, which become retired), the window added to the ledger (with
//   truncate: in place of the partition's entries)  ->  publish  ->  unlock  ->  (every
//   kDeltasPerCompleteManifest-th version) its complete manifest.
//
// The work under the lock is in proportion to the change (the partition committed to, the
// window), not to the warehouse's state, apart from two scans of plain values (the ledger, for
// the window's key, and the retired files).
//
// A process killed at any step leaves the previous state whole: files moved but not yet named
// by a published manifest are never read. The next committer finds the dead holder's sign
// (CommitLock) and deletes every file of data/ that no manifest names and no running load owns;
// a commit that fails (a failing disk, a change refused) leaves the same sign.
//
// Kill points (base/kill_point.h), in protocol order:
//   warehouse.commit.after_lock, warehouse.commit.after_files_moved,
//   warehouse.commit.after_manifest_written, warehouse.commit.after_manifest_linked,
//   warehouse.commit.after_publish, warehouse.complete_manifest.after_written
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sync/writer.h"
#include "writers/odps/manifest.h"
#include "writers/odps/manifest_delta.h"
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

  // A change: given the current manifest, fills in the delta to it (whose version, base version
  // and commit time are already set) or returns an error. The delta must apply to the manifest
  // (ApplyManifestDelta): a partition put is the whole partition as it will be.
  using Change = std::function<Status(const WarehouseManifest& current, ManifestDelta& delta)>;

  // Runs `change` under the commit lock and publishes the delta when `change` returns OK;
  // nothing is published otherwise. `holder` says what is committed, for the messages of
  // writers that wait. When the new version's complete manifest is owed (manifest_log.h), it is
  // written after the lock is let go. `stats`, when given, receives the lock's wait and hold
  // times and the time of that write.
  Status Apply(std::string_view holder, const Change& change, CommitStats* stats = nullptr);

  // The commit of a load, as the header describes. kAlreadyExists when, without truncate, the
  // window is already in the ledger for that partition (committed by another job meanwhile);
  // the staged files are then left for the caller to discard.
  Status CommitLoad(const LoadCommit& load, CommitStats* stats = nullptr);

 private:
  // Apply's part under the commit lock, up to the publication of the delta.
  Result<PublishedCommit> ApplyUnderLock(std::string_view holder, const Change& change,
                                         CommitStats* stats);

  ManifestLog log_;
};

// Microseconds since the epoch, the time stamps of manifests.
int64_t NowMicros();

}  // namespace otsync::odps
