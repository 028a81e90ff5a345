#include "writers/odps/manifest_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "base/durable_file.h"
#include "base/kill_point.h"
#include "writers/odps/manifest_delta.h"

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kManifestFolder = "_manifests";
constexpr std::string_view kCompleteSuffix = ".manifest";
constexpr std::string_view kDeltaSuffix = ".delta";
constexpr int kVersionDigits = 20;

Status ErrnoStatus(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

// The published file `name` names ("00000000000000000042.manifest" or "...42.delta"); version -1
// for any other name.
PublishedManifestFile PublishedFileOf(std::string_view name) {
  PublishedManifestFile file;
  file.version = -1;
  if (name.size() == kVersionDigits + kCompleteSuffix.size() && name.ends_with(kCompleteSuffix)) {
    file.complete = true;
  } else if (name.size() != kVersionDigits + kDeltaSuffix.size() || !name.ends_with(kDeltaSuffix)) {
    return file;
  }
  int64_t version = 0;
  for (int i = 0; i < kVersionDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return file;
    version = version * 10 + (name[i] - '0');
  }
  file.version = version;
  return file;
}

Status CreateFolder(const std::string& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return Status::IOError("could not create " + path + ": " + error.message());
  return Status::OK();
}

// A damaged state says how to see the damage and go back past it; other errors are unchanged.
Status WithRecoveryHint(const Status& status) {
  if (status.code() != StatusCode::kCorruption) return status;
  return status.WithContext(
      "run `otsync warehouse check` to see the damage and `otsync warehouse recover` to go back "
      "to the last good state");
}

// What identifies the content of a published manifest: published files are never changed, only
// deleted, and a version number is published once — the inode, size and modification time guard
// against a file of the same name made again after a deletion.
struct FileIdentity {
  int64_t version = -1;
  ino_t inode = 0;
  off_t size = 0;
  int64_t modified_nanos = 0;
  bool operator==(const FileIdentity&) const = default;
};

// kNotFound when `path` does not exist.
Result<FileIdentity> IdentityOf(const std::string& path, int64_t version) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status::NotFound("could not open " + path + ": no such file");
    return ErrnoStatus("could not stat " + path);
  }
  return FileIdentity{
      version, info.st_ino, info.st_size,
      static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};
}

// True when a living process holds `path` with flock(2) (WriteCompleteManifest's temporary
// file); the kernel lets go of the flock of a process that died.
bool HeldByALivingWriter(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

}  // namespace

// Every holder of `manifest` outside the cache got its pointer under `mutex` and sees it as
// const, so under `mutex` a use count of 1 means no one else can see the object: it may be
// changed in place (TakeForChange).
struct ManifestLog::DecodedManifestCache {
  std::mutex mutex;
  FileIdentity identity;                        // Guarded by `mutex`.
  std::shared_ptr<WarehouseManifest> manifest;  // Guarded by `mutex`; null when empty.
};

ManifestLog::ManifestLog(std::string root)
    : root_(std::move(root)), cache_(std::make_shared<DecodedManifestCache>()) {}

CommitLock::CommitLock(int fd, std::string holder_path, bool previous_holder_died)
    : fd_(fd), holder_path_(std::move(holder_path)), previous_holder_died_(previous_holder_died) {}

CommitLock::CommitLock(CommitLock&& other) noexcept
    : fd_(other.fd_),
      holder_path_(std::move(other.holder_path_)),
      previous_holder_died_(other.previous_holder_died_),
      cleaned_up_(other.cleaned_up_),
      keep_sign_(other.keep_sign_) {
  other.fd_ = -1;
}

CommitLock::~CommitLock() {
  if (fd_ < 0) return;
  // Unlinked before the lock is let go: a holder file seen by the next holder means a death.
  const bool cleanup_owed = keep_sign_ || (previous_holder_died_ && !cleaned_up_);
  if (!cleanup_owed) ::unlink(holder_path_.c_str());
  ::close(fd_);  // Releases the flock.
}

Result<ManifestLog> ManifestLog::Open(const std::string& root, bool create) {
  ManifestLog log(root);
  const std::string manifests = root + "/" + std::string(kManifestFolder);
  std::error_code error;
  if (fs::is_regular_file(root, error)) {
    return Status::InvalidArgument(
        "the warehouse " + root +
        " is a file: a single-file warehouse of an earlier otsync; this otsync keeps a warehouse "
        "in a folder (Parquet files and manifests) — point the odps data source at a folder");
  }
  if (!fs::is_directory(manifests, error)) {
    if (!create) {
      return Status::NotFound("the warehouse " + root + " does not exist (no " + manifests + ")");
    }
    OTSYNC_RETURN_IF_ERROR(CreateFolder(manifests));
    OTSYNC_RETURN_IF_ERROR(CreateFolder(root + "/data"));
    OTSYNC_RETURN_IF_ERROR(CreateFolder(log.StagingFolder()));
    OTSYNC_RETURN_IF_ERROR(SyncPath(root));
  }
  return log;
}

std::string ManifestLog::DataFolder(std::string_view table) const {
  return root_ + "/data/" + std::string(table);
}

std::string ManifestLog::StagingFolder() const { return root_ + "/_staging"; }

std::string ManifestLog::PathOf(const PublishedManifestFile& file) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%020lld", static_cast<long long>(file.version));
  return root_ + "/" + std::string(kManifestFolder) + "/" + name +
         std::string(file.complete ? kCompleteSuffix : kDeltaSuffix);
}

Result<ManifestLog::FolderListing> ManifestLog::ListFolder() const {
  FolderListing listing;
  std::vector<PublishedManifestFile>& files = listing.published;
  std::error_code error;
  const std::string folder = root_ + "/" + std::string(kManifestFolder);
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    std::string name = it->path().filename().string();
    PublishedManifestFile file = PublishedFileOf(name);
    if (file.version >= 0) {
      files.push_back(file);
    } else {
      listing.unpublished_names.push_back(std::move(name));
    }
  }
  if (error) return Status::IOError("could not list " + folder + ": " + error.message());
  // A version is published once, under one name; should both names exist, the complete one is
  // the state (it can only come from a copy of the folder by hand).
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return a.version != b.version ? a.version < b.version : a.complete > b.complete;
  });
  std::vector<PublishedManifestFile> merged;
  merged.reserve(files.size());
  for (const PublishedManifestFile& file : files) {
    if (!merged.empty() && merged.back().version == file.version) {
      merged.back().delta_too = true;  // The complete one sorts first.
    } else {
      merged.push_back(file);
    }
  }
  files = std::move(merged);
  return listing;
}

Result<std::vector<PublishedManifestFile>> ManifestLog::Published() const {
  OTSYNC_ASSIGN_OR_RETURN(FolderListing listing, ListFolder());
  return std::move(listing.published);
}

Result<std::vector<int64_t>> ManifestLog::Versions() const {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<PublishedManifestFile> files, Published());
  std::vector<int64_t> versions;
  versions.reserve(files.size());
  for (const PublishedManifestFile& file : files) versions.push_back(file.version);
  return versions;
}

Result<WarehouseManifest> ManifestLog::Read(int64_t version) const {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<PublishedManifestFile> files, Published());
  OTSYNC_ASSIGN_OR_RETURN(std::shared_ptr<const WarehouseManifest> manifest,
                          ReadFrom(files, version));
  return *manifest;
}

std::shared_ptr<WarehouseManifest> ManifestLog::TakeForChange(
    std::shared_ptr<const WarehouseManifest> state) const {
  {
    std::lock_guard<std::mutex> guard(cache_->mutex);
    if (cache_->manifest != nullptr && cache_->manifest.get() == state.get()) {
      state.reset();
      if (cache_->manifest.use_count() == 1) {
        cache_->identity = FileIdentity{};
        return std::move(cache_->manifest);
      }
      return std::make_shared<WarehouseManifest>(*cache_->manifest);
    }
  }
  return std::make_shared<WarehouseManifest>(*state);
}

Result<std::shared_ptr<const WarehouseManifest>> ManifestLog::ReadFrom(
    const std::vector<PublishedManifestFile>& files, int64_t version) const {
  auto top = std::find_if(files.begin(), files.end(), [&](const PublishedManifestFile& file) {
    return file.version == version;
  });
  if (top == files.end()) {
    return Status::NotFound("could not open " + PathOf({version, true}) + ": no such file");
  }
  // The chain: the complete manifest at or before `version`, then a delta for every version up
  // to it.
  auto base = top;
  while (!base->complete) {
    if (base == files.begin() || std::prev(base)->version != base->version - 1) {
      return Status::Corruption("the warehouse manifest delta " + PathOf(*base) +
                                " has no base: version " + std::to_string(base->version - 1) +
                                " is missing");
    }
    --base;
  }
  OTSYNC_ASSIGN_OR_RETURN(const FileIdentity top_identity, IdentityOf(PathOf(*top), version));

  // Where the deltas to apply start when the cache can catch up: after the cached version.
  auto from = top;
  std::shared_ptr<const WarehouseManifest> cached_state;
  {
    std::lock_guard<std::mutex> guard(cache_->mutex);
    const FileIdentity& cached = cache_->identity;
    const int64_t behind = version - cached.version;
    if (cache_->manifest != nullptr && behind >= 0 && behind <= top - files.begin()) {
      if (cached == top_identity) return std::shared_ptr<const WarehouseManifest>(cache_->manifest);
      // Extends the cached state by the deltas after it — also across complete versions, through
      // their deltas — when its file is still the one it was read from.
      const auto cached_file = top - behind;
      const bool reachable =
          behind > 0 && cached_file->version == cached.version &&
          std::all_of(cached_file + 1, top + 1, [](const auto& file) { return file.has_delta(); });
      if (reachable) {
        Result<FileIdentity> current = IdentityOf(PathOf(*cached_file), cached.version);
        if (current.ok() && *current == cached) {
          cached_state = cache_->manifest;
          from = cached_file;
        }
      }
    }
  }
  auto apply_deltas = [&](auto after, WarehouseManifest* manifest) -> Status {
    for (auto file = after + 1; file <= top; ++file) {
      const std::string path = PathOf({file->version, /*complete=*/false});
      OTSYNC_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
      OTSYNC_ASSIGN_OR_RETURN(ManifestDelta delta, DecodeManifestDelta(text, path));
      if (delta.version != file->version) {
        return Status::Corruption("the warehouse manifest delta " + path + " says it is version " +
                                  std::to_string(delta.version));
      }
      OTSYNC_RETURN_IF_ERROR(ApplyManifestDelta(delta, manifest));
    }
    return Status::OK();
  };
  std::shared_ptr<WarehouseManifest> manifest;
  if (cached_state != nullptr) {
    manifest = TakeForChange(std::move(cached_state));
    // Should the way through the deltas fail (a damaged delta written beside a complete
    // manifest), the chain is read from its start.
    if (!apply_deltas(from, manifest.get()).ok()) manifest = nullptr;
  }
  if (manifest == nullptr) {
    const std::string path = PathOf(*base);
    OTSYNC_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    OTSYNC_ASSIGN_OR_RETURN(WarehouseManifest decoded, DecodeManifest(text, path));
    if (decoded.version != base->version) {
      return Status::Corruption("the warehouse manifest " + path + " says it is version " +
                                std::to_string(decoded.version));
    }
    manifest = std::make_shared<WarehouseManifest>(std::move(decoded));
    OTSYNC_RETURN_IF_ERROR(apply_deltas(base, manifest.get()));
  }
  // Kept under the identity taken before reading, without a second stat: should the file have
  // been replaced in between, that identity names a file gone from the folder, which no later
  // Read sees again (the replacement has an identity of its own).
  std::lock_guard<std::mutex> guard(cache_->mutex);
  cache_->identity = top_identity;
  cache_->manifest = manifest;
  return std::shared_ptr<const WarehouseManifest>(std::move(manifest));
}

Result<WarehouseManifest> ManifestLog::Latest() const {
  OTSYNC_ASSIGN_OR_RETURN(std::shared_ptr<const WarehouseManifest> manifest, Snapshot());
  return *manifest;
}

Result<std::shared_ptr<const WarehouseManifest>> ManifestLog::Snapshot() const {
  // A committer may delete an old manifest between the listing and the read (it keeps the
  // newest kKeptManifests, so only a reader that far behind can see that): list again.
  for (int attempt = 0;; ++attempt) {
    OTSYNC_ASSIGN_OR_RETURN(std::vector<PublishedManifestFile> files, Published());
    if (files.empty()) return std::make_shared<const WarehouseManifest>();
    Result<std::shared_ptr<const WarehouseManifest>> manifest =
        ReadFrom(files, files.back().version);
    if (manifest.ok() || manifest.status().code() != StatusCode::kNotFound || attempt == 3) {
      if (!manifest.ok()) return WithRecoveryHint(manifest.status());
      return manifest;
    }
  }
}

Result<CommitLock> ManifestLog::LockForCommit(std::string_view holder,
                                              int64_t timeout_micros) const {
  const std::string lock_path = root_ + "/_commit.lock";
  const std::string holder_path = root_ + "/_commit.holder";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("could not open " + lock_path);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::microseconds(timeout_micros);
  auto pause = std::chrono::microseconds(200);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      Status status = ErrnoStatus("could not lock " + lock_path);
      ::close(fd);
      return status;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      Result<std::string> other = ReadWholeFile(holder_path);
      return Status::Unavailable(
          "the warehouse " + root_ + " stayed busy for " +
          std::to_string(timeout_micros / 1000000) +
          " s: " + (other.ok() && !other->empty() ? *other : std::string("another process")) +
          " holds its commit lock; a commit takes milliseconds, so that process is probably "
          "stopped (check it with ps) — try again once it has finished");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
  const bool previous_holder_died = ::access(holder_path.c_str(), F_OK) == 0;
  // For the message of a waiting writer and the sign of a death: not synced, not part of any
  // state (after a machine crash the sign may be lost; `otsync warehouse check` still notes
  // the files such a death left).
  std::string description =
      "process " + std::to_string(::getpid()) + " (" + std::string(holder) + ")";
  if (WriteFile(holder_path + ".tmp", description, 0644).ok()) {
    ::rename((holder_path + ".tmp").c_str(), holder_path.c_str());
  }
  return CommitLock(fd, holder_path, previous_holder_died);
}

Result<CommitBase> ManifestLog::BeginCommit(const CommitLock& lock) const {
  (void)lock;
  OTSYNC_ASSIGN_OR_RETURN(FolderListing listing, ListFolder());
  CommitBase base;
  if (listing.published.empty()) {
    base.state = std::make_shared<const WarehouseManifest>();
  } else {
    Result<std::shared_ptr<const WarehouseManifest>> state =
        ReadFrom(listing.published, listing.published.back().version);
    if (!state.ok()) return WithRecoveryHint(state.status());
    base.state = std::move(*state);
  }
  base.published = std::move(listing.published);
  base.unpublished_names = std::move(listing.unpublished_names);
  return base;
}

Status ManifestLog::Publish(const CommitLock& lock, const WarehouseManifest& manifest) const {
  OTSYNC_ASSIGN_OR_RETURN(std::string encoded, EncodeManifest(manifest));
  return WritePublished(lock, {manifest.version, true}, encoded);
}

Result<PublishedCommit> ManifestLog::PublishDelta(const CommitLock& lock, CommitBase base,
                                                  const ManifestDelta& delta) const {
  const std::vector<PublishedManifestFile>& files = base.published;
  const int64_t base_version = base.state->version;
  if (delta.base_version != base_version || delta.version != base_version + 1 ||
      (!files.empty() && files.back().version != base_version)) {
    return Status::Internal("a warehouse commit of version " + std::to_string(delta.version) +
                            " was made from version " + std::to_string(delta.base_version) +
                            ", not from the current version " + std::to_string(base_version) +
                            "; nothing was published");
  }
  // Applied before anything is written: a delta that does not apply is never published. On any
  // error below the state is dropped (the cache no longer holds it), and the next read decodes
  // the published state again.
  std::shared_ptr<WarehouseManifest> next = TakeForChange(std::move(base.state));
  if (Status applied = ApplyManifestDelta(delta, next.get()); !applied.ok()) {
    return Status::Internal("a warehouse commit made a change that does not apply to version " +
                            std::to_string(base_version) + " (" + applied.message() +
                            "); nothing was published");
  }
  int deltas_on_top = 0;
  for (auto file = files.rbegin(); file != files.rend() && !file->complete; ++file) {
    ++deltas_on_top;
  }
  // The delta is written only when a reader decodes from its file exactly the delta applied here.
  OTSYNC_ASSIGN_OR_RETURN(std::string encoded_delta, EncodeManifestDelta(delta));
  Result<ManifestDelta> decoded = DecodeManifestDelta(encoded_delta, "being published");
  const bool delta_is_exact = decoded.ok() && *decoded == delta;
  PublishedManifestFile published{delta.version, true};
  PublishedCommit result{delta.version, nullptr};
  if (!files.empty() && deltas_on_top < kMostDeltasInAChain && delta_is_exact) {
    published.complete = false;
    OTSYNC_RETURN_IF_ERROR(WritePublished(lock, published, encoded_delta));
    // Owed by the commit that makes the chain a multiple of kDeltasPerCompleteManifest long, not
    // by every commit after it: with many jobs committing, dozens commit while one writes the
    // complete manifest, and each writing one of its own would multiply the cost. Should that
    // writer fail, the chain goes on to the next multiple (or to kMostDeltasInAChain).
    if ((deltas_on_top + 1) % kDeltasPerCompleteManifest == 0) {
      result.complete_manifest_owed = next;
    }
  } else {
    OTSYNC_ASSIGN_OR_RETURN(std::string encoded, EncodeManifest(*next));
    OTSYNC_RETURN_IF_ERROR(WritePublished(lock, published, encoded));
    // Best effort, after the version is published: without it, a reader decodes the complete
    // manifest instead.
    if (delta_is_exact && !files.empty()) {
      published.delta_too =
          WritePublished(lock, {delta.version, /*complete=*/false}, encoded_delta).ok();
    }
  }
  OTSYNC_KILL_POINT("warehouse.commit.after_publish");

  if (Result<FileIdentity> identity = IdentityOf(PathOf(published), published.version);
      identity.ok()) {
    std::lock_guard<std::mutex> guard(cache_->mutex);
    cache_->identity = *identity;
    cache_->manifest = std::move(next);
  }
  base.published.push_back(published);
  Prune(lock, base.published, base.unpublished_names);
  return result;
}

Status ManifestLog::WriteCompleteManifest(const WarehouseManifest& state) const {
  const PublishedManifestFile complete{state.version, true};
  const std::string final_path = PathOf(complete);
  const std::string delta_path = PathOf({state.version, false});
  if (::access(final_path.c_str(), F_OK) == 0 || ::access(delta_path.c_str(), F_OK) != 0) {
    return Status::OK();
  }
  OTSYNC_ASSIGN_OR_RETURN(std::string encoded, EncodeManifest(state));
  // A name of this process's own: two processes may owe the same version at once.
  const std::string temp_path = final_path + "." + std::to_string(::getpid()) + ".tmp";
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("could not create " + temp_path);
  // Held until the file is linked or deleted: the sign, for a committer sweeping the leftovers
  // of dead writers, that this one is alive. A committer that opened the file before the flock
  // may still delete it; then the link below fails and the manifest stays owed.
  Status status =
      ::flock(fd, LOCK_EX) == 0 ? Status::OK() : ErrnoStatus("could not lock " + temp_path);
  if (status.ok()) status = WriteFileSynced(temp_path, encoded);
  OTSYNC_KILL_POINT("warehouse.complete_manifest.after_written");
  if (status.ok() && ::link(temp_path.c_str(), final_path.c_str()) != 0 && errno != EEXIST) {
    status = ErrnoStatus("could not link " + temp_path + " to " + final_path);
  }
  ::unlink(temp_path.c_str());
  ::close(fd);
  OTSYNC_RETURN_IF_ERROR(status);
  return SyncPath(root_ + "/" + std::string(kManifestFolder));
}

Status ManifestLog::WritePublished(const CommitLock& lock, const PublishedManifestFile& file,
                                   std::string_view encoded) const {
  (void)lock;
  const std::string final_path = PathOf(file);
  const std::string temp_path = final_path + ".tmp";
  // The file's data is synced under a temporary name; the link puts it under its final name
  // (failing if that name exists), and one sync of the folder makes the name durable. A crash
  // before that sync leaves the version published or not, never a part of it.
  OTSYNC_RETURN_IF_ERROR(WriteFileSynced(temp_path, encoded));
  OTSYNC_KILL_POINT("warehouse.commit.after_manifest_written");
  if (::link(temp_path.c_str(), final_path.c_str()) != 0) {
    Status status = errno == EEXIST ? Status::Internal("warehouse manifest " + final_path +
                                                       " already exists: two committers at once")
                                    : ErrnoStatus("could not publish " + final_path);
    ::unlink(temp_path.c_str());
    return status;
  }
  OTSYNC_KILL_POINT("warehouse.commit.after_manifest_linked");
  ::unlink(temp_path.c_str());
  return SyncPath(root_ + "/" + std::string(kManifestFolder));
}

std::vector<std::string> ManifestLog::DeleteExpiredFiles(const CommitLock& lock,
                                                         const std::vector<RetiredFile>& retired,
                                                         int64_t now_micros) const {
  (void)lock;
  std::vector<std::string> deleted;
  for (const RetiredFile& file : retired) {
    if (file.retired_at_micros + kRetiredFileGraceMicros > now_micros) continue;
    if (::unlink((root_ + "/" + file.path).c_str()) == 0 || errno == ENOENT) {
      deleted.push_back(file.path);
    }
  }
  return deleted;
}

void ManifestLog::Prune(const CommitLock& lock, const std::vector<PublishedManifestFile>& published,
                        const std::vector<std::string>& unpublished_names) const {
  (void)lock;
  if (published.size() > static_cast<size_t>(kKeptManifests)) {
    // The oldest kept version needs the complete manifest its chain starts from.
    size_t first_kept = published.size() - kKeptManifests;
    while (first_kept > 0 && !published[first_kept].complete) --first_kept;
    for (size_t i = 0; i < first_kept; ++i) {
      ::unlink(PathOf(published[i]).c_str());
      if (published[i].delta_too) ::unlink(PathOf({published[i].version, false}).c_str());
    }
  }
  const std::string folder = root_ + "/" + std::string(kManifestFolder) + "/";
  for (const std::string& name : unpublished_names) {
    if (!HeldByALivingWriter(folder + name)) ::unlink((folder + name).c_str());
  }
}

Result<int64_t> ManifestLog::PublishCopyOf(const CommitLock& lock, int64_t version,
                                           int64_t now_micros) const {
  OTSYNC_ASSIGN_OR_RETURN(WarehouseManifest manifest, Read(version));
  OTSYNC_ASSIGN_OR_RETURN(std::vector<int64_t> versions, Versions());
  manifest.version = (versions.empty() ? 0 : versions.back()) + 1;
  manifest.committed_at_micros = now_micros;
  OTSYNC_RETURN_IF_ERROR(Publish(lock, manifest));
  return manifest.version;
}

}  // namespace otsync::odps
