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
// that a commit's cost does not grow with the warehouse's history — unless the kDeltasPerComplete-
// Manifest versions before it are all deltas, in which case it writes the state whole: a chain
// is never longer than that. A damaged file damages every version whose chain holds it.
// Readers take no lock: they read whichever manifest is the highest when they look, and the
// files it names stay until no recent reader can need them (kRetiredFileGraceMicros).
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

namespace otsync::odps {

// How long a file replaced by a commit stays on disk for readers of older manifests.
inline constexpr int64_t kRetiredFileGraceMicros = 3600LL * 1000 * 1000;
// How many published versions are kept (the history `otsync warehouse recover` can go back to),
// with the complete manifest the oldest of them is read from.
inline constexpr int kKeptManifests = 100;
// The most deltas in a row: every chain starts at most this many versions back.
inline constexpr int kDeltasPerCompleteManifest = 63;

// A file of <warehouse>/_manifests that publishes a version.
struct PublishedManifestFile {
  int64_t version = 0;
  bool complete = false;  // <version>.manifest; otherwise <version>.delta.
};

// Holds the commit lock while alive.
class CommitLock {
 public:
  CommitLock(CommitLock&& other) noexcept;
  CommitLock& operator=(CommitLock&&) = delete;
  ~CommitLock();

 private:
  friend class ManifestLog;
  CommitLock(int fd, std::string holder_path);
  int fd_;
  std::string holder_path_;
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
  // The current state; version 0 (no tables) before the first commit.
  Result<WarehouseManifest> Latest() const;
  Result<WarehouseManifest> Read(int64_t version) const;

  // Waits up to `timeout_micros` for the commit lock. On timeout: kUnavailable naming the holder
  // (its process and what it commits). `holder` says what this process commits.
  Result<CommitLock> LockForCommit(std::string_view holder, int64_t timeout_micros) const;

  // REQUIRED: `lock` is held and `manifest.version` is the latest version + 1.
  // Publishes `manifest` durably as the new current state, as a complete manifest.
  Status Publish(const CommitLock& lock, const WarehouseManifest& manifest) const;
  // As Publish, for a `manifest` made from `previous`, the latest state: written as the delta
  // between them when the chain allows one and the delta, as decoded from its file, rebuilds
  // `manifest` exactly; complete otherwise.
  Status PublishChange(const CommitLock& lock, WarehouseManifest previous,
                       const WarehouseManifest& manifest) const;

  // REQUIRED: `lock` is held. Deletes the files of `retired` whose grace has passed at
  // `now_micros` and returns the entries that remain, for the manifest being built (a file that
  // cannot be deleted stays listed).
  std::vector<RetiredFile> DeleteExpiredFiles(const CommitLock& lock,
                                              const std::vector<RetiredFile>& retired,
                                              int64_t now_micros) const;
  // REQUIRED: `lock` is held. Deletes the files of versions older than the kKeptManifests newest
  // (keeping the chain of the oldest kept one) and the temporary files of committers that died
  // before publishing. Best effort.
  void PruneManifests(const CommitLock& lock) const;

  // Rolls the warehouse back to `version` by publishing its content as a new version (history
  // stays). REQUIRED: `lock` is held.
  Result<int64_t> PublishCopyOf(const CommitLock& lock, int64_t version, int64_t now_micros) const;

 private:
  struct DecodedManifestCache;

  explicit ManifestLog(std::string root);
  std::string PathOf(const PublishedManifestFile& file) const;
  // Version `version` read through its chain in `files` (a listing of Published()); kNotFound
  // when it is not listed, kCorruption when a file of its chain is missing or damaged.
  Result<WarehouseManifest> ReadFrom(const std::vector<PublishedManifestFile>& files,
                                     int64_t version) const;
  Status WritePublished(const CommitLock& lock, const PublishedManifestFile& file,
                        std::string_view encoded) const;

  std::string root_;
  // A process reads the same state several times (describe the table, find the window, load,
  // commit), and decoding a manifest of thousands of partitions and windows takes milliseconds:
  // the last state read is kept, and a later version is read as the deltas after it. Never null.
  std::shared_ptr<DecodedManifestCache> cache_;
};

}  // namespace otsync::odps
