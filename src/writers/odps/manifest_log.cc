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

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kManifestFolder = "_manifests";
constexpr std::string_view kManifestSuffix = ".manifest";
constexpr int kVersionDigits = 20;

Status ErrnoStatus(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

// "00000000000000000042.manifest" -> 42; -1 for any other name.
int64_t VersionOf(std::string_view name) {
  if (name.size() != kVersionDigits + kManifestSuffix.size() || !name.ends_with(kManifestSuffix)) {
    return -1;
  }
  int64_t version = 0;
  for (int i = 0; i < kVersionDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    version = version * 10 + (name[i] - '0');
  }
  return version;
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

std::string ManifestLog::ManifestPath(int64_t version) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%020lld", static_cast<long long>(version));
  return root_ + "/" + std::string(kManifestFolder) + "/" + name + std::string(kManifestSuffix);
}

Result<std::vector<int64_t>> ManifestLog::Versions() const {
  std::vector<int64_t> versions;
  std::error_code error;
  const std::string folder = root_ + "/" + std::string(kManifestFolder);
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    int64_t version = VersionOf(it->path().filename().string());
    if (version >= 0) versions.push_back(version);
  }
  if (error) return Status::IOError("could not list " + folder + ": " + error.message());
  std::sort(versions.begin(), versions.end());
  return versions;
}

Result<WarehouseManifest> ManifestLog::Read(int64_t version) const {
  const std::string path = ManifestPath(version);
  OTSYNC_ASSIGN_OR_RETURN(const FileIdentity identity, IdentityOf(path, version));
  {
    std::lock_guard<std::mutex> guard(cache_->mutex);
    if (cache_->manifest != nullptr && cache_->identity == identity) return *cache_->manifest;
  }
  OTSYNC_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  OTSYNC_ASSIGN_OR_RETURN(WarehouseManifest manifest, DecodeManifest(text, path));
  if (manifest.version != version) {
    return Status::Corruption("the warehouse manifest " + path + " says it is version " +
                              std::to_string(manifest.version));
  }
  // Kept under the identity taken before reading, without a second stat: should the file have
  // been replaced in between, that identity names a file gone from the folder, which no later
  // Read sees again (the replacement has an identity of its own).
  auto decoded = std::make_shared<const WarehouseManifest>(manifest);
  std::lock_guard<std::mutex> guard(cache_->mutex);
  cache_->identity = identity;
  cache_->manifest = std::move(decoded);
  return manifest;
}

Result<WarehouseManifest> ManifestLog::Latest() const {
  // A committer may delete an old manifest between the listing and the read (it keeps the
  // newest kKeptManifests, so only a reader that far behind can see that): list again.
  for (int attempt = 0;; ++attempt) {
    OTSYNC_ASSIGN_OR_RETURN(std::vector<int64_t> versions, Versions());
    if (versions.empty()) return WarehouseManifest{};
    Result<WarehouseManifest> manifest = Read(versions.back());
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
  (void)lock;
  const std::string final_path = ManifestPath(manifest.version);
  const std::string temp_path = final_path + ".tmp";
  // WriteFileAtomically renames over the temporary name of this version only; the link below
  // puts the manifest under its final name and fails if that name exists.
  OTSYNC_ASSIGN_OR_RETURN(std::string encoded, EncodeManifest(manifest));
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
  Result<std::vector<int64_t>> versions = Versions();
  if (versions.ok() && versions->size() > static_cast<size_t>(kKeptManifests)) {
    for (size_t i = 0; i + kKeptManifests < versions->size(); ++i) {
      ::unlink(ManifestPath((*versions)[i]).c_str());
    }
  }
  std::error_code error;
  const std::string folder = root_ + "/" + std::string(kManifestFolder);
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() != ".manifest") fs::remove(it->path(), error);
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
