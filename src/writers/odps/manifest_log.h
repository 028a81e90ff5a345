// ManifestLog: the warehouse folder and the sequence of manifests that are its states.
//
//   <warehouse>/_manifests/<version, 20 digits>.manifest   a published state, complete
//   <warehouse>/_manifests/<version, 20 digits>.delta      a published state as the change from
//                                                          the version before it (manifest_delta.h)
//   <warehouse>/_commit.lock     flock(2)ed by the one committer at a time
//   <warehouse>/_commit.holder   who holds that lock and what it commits (for waiting writers)
//   <warehouse>/_staging/<id>/   a load's Parquet parts before its commit (parquet_load.h)
//   <warehouse>/data/<table>/    committed Parquet files, never changed after their commit
//
// The current state is the one with the highest version. A commit takes the lock, reads the
// current state, writes version + 1 to a temporary file, syncs it, and links it into place under
// its final name (which fails if the name exists), then syncs the folder: a crash at any point
// leaves either the old state or the new one, whole — nothing is rewritten in place.
//
// Version N is read from the complete manifest at or before it and the delta of every version
// after that up to N (its chain). A commit writes a delta — a few hundred bytes for a window, so
// that a commit's cost does not grow with the warehouse's history. Once a version's chain holds
// kDeltasPerCompleteManifest deltas, its complete manifest is owed: the committer writes it as
// <version>.manifest beside the delta after letting go of the lock (WriteCompleteManifest), so
// that the one write of the state's size never holds other committers up. Should it not be
// written (its writer killed), the commit that makes the chain kDeltasPerCompleteManifest longer
// owes it again; a commit whose chain would exceed kMostDeltasInAChain writes its version
// complete under the lock (and as its delta too). A
// process holding an earlier state catches up through deltas alone — with many jobs
// committing, a process's state is often more than a chain behind by the time it commits, and
// decoding a whole state under the commit lock would make the commit's cost grow with the
// warehouse again. A damaged file damages every version whose chain holds it, unless the
// version can be reached through other files (a complete manifest and a delta of one version).
// Readers take no lock: they read whichever manifest is the highest when they look, and the
// files it names stay until no recent reader can need them (kRetiredFileGraceMicros).
//
// A commit's work under the lock is in proportion to its change, not to the warehouse's state:
// one listing of _manifests (bounded by kKeptManifests + the longest chain), the delta applied in
// place to the cached state, one delta file written.
//
// Thread safety: a ManifestLog is immutable after Open apart from its cache of the last manifest
// it decoded (guarded by a mutex, shared by copies); its methods may be called from any thread. The
// commit lock is an flock on an open file description, so it also serialises threads of one
// process, and the kernel releases it when its holder dies (no stale locks after kill -9).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "writers/odps/manifest.h"
#include "writers/odps/manifest_delta.h"

namespace otsync::odps {

// How long a file replaced by a commit stays on disk for readers of older manifests.
inline constexpr int64_t kRetiredFileGraceMicros = 3600LL * 1000 * 1000;
// How many published versions are kept (the history `otsync warehouse recover` can go back to),
// with the complete manifest the oldest of them is read from.
inline constexpr int kKeptManifests = 100;
// A version whose chain holds a multiple of this many deltas is owed its complete manifest
// (written after the commit lock is let go).
inline constexpr int kDeltasPerCompleteManifest = 64;
// The longest chain a commit publishes a delta on; past it the version is written complete under
// the lock (only when complete manifests owed were not written, their writers killed).
inline constexpr int kMostDeltasInAChain = 4 * kDeltasPerCompleteManifest;

// A file of <warehouse>/_manifests that publishes a version.
struct PublishedManifestFile {
  int64_t version = 0;
  bool complete = false;  // <version>.manifest; otherwise <version>.delta.
  // A complete version whose <version>.delta is there too.
  bool delta_too = false;
  // A reader holding the version before this one can reach this one through a delta.
  bool has_delta() const { return !complete || delta_too; }
};

// Holds the commit lock while alive.
//
// Every holder writes <warehouse>/_commit.holder after taking the lock and deletes it before
// letting go, so a holder file found by the next holder means the one before died holding the
// lock, or failed (KeepHolderSign): it may have left files moved into data/ but never published.
// The new holder cleans them up (WarehouseCommitter) and says so with MarkCleanedUp; a holder
// that does not leaves the holder file in place, so that the next one still knows.
class CommitLock {
 public:
  CommitLock(CommitLock&& other) noexcept;
  CommitLock& operator=(CommitLock&&) = delete;
  ~CommitLock();

  bool previous_holder_died() const { return previous_holder_died_; }
  void MarkCleanedUp() { cleaned_up_ = true; }
  // Leaves the holder file behind when the lock is let go, as a death does: for a commit that
  // failed after it may have moved files into data/.
  void KeepHolderSign() { keep_sign_ = true; }

 private:
  friend class ManifestLog;
  CommitLock(int fd, std::string holder_path, bool previous_holder_died);
  int fd_;
  std::string holder_path_;
  bool previous_holder_died_;
  bool cleaned_up_ = false;
  bool keep_sign_ = false;
};

// What a commit starts from: the current state, shared with the log's cache (never copied), and
// the listing of <warehouse>/_manifests it was read from.
struct CommitBase {
  std::vector<PublishedManifestFile> published;
  // Names in _manifests that publish nothing: temporary files of a committer that died.
  std::vector<std::string> unpublished_names;
  std::shared_ptr<const WarehouseManifest> state;
};

// What PublishDelta published.
struct PublishedCommit {
  int64_t version = 0;
  // Set when the version's complete manifest is owed: the committer passes it to
  // WriteCompleteManifest once it has let go of the lock. Holding it keeps it unchanged (the
  // log changes its cached state in place only when nothing else holds it).
  std::shared_ptr<const WarehouseManifest> complete_manifest_owed;
};

class ManifestLog {
 public:
  // Opens the warehouse folder `root`. With `create`, makes the folder and its subfolders when
  // missing; without, kNotFound when `root` has no _manifests folder.
  static Result<ManifestLog> Open(const std::string& root, bool create);

  const std::string& root() const { return root_; }
  std::string DataFolder(std::string_view table) const;
  std::string StagingFolder() const;

  // Published versions, ascending.
  Result<std::vector<int64_t>> Versions() const;
  // Their files, ascending by version.
  Result<std::vector<PublishedManifestFile>> Published() const;
  // The current state; version 0 (no tables) before the first commit. Snapshot shares the
  // decoded state with the log's cache; Latest copies it.
  Result<std::shared_ptr<const WarehouseManifest>> Snapshot() const;
  Result<WarehouseManifest> Latest() const;
  Result<WarehouseManifest> Read(int64_t version) const;

  // Waits up to `timeout_micros` for the commit lock. On timeout: kUnavailable naming the holder
  // (its process and what it commits). `holder` says what this process commits.
  Result<CommitLock> LockForCommit(std::string_view holder, int64_t timeout_micros) const;

  // REQUIRED: `lock` is held. The current state and the listing it comes from. While the lock is
  // held nothing else publishes, so the state stays current.
  Result<CommitBase> BeginCommit(const CommitLock& lock) const;

  // REQUIRED: `lock` is held, `base` came from BeginCommit under it, and `delta` is based on
  // base.state (delta.version = its version + 1). Applies `delta` to the state and publishes the
  // result durably as the new current state: as the delta itself when the delta decoded from its
  // encoding is `delta` exactly and the chain is not longer than kMostDeltasInAChain, complete
  // otherwise. The work done is in proportion to the delta, not to the state — the state is
  // changed in place when nothing else holds it. kInternal, with nothing published, when `delta`
  // does not apply to the state (it removes what is not there). Then prunes old versions
  // (kKeptManifests) and the files of `base.unpublished_names` that no living writer holds.
  Result<PublishedCommit> PublishDelta(const CommitLock& lock, CommitBase base,
                                       const ManifestDelta& delta) const;

  // Needs no lock. Writes the complete manifest of `state`, a published version, beside its
  // delta, so that chains start there: synced under a temporary name that this process holds
  // (flock) while writing — a committer's sweep of dead writers' files leaves it alone — then
  // linked into place and the folder synced. OK, writing nothing, when the file is already there
  // (another process wrote it) or the version is no longer listed (pruned meanwhile).
  Status WriteCompleteManifest(const WarehouseManifest& state) const;

  // REQUIRED: `lock` is held and `manifest.version` is the latest version + 1.
  // Publishes `manifest` durably as the new current state, as a complete manifest.
  Status Publish(const CommitLock& lock, const WarehouseManifest& manifest) const;

  // REQUIRED: `lock` is held. Deletes the files of `retired` whose grace has passed at
  // `now_micros` and returns their paths, for the delta being built (a file that cannot be
  // deleted is not returned: it stays listed).
  std::vector<std::string> DeleteExpiredFiles(const CommitLock& lock,
                                              const std::vector<RetiredFile>& retired,
                                              int64_t now_micros) const;

  // Rolls the warehouse back to `version` by publishing its content as a new version (history
  // stays). REQUIRED: `lock` is held.
  Result<int64_t> PublishCopyOf(const CommitLock& lock, int64_t version, int64_t now_micros) const;

 private:
  struct DecodedManifestCache;
  struct FolderListing {
    std::vector<PublishedManifestFile> published;  // Ascending by version.
    std::vector<std::string> unpublished_names;
  };

  explicit ManifestLog(std::string root);
  std::string PathOf(const PublishedManifestFile& file) const;
  Result<FolderListing> ListFolder() const;
  // Version `version` read through its chain in `files` (a listing of Published()); kNotFound
  // when it is not listed, kCorruption when a file of its chain is missing or damaged.
  Result<std::shared_ptr<const WarehouseManifest>> ReadFrom(
      const std::vector<PublishedManifestFile>& files, int64_t version) const;
  // `state` for changing: the cache's own object, taken out of the cache, when `state` and the
  // cache are its only holders; a copy otherwise. Consumes `state`.
  std::shared_ptr<WarehouseManifest> TakeForChange(
      std::shared_ptr<const WarehouseManifest> state) const;
  Status WritePublished(const CommitLock& lock, const PublishedManifestFile& file,
                        std::string_view encoded) const;
  // Deletes the files of versions older than the kKeptManifests newest of `published` (keeping
  // the chain of the oldest kept one) and those of `unpublished_names` that no living writer
  // holds. Best effort.
  void Prune(const CommitLock& lock, const std::vector<PublishedManifestFile>& published,
             const std::vector<std::string>& unpublished_names) const;

  std::string root_;
  // A process reads the same state several times (describe the table, find the window, load,
  // commit), and decoding a manifest of thousands of partitions and windows takes milliseconds:
  // the last state read is kept, and a later version is read as the deltas after it. Never null.
  std::shared_ptr<DecodedManifestCache> cache_;
};

}  // namespace otsync::odps
