#include "writers/odps/warehouse_commit.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <utility>

#include "base/durable_file.h"
#include "base/kill_point.h"

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;

std::string Destination(const LoadCommit& load) {
  return load.partition.empty() ? "table " + load.schema.name
                                : "partition " + load.partition + " of table " + load.schema.name;
}

// "<load id>-00003.parquet" -> "<load id>"; "" for other names.
std::string LoadIdOf(const std::string& file_name) {
  size_t dash = file_name.rfind('-');
  if (dash == std::string::npos || !file_name.ends_with(".parquet")) return "";
  return file_name.substr(0, dash);
}

// True when the load `load_id` is still running: its staging folder's lock is held.
bool LoadIsRunning(const std::string& staging_folder, const std::string& load_id) {
  const std::string lock_path = staging_folder + "/" + load_id + "/lock";
  int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool running = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return running;
}

// Files in data/<table>/ that no manifest ever published: left by a committer killed between
// moving its files and publishing. REQUIRED: the commit lock is held (no commit is under way).
// O(the table's files): run only after a committer died.
void DeleteUnpublishedFiles(const ManifestLog& log, const TableEntry& table,
                            const std::vector<RetiredFile>& retired) {
  std::set<std::string> known;
  for (const PartitionEntry& partition : table.partitions) {
    for (const DataFile& file : partition.files) known.insert(file.path);
  }
  for (const RetiredFile& file : retired) known.insert(file.path);
  std::error_code error;
  const std::string folder = log.DataFolder(table.schema.name);
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    const std::string relative = "data/" + table.schema.name + "/" + name;
    if (known.count(relative) > 0) continue;
    std::string load_id = LoadIdOf(name);
    if (!load_id.empty() && LoadIsRunning(log.StagingFolder(), load_id)) continue;
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
}

}  // namespace

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status WarehouseCommitter::Apply(std::string_view holder, const Change& change,
                                 CommitStats* stats) {
  // Brings the process's state up to date before the lock, so that under it only the deltas
  // committed while this one waited are read.
  (void)log_.Snapshot();
  OTSYNC_ASSIGN_OR_RETURN(PublishedCommit published, ApplyUnderLock(holder, change, stats));
  if (published.complete_manifest_owed != nullptr) {
    const auto started = std::chrono::steady_clock::now();
    // Best effort: the version is published either way; without its complete manifest a
    // reader's chain is longer, and the next commit owes one again.
    Status written = log_.WriteCompleteManifest(*published.complete_manifest_owed);
    if (stats != nullptr && written.ok()) {
      stats->complete_manifest_micros =
          std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count());
    }
  }
  return Status::OK();
}

Result<PublishedCommit> WarehouseCommitter::ApplyUnderLock(std::string_view holder,
                                                           const Change& change,
                                                           CommitStats* stats) {
  const auto started = std::chrono::steady_clock::now();
  OTSYNC_ASSIGN_OR_RETURN(CommitLock lock, log_.LockForCommit(holder, kCommitLockTimeoutMicros));
  // Measures until the end of this function, whichever return ends it; `lock` is released just
  // after (the difference is a close(2)).
  struct HoldTimer {
    CommitStats* stats;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point locked;
    ~HoldTimer() {
      if (stats == nullptr) return;
      auto micros = [](auto duration) {
        return std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
      };
      stats->lock_wait_micros = micros(locked - started);
      stats->lock_hold_micros = micros(std::chrono::steady_clock::now() - locked);
    }
  } timer{stats, started, std::chrono::steady_clock::now()};
  OTSYNC_KILL_POINT("warehouse.commit.after_lock");
  OTSYNC_ASSIGN_OR_RETURN(CommitBase base, log_.BeginCommit(lock));
  const WarehouseManifest& current = *base.state;
  if (lock.previous_holder_died()) {
    for (const TableEntry& table : current.tables) {
      DeleteUnpublishedFiles(log_, table, current.retired_files);
    }
    lock.MarkCleanedUp();
  }
  ManifestDelta delta;
  delta.base_version = current.version;
  delta.version = current.version + 1;
  delta.committed_at_micros = NowMicros();
  // A change or publication that fails may have moved files into data/ that no state names: the
  // next holder cleans them up, as after a death.
  if (Status changed = change(current, delta); !changed.ok()) {
    lock.KeepHolderSign();
    return changed;
  }
  delta.retired_files_removed =
      log_.DeleteExpiredFiles(lock, current.retired_files, delta.committed_at_micros);
  Result<PublishedCommit> published = log_.PublishDelta(lock, std::move(base), delta);
  if (!published.ok()) lock.KeepHolderSign();
  return published;
}

Status WarehouseCommitter::CommitLoad(const LoadCommit& load, CommitStats* stats) {
  const std::string table_name = load.schema.name;
  auto change = [&](const WarehouseManifest& current, ManifestDelta& delta) -> Status {
    const TableEntry* table = current.FindTable(table_name);
    if (table == nullptr || table->schema != load.schema) {
      return Status(StatusCode::kAborted,
                    "table " + table_name + " was dropped or changed during the load");
    }
    if (!load.truncate &&
        current.FindWindow(table_name, load.partition, load.window.key) != nullptr) {
      return Status::AlreadyExists("the window [" + std::to_string(load.window.key.start_millis) +
                                   ", " + std::to_string(load.window.key.end_millis) +
                                   ") of table " + load.window.key.source_table +
                                   " is already committed to " + Destination(load) +
                                   "; appending it again would duplicate it");
    }

    const std::string data_folder = log_.DataFolder(table_name);
    std::error_code error;
    fs::create_directories(data_folder, error);
    if (error) return Status::IOError("could not create " + data_folder + ": " + error.message());
    std::vector<DataFile> added;
    for (size_t i = 0; i < load.files.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "-%05zu.parquet", i);
      DataFile file{"data/" + table_name + "/" + load.load_id + name, load.files[i].rows,
                    load.files[i].bytes};
      const std::string target = log_.root() + "/" + file.path;
      if (::rename(load.files[i].path.c_str(), target.c_str()) != 0) {
        return Status::IOError("could not move " + load.files[i].path + " to " + target + ": " +
                               std::strerror(errno));
      }
      added.push_back(std::move(file));
    }
    if (!added.empty()) OTSYNC_RETURN_IF_ERROR(SyncPath(data_folder));
    OTSYNC_KILL_POINT("warehouse.commit.after_files_moved");

    const int64_t now = delta.committed_at_micros;
    const PartitionEntry* existing = table->FindPartition(load.partition);
    PartitionEntry partition =
        existing != nullptr ? *existing : PartitionEntry{load.partition, now, {}};
    if (load.truncate) {
      for (const DataFile& old : partition.files) {
        delta.retired_files_added.push_back({old.path, now});
      }
      partition.files.clear();
      for (const WindowEntry& window : current.windows) {
        if (window.table == table_name && window.partition == load.partition) {
          delta.windows_removed.push_back(
              WindowEntry{window.table, window.partition, window.key, {}, 0, false, 0});
        }
      }
    }
    partition.files.insert(partition.files.end(), added.begin(), added.end());
    delta.partitions_put.push_back({table_name, std::move(partition)});
    delta.windows_added.push_back(WindowEntry{table_name, load.partition, load.window.key,
                                              load.window.end_checkpoints, load.window.rows,
                                              load.truncate, now});
    return Status::OK();
  };
  return Apply("committing " + Destination(load), change, stats);
}

}  // namespace otsync::odps
