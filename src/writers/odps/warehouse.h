// Warehouse: the local stand-in for a MaxCompute project. It holds tables with typed data
// columns and partition columns (table_schema.h), runs read-only SQL, exports tables or
// partitions to Parquet, and loads a partition atomically for the `odps` writer.
//
// On disk it is a folder of immutable Parquet files and a sequence of versions, each a whole
// state — tables, partitions with their files, and the ledger of committed stream windows
// (manifest.h) — published as the change from the version before it (manifest_log.h). Why not one
// DuckDB database file: DuckDB rewrites metadata blocks of its file in place at checkpoints, so a
// process killed mid-write could leave a file that no state can be read from (every table lost),
// and it lets one process at a time write the file (a second job failed on its lock). Here a commit
// adds files and publishes a new manifest under a lock held for milliseconds; a crash at any moment
// leaves the previous state whole; any number of jobs load at once and readers never wait. DuckDB
// is the engine: it stages a load's rows and writes them as Parquet, and it runs queries over the
// files of one manifest.
//
// A Warehouse may be used by several threads and processes at once; a PartitionLoad by one
// thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sync/writer.h"
#include "writers/odps/legacy_import.h"
#include "writers/odps/manifest.h"
#include "writers/odps/partition_spec.h"
#include "writers/odps/query_result.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/value_conversion.h"
#include "writers/odps/warehouse_check.h"

namespace otsync::odps {

// Parquet compression codecs DuckDB writes.
enum class ParquetCompression { kUncompressed, kSnappy, kGzip, kZstd, kLz4, kBrotli };
// "uncompressed", "snappy", "gzip", "zstd", "lz4", "brotli" (case-insensitive).
Result<ParquetCompression> ParseParquetCompression(std::string_view name);
std::string_view ParquetCompressionName(ParquetCompression compression);

struct ExportedFile {
  std::string path;
  std::string partition;  // "pt=20171019"; empty for a non-partitioned table.
  int64_t rows = 0;
};

// Bounds of a query run on behalf of someone who may read the warehouse but nothing else on the
// machine (the console, docs/console-api.md).
struct QueryLimits {
  // > 0: at most this many rows are kept; QueryResult::truncated says when there were more.
  int64_t max_rows = 0;
  // > 0: rows are kept only while their text (the bytes of every cell) stays within this many
  // bytes, so that a few huge cells cannot make the answer huge; QueryResult::truncated says so.
  int64_t max_text_bytes = 0;
  // > 0: a statement still running after this long is stopped with kTimeout.
  int64_t timeout_millis = 0;
  // The SQL may read the warehouse's own data files and nothing else: no other file is read or
  // written (read_text, COPY, EXPORT), no extension is loaded, no setting is changed.
  bool confined = false;
};

// How a commit went: the time it waited for other processes' commits, and the time it held the
// warehouse's commit lock (the only time a commit keeps others waiting).
struct CommitStats {
  int64_t lock_wait_micros = 0;
  int64_t lock_hold_micros = 0;
  // > 0 when this commit wrote the complete manifest its version was owed, after the lock: the
  // time that took.
  int64_t complete_manifest_micros = 0;
};

// An open load of one partition (parquet_load.h). Nothing appended is visible to anyone before
// Commit returns OK; destroying an uncommitted load discards it, and so does a crash (its staged
// files are never named by a manifest and are deleted by a later load).
class PartitionLoad {
 public:
  virtual ~PartitionLoad() = default;

  // Appends one row. REQUIRED: `values` holds one converted value per data column of the table,
  // in table order; the partition columns are filled in by the load. An error leaves the load
  // unusable (Abort it).
  virtual Status AppendRow(std::span<const CellValue> values) = 0;
  virtual int64_t rows() const = 0;

  // In one commit: with truncate, the partition's earlier rows and window records are replaced;
  // the partition is added if missing; `window` is recorded with the number of rows appended;
  // all of it becomes visible at once. Without truncate, a window with the same key already
  // committed to this partition fails with kAlreadyExists and changes nothing. The load is
  // finished either way.
  virtual Status Commit(const sync::CommittedWindow& window) = 0;
  // Discards everything appended. Safe to call more than once.
  virtual void Abort() = 0;
  // The last Commit's figures (zero before one ran).
  virtual CommitStats commit_stats() const = 0;
};

// DuckDB's memory_limit for every DuckDB a warehouse of this process starts (queries and the
// staging of loads): $OTSYNC_WAREHOUSE_MEMORY_LIMIT in DuckDB's syntax ("1GB"), else "96MB".
std::string WarehouseMemoryLimit();

class Warehouse {
 public:
  // Opens the warehouse folder `path`, creating it when missing (its parent folder is created
  // too). A regular file there (a single-file warehouse of an earlier otsync) is refused.
  static Result<std::unique_ptr<Warehouse>> Open(const std::string& path);
  ~Warehouse();
  Warehouse(const Warehouse&) = delete;
  Warehouse& operator=(const Warehouse&) = delete;

  const std::string& path() const;

  // kAlreadyExists when a table of that name exists. Partition columns may be STRING or an
  // integer type, as in MaxCompute.
  Status CreateTable(const TableSchema& schema);
  // kNotFound naming the table, case-insensitively matched.
  Result<TableSchema> DescribeTable(std::string_view table);
  Result<std::vector<std::string>> ListTables();
  // The table's partitions as "pt=20171019,region=hz", sorted.
  Result<std::vector<std::string>> ListPartitions(std::string_view table);

  // Runs SQL over the current state (several statements allowed; the last one's rows are
  // returned). Statements that would change a table are refused with kInvalidArgument: tables
  // change only through loads and CreateTable.
  Result<QueryResult> Query(std::string_view sql);
  Result<QueryResult> Query(std::string_view sql, const QueryLimits& limits);

  // The first `limit` rows (> 0) of the table, or only of `partition` (normalised spec, empty
  // for all), as stored: the data columns, in file order.
  Result<QueryResult> FirstRows(std::string_view table, std::string_view partition, int64_t limit);

  // Writes the table, or only `partition` (normalised spec, empty for all), as Parquet in a
  // Hive-style layout under `output_dir`: <table>/<level>=<value>/.../part-00000.parquet (one file
  // per partition holding the data columns), or <table>/part-00000.parquet when not partitioned.
  Result<std::vector<ExportedFile>> ExportParquet(std::string_view table,
                                                  std::string_view partition,
                                                  const std::string& output_dir,
                                                  ParquetCompression compression);

  // The window with `key` committed to `table` and `partition` (normalised spec), or nullopt.
  Result<std::optional<sync::CommittedWindow>> FindCommittedWindow(std::string_view table,
                                                                   std::string_view partition,
                                                                   const sync::WindowKey& key);

  // Begins loading `partition` (resolved against `schema`, see ResolvePartition) of the table.
  // With truncate the commit replaces the partition's rows.
  Result<std::unique_ptr<PartitionLoad>> BeginLoad(const TableSchema& schema,
                                                   const PartitionValues& partition, bool truncate);

  // The current state, for tests and tools.
  Result<WarehouseManifest> CurrentManifest();
  const ManifestLog& manifest_log() const;

  // `otsync warehouse check` and `otsync warehouse recover` (warehouse_check.h).
  Result<WarehouseCheckReport> Check();
  Result<RecoveryReport> Recover();
  // `otsync warehouse import-file FILE` (legacy_import.h).
  Result<ImportReport> ImportFile(const std::string& file);

 private:
  struct Impl;
  explicit Warehouse(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace otsync::odps
