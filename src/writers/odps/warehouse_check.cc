#include "writers/odps/warehouse_check.h"

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "writers/odps/duckdb_support.h"
#include "writers/odps/warehouse_commit.h"

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;

std::string PartitionName(const std::string& table, const std::string& spec) {
  return spec.empty() ? "table " + table : "partition " + spec + " of table " + table;
}

// Rows of a Parquet file by its footer, or the reason it cannot be read.
Result<int64_t> ParquetRows(duckdb_connection connection, const std::string& path) {
  QueryRows rows;
  OTSYNC_RETURN_IF_ERROR(
      RunQuery(connection, "SELECT num_rows FROM parquet_file_metadata(" + QuoteLiteral(path) + ")",
               &rows, "read " + path));
  if (rows.row_count() != 1) return Status::Corruption(path + " has no Parquet footer");
  return rows.Int64(0, 0);
}

void NoteLeftovers(const ManifestLog& log, const WarehouseManifest& manifest,
                   WarehouseCheckReport* report) {
  std::set<std::string> known;
  for (const TableEntry& table : manifest.tables) {
    for (const PartitionEntry& partition : table.partitions) {
      for (const DataFile& file : partition.files) known.insert(file.path);
    }
  }
  for (const RetiredFile& file : manifest.retired_files) known.insert(file.path);
  int64_t unpublished = 0;
  std::error_code error;
  for (fs::recursive_directory_iterator it(log.root() + "/data", error), end; !error && it != end;
       it.increment(error)) {
    if (!it->is_regular_file()) continue;
    std::string relative = fs::relative(it->path(), log.root()).string();
    if (known.count(relative) == 0) ++unpublished;
  }
  if (unpublished > 0) {
    report->notes.push_back(std::to_string(unpublished) +
                            " file(s) under data/ belong to no state (left by commits killed "
                            "before publishing); the next commit of their table deletes them");
  }
  int64_t staging = 0;
  for (fs::directory_iterator it(log.StagingFolder(), error), end; !error && it != end;
       it.increment(error)) {
    ++staging;
  }
  if (staging > 0) {
    report->notes.push_back(std::to_string(staging) +
                            " staging folder(s) of loads running now or killed; the next load "
                            "deletes those of loads no longer running");
  }
}

}  // namespace

WarehouseCheckReport CheckManifest(const ManifestLog& log, const WarehouseManifest& manifest,
                                   const std::string& memory_limit) {
  WarehouseCheckReport report;
  report.version = manifest.version;
  report.tables = static_cast<int64_t>(manifest.tables.size());
  report.windows = static_cast<int64_t>(manifest.windows.size());
  Result<std::unique_ptr<DuckDbSession>> session =
      DuckDbSession::OpenInMemory(memory_limit, log.root() + "/_spill/check");
  if (!session.ok()) {
    report.problems.push_back(session.status().message());
    return report;
  }
  std::map<std::pair<std::string, std::string>, int64_t> file_rows;
  std::set<std::string> seen_files;
  for (const TableEntry& table : manifest.tables) {
    for (const PartitionEntry& partition : table.partitions) {
      ++report.partitions;
      int64_t& rows = file_rows[{table.schema.name, partition.spec}];
      for (const DataFile& file : partition.files) {
        ++report.files;
        const std::string where = PartitionName(table.schema.name, partition.spec);
        const std::string path = log.root() + "/" + file.path;
        if (!seen_files.insert(file.path).second) {
          report.problems.push_back(file.path + " is named twice");
        }
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0) {
          report.problems.push_back(path + " of " + where + " is missing");
          continue;
        }
        if (info.st_size != file.bytes) {
          report.problems.push_back(path + " of " + where + " has " + std::to_string(info.st_size) +
                                    " bytes, the state says " + std::to_string(file.bytes));
          continue;
        }
        Result<int64_t> parquet_rows = ParquetRows((*session)->connection(), path);
        if (!parquet_rows.ok()) {
          report.problems.push_back(path + " of " + where + " does not read as Parquet: " +
                                    parquet_rows.status().message());
        } else if (*parquet_rows != file.rows) {
          report.problems.push_back(path + " of " + where + " holds " +
                                    std::to_string(*parquet_rows) + " rows, the state says " +
                                    std::to_string(file.rows));
        }
        rows += file.rows;
        report.rows += file.rows;
      }
    }
  }
  std::map<std::pair<std::string, std::string>, int64_t> window_rows;
  std::set<std::tuple<std::string, std::string, std::string, std::string, int64_t, int64_t>> keys;
  for (const WindowEntry& window : manifest.windows) {
    window_rows[{window.table, window.partition}] += window.rows;
    if (!keys.insert({window.table, window.partition, window.key.source_table, window.key.stream_id,
                      window.key.start_millis, window.key.end_millis})
             .second) {
      report.problems.push_back("the window [" + std::to_string(window.key.start_millis) + ", " +
                                std::to_string(window.key.end_millis) + ") of " +
                                window.key.source_table + " is recorded twice for " +
                                PartitionName(window.table, window.partition));
    }
    if (file_rows.count({window.table, window.partition}) == 0) {
      report.problems.push_back("the ledger names " +
                                PartitionName(window.table, window.partition) +
                                ", which does not exist");
    }
  }
  for (const auto& [partition, rows] : file_rows) {
    int64_t recorded = window_rows.count(partition) > 0 ? window_rows[partition] : 0;
    if (recorded != rows) {
      report.problems.push_back(PartitionName(partition.first, partition.second) + " holds " +
                                std::to_string(rows) + " rows; its committed windows add up to " +
                                std::to_string(recorded));
    }
  }
  return report;
}

Result<WarehouseCheckReport> CheckWarehouse(const ManifestLog& log,
                                            const std::string& memory_limit) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<int64_t> versions, log.Versions());
  if (versions.empty()) return WarehouseCheckReport{};
  Result<WarehouseManifest> manifest = log.Read(versions.back());
  if (!manifest.ok()) {
    WarehouseCheckReport report;
    report.version = versions.back();
    report.problems.push_back(manifest.status().message());
    return report;
  }
  WarehouseCheckReport report = CheckManifest(log, *manifest, memory_limit);
  NoteLeftovers(log, *manifest, &report);
  return report;
}

Result<RecoveryReport> RecoverWarehouse(const ManifestLog& log, const std::string& memory_limit) {
  OTSYNC_ASSIGN_OR_RETURN(CommitLock lock,
                          log.LockForCommit("recovering the warehouse", kCommitLockTimeoutMicros));
  OTSYNC_ASSIGN_OR_RETURN(std::vector<int64_t> versions, log.Versions());
  RecoveryReport report;
  if (versions.empty()) return report;
  report.damaged_version = versions.back();
  std::set<std::tuple<std::string, std::string, std::string, int64_t, int64_t>> good_windows;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    Result<WarehouseManifest> manifest = log.Read(*it);
    if (manifest.ok() && CheckManifest(log, *manifest, memory_limit).ok()) {
      report.good_version = *it;
      for (const WindowEntry& window : manifest->windows) {
        good_windows.insert({window.table, window.partition, window.key.source_table,
                             window.key.start_millis, window.key.end_millis});
      }
      break;
    }
  }
  if (report.good_version == report.damaged_version) return report;
  // The windows that later (readable) states had and the good one lacks.
  std::set<std::tuple<std::string, std::string, std::string, int64_t, int64_t>> listed;
  for (int64_t version : versions) {
    if (version <= report.good_version) continue;
    Result<WarehouseManifest> manifest = log.Read(version);
    if (!manifest.ok()) continue;
    for (const WindowEntry& window : manifest->windows) {
      auto key = std::make_tuple(window.table, window.partition, window.key.source_table,
                                 window.key.start_millis, window.key.end_millis);
      if (good_windows.count(key) == 0 && listed.insert(key).second) {
        report.lost_windows.push_back(window);
      }
    }
  }
  if (report.good_version == 0) {
    WarehouseManifest empty;
    empty.version = report.damaged_version + 1;
    empty.committed_at_micros = NowMicros();
    OTSYNC_RETURN_IF_ERROR(log.Publish(lock, empty));
    report.published_version = empty.version;
    return report;
  }
  OTSYNC_ASSIGN_OR_RETURN(report.published_version,
                          log.PublishCopyOf(lock, report.good_version, NowMicros()));
  return report;
}

}  // namespace otsync::odps
