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

}  // namespace

struct ManifestLog::DecodedManifestCache {
  std::mutex mutex;
  FileIdentity identity;                              // Guarded by `mutex`.
  std::shared_ptr<const WarehouseManifest> manifest;  // Guarded by `mutex`; null when empty.
};

ManifestLog::ManifestLog(std::string root)
    : root_(std::move(root)), cache_(std::make_shared<DecodedManifestCache>()) {}

CommitLock::CommitLock(int fd, std::string holder_path)
    : fd_(fd), holder_path_(std::move(holder_path)) {}

CommitLock::CommitLock(CommitLock&& other) noexcept
    : fd_(other.fd_), holder_path_(std::move(other.holder_path_)) {
  other.fd_ = -1;
}

CommitLock::~CommitLock() {
  if (fd_ < 0) return;
  ::unlink(holder_path_.c_str());
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

Result<std::vector<PublishedManifestFile>> ManifestLog::Published() const {
  std::vector<PublishedManifestFile> files;
  std::error_code error;
  const std::string folder = root_ + "/" + std::string(kManifestFolder);
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    PublishedManifestFile file = PublishedFileOf(it->path().filename().string());
    if (file.version >= 0) files.push_back(file);
  }
  if (error) return Status::IOError("could not list " + folder + ": " + error.message());
  // A version is published once, under one name; should both names exist, the complete one is
  // the state (it can only come from a copy of the folder by hand).
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return a.version != b.version ? a.version < b.version : a.complete > b.complete;
  });
  files.erase(std::unique(files.begin(), files.end(),
                          [](const auto& a, const auto& b) { return a.version == b.version; }),
              files.end());
  return files;
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
  return ReadFrom(files, version);
}

Result<WarehouseManifest> ManifestLog::ReadFrom(const std::vector<PublishedManifestFile>& files,
                                                int64_t version) const {
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

  WarehouseManifest manifest;
  bool from_cache = false;
  {
    std::lock_guard<std::mutex> guard(cache_->mutex);
    const FileIdentity& cached = cache_->identity;
    if (cache_->manifest != nullptr && cached.version >= base->version &&
        cached.version <= version) {
      if (cached == top_identity) return *cache_->manifest;
      if (cached.version < version) {
        // Extends the cached state by the deltas after it, when its file is still the one it
        // was read from.
        const PublishedManifestFile cached_file = *(base + (cached.version - base->version));
        Result<FileIdentity> current = IdentityOf(PathOf(cached_file), cached.version);
        if (current.ok() && *current == cached) {
          manifest = *cache_->manifest;
          base += cached.version - base->version;
          from_cache = true;
        }
      }
    }
  }
  if (!from_cache) {
    const std::string path = PathOf(*base);
    OTSYNC_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    OTSYNC_ASSIGN_OR_RETURN(manifest, DecodeManifest(text, path));
    if (manifest.version != base->version) {
      return Status::Corruption("the warehouse manifest " + path + " says it is version " +
                                std::to_string(manifest.version));
    }
  }
  for (auto file = base + 1; file <= top; ++file) {
    const std::string path = PathOf(*file);
    OTSYNC_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    OTSYNC_ASSIGN_OR_RETURN(ManifestDelta delta, DecodeManifestDelta(text, path));
    if (delta.version != file->version) {
      return Status::Corruption("the warehouse manifest delta " + path + " says it is version " +
                                std::to_string(delta.version));
    }
    OTSYNC_RETURN_IF_ERROR(ApplyManifestDelta(delta, &manifest));
  }
  // Kept under the identity taken before reading, without a second stat: should the file have
  // been replaced in between, that identity names a file gone from the folder, which no later
  // Read sees again (the replacement has an identity of its own).
  auto decoded = std::make_shared<const WarehouseManifest>(manifest);
  std::lock_guard<std::mutex> guard(cache_->mutex);
  cache_->identity = top_identity;
  cache_->manifest = std::move(decoded);
  return manifest;
}

Result<WarehouseManifest> ManifestLog::Latest() const {
  // A committer may delete an old manifest between the listing and the read (it keeps the
  // newest kKeptManifests, so only a reader that far behind can see that): list again.
  for (int attempt = 0;; ++attempt) {
    OTSYNC_ASSIGN_OR_RETURN(std::vector<PublishedManifestFile> files, Published());
    if (files.empty()) return WarehouseManifest{};
    Result<WarehouseManifest> manifest = ReadFrom(files, files.back().version);
    if (manifest.ok() || manifest.status().code() != StatusCode::kNotFound || attempt == 3) {
      if (!manifest.ok() && manifest.status().code() == StatusCode::kCorruption) {
        return manifest.status().WithContext(
            "run `otsync warehouse check` to see the damage and `otsync warehouse recover` to go "
            "back to the last good state");
      }
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
  // Only for the message of a waiting writer: not synced, not part of any state.
  std::string description =
      "process " + std::to_string(::getpid()) + " (" + std::string(holder) + ")";
  (void)WriteFileAtomically(holder_path + ".tmp", description);
  ::rename((holder_path + ".tmp").c_str(), holder_path.c_str());
  return CommitLock(fd, holder_path);
}

Status ManifestLog::Publish(const CommitLock& lock, const WarehouseManifest& manifest) const {
  OTSYNC_ASSIGN_OR_RETURN(std::string encoded, EncodeManifest(manifest));
  return WritePublished(lock, {manifest.version, true}, encoded);
}

Status ManifestLog::PublishChange(const CommitLock& lock, WarehouseManifest previous,
                                  const WarehouseManifest& manifest) const {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<PublishedManifestFile> files, Published());
  int deltas_on_top = 0;
  for (auto file = files.rbegin(); file != files.rend() && !file->complete; ++file) {
    ++deltas_on_top;
  }
  const bool chain_allows_delta = !files.empty() && files.back().version == previous.version &&
                                  manifest.version == previous.version + 1 &&
                                  deltas_on_top < kDeltasPerCompleteManifest;
  if (chain_allows_delta) {
    // The delta is kept only when what a reader decodes from its file rebuilds `manifest`
    // exactly; otherwise the state is written whole.
    const ManifestDelta delta = DiffManifests(previous, manifest);
    OTSYNC_ASSIGN_OR_RETURN(std::string encoded, EncodeManifestDelta(delta));
    Result<ManifestDelta> decoded = DecodeManifestDelta(encoded, "being published");
    if (decoded.ok() && ApplyManifestDelta(*decoded, &previous).ok() && previous == manifest) {
      return WritePublished(lock, {manifest.version, false}, encoded);
    }
  }
  return Publish(lock, manifest);
}

Status ManifestLog::WritePublished(const CommitLock& lock, const PublishedManifestFile& file,
                                   std::string_view encoded) const {
  (void)lock;
  const std::string final_path = PathOf(file);
  const std::string temp_path = final_path + ".tmp";
  // WriteFileAtomically renames over the temporary name of this version only; the link below
  // puts the file under its final name and fails if that name exists.
  OTSYNC_RETURN_IF_ERROR(WriteFileAtomically(temp_path, encoded));
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

std::vector<RetiredFile> ManifestLog::DeleteExpiredFiles(const CommitLock& lock,
                                                         const std::vector<RetiredFile>& retired,
                                                         int64_t now_micros) const {
  (void)lock;
  std::vector<RetiredFile> kept;
  for (const RetiredFile& file : retired) {
    if (file.retired_at_micros + kRetiredFileGraceMicros > now_micros) {
      kept.push_back(file);
    } else if (::unlink((root_ + "/" + file.path).c_str()) != 0 && errno != ENOENT) {
      kept.push_back(file);
    }
  }
  return kept;
}

void ManifestLog::PruneManifests(const CommitLock& lock) const {
  (void)lock;
  Result<std::vector<PublishedManifestFile>> files = Published();
  if (files.ok() && files->size() > static_cast<size_t>(kKeptManifests)) {
    // The oldest kept version needs the complete manifest its chain starts from.
    size_t first_kept = files->size() - kKeptManifests;
    while (first_kept > 0 && !(*files)[first_kept].complete) --first_kept;
    for (size_t i = 0; i < first_kept; ++i) ::unlink(PathOf((*files)[i]).c_str());
  }
  std::error_code error;
  const std::string folder = root_ + "/" + std::string(kManifestFolder);
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (PublishedFileOf(it->path().filename().string()).version < 0) fs::remove(it->path(), error);
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
