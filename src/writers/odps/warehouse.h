// Warehouse: the local stand-in for a MaxCompute project, one DuckDB file. It holds tables with
// typed data columns and partition columns (table_schema.h), runs SQL, exports tables or
// partitions to Parquet, and loads a partition atomically for the `odps` writer.
//
// Its own bookkeeping lives in DuckDB tables beside the data, changed in the same transactions:
//   _otsync_columns     the MaxCompute schema of each table (types, which columns are partitions)
//   _otsync_partitions  the partitions that exist ("added" the way DataX adds them), per table
//   _otsync_windows     the stream windows committed into each table and partition, with the
//                       reader's end checkpoints (the resume record of invariant 4)
//
// A Warehouse and its loads are used by one thread at a time. DuckDB locks the file: one process
// opens it at a time.
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
#include "writers/odps/partition_spec.h"
#include "writers/odps/query_result.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/value_conversion.h"

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

// An open load of one partition: one DuckDB transaction with an appender. Nothing appended is
// visible to anyone before Commit returns OK; destroying an uncommitted load rolls it back, and so
// does a crash (DuckDB discards an uncommitted transaction on the next open).
class PartitionLoad {
 public:
  virtual ~PartitionLoad() = default;

  // Appends one row. REQUIRED: `values` holds one converted value per data column of the table,
  // in table order; the partition columns are filled in by the load. An error leaves the load
  // unusable (Abort it).
  virtual Status AppendRow(std::span<const CellValue> values) = 0;
  virtual int64_t rows() const = 0;

  // In one transaction: with truncate, the partition's earlier rows (removed when the load began)
  // and window records are dropped; the partition is added if missing; `window` is recorded with
  // the number of rows appended; all of it becomes visible at once. Without truncate, a window
  // with the same key already committed to this partition fails with kAlreadyExists and changes
  // nothing.
  virtual Status Commit(const sync::CommittedWindow& window) = 0;
  // Discards everything appended. Safe to call more than once.
  virtual void Abort() = 0;
};

class Warehouse {
 public:
  // Opens or creates the warehouse file; its parent folder must exist.
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

  // Runs SQL (several statements allowed; the last one's rows are returned).
  Result<QueryResult> Query(std::string_view sql);

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
  // With truncate the partition's rows are deleted inside the load's transaction first.
  Result<std::unique_ptr<PartitionLoad>> BeginLoad(const TableSchema& schema,
                                                   const PartitionValues& partition, bool truncate);

 private:
  struct Impl;
  explicit Warehouse(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace otsync::odps
