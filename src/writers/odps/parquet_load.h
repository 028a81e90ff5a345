// ParquetPartitionLoad: the PartitionLoad of the warehouse (warehouse.h). Rows are gathered in
// DuckDB data chunks (staging_chunk.h) and handed, a chunk at a time, to the load's file writer:
// a thread of its own where a private in-memory DuckDB writes them with one COPY per Parquet file
// of kRowsPerFile rows (or kBytesPerFile of them in the chunks), in the load's staging folder
// (staged_rows.h, staged_file_writer.h). The file is written while its rows are still coming, and
// at most kQueuedChunks chunks (and kQueuedBytes) wait between the two threads, so the load's
// memory stays bounded whatever the window (invariant 5) and the rows' side never waits for a
// whole file to be written.
// The file writer syncs each file once written; Commit waits for the last one and hands them
// all to WarehouseCommitter::CommitLoad; the warehouse itself is locked only for that commit,
// never while rows are loaded. An error of the file writer stops the load: the rows' side gets
// it at its next full chunk or at Commit.
//
// The staging folder _staging/<load id>/ holds a `lock` file flock(2)ed for the load's life, so
// that other processes can tell a running load from the leftovers of a killed one. Abort and
// the destructor delete the folder; a killed load's folder is deleted by the next load.
#pragma once

#include <memory>

#include "base/result.h"
#include "writers/odps/warehouse.h"
#include "writers/odps/warehouse_commit.h"

namespace otsync::odps {

inline constexpr int64_t kRowsPerFile = 1 << 19;
inline constexpr int64_t kBytesPerFile = 32LL << 20;
// Whether a file of `rows` rows whose values take `bytes` in the staging chunks (staging_chunk.h
// counts them) has reached its end. The benchmarks' raw append cuts its files by the same rule.
inline bool FileIsFull(int64_t rows, int64_t bytes) {
  return rows >= kRowsPerFile || bytes >= kBytesPerFile;
}
// Chunks (of duckdb_vector_size() rows) that may wait for the file writer. The COPY takes chunks
// in bursts: it copies each as it comes, then stops to encode and compress a whole row group
// (61,440 rows, 30 chunks) while the rows' side goes on filling. 32 chunks (65,536 rows, about
// 10 MiB of this shape) let the rows' side fill through that pause instead of waiting; 8 made it
// wait, and the writer alone ran 0.88 of the speed (docs/benchmarks.md "Writer run 6": 16, 32, 64
// and 128 measured).
inline constexpr size_t kQueuedChunks = 32;
// And no more chunks are queued while 64 MiB of them wait (a chunk's bytes counted as the file's
// are): chunks of rows of long values would otherwise hold 32 times the bytes of one.
inline constexpr int64_t kQueuedBytes = 64LL << 20;
// How a load writes its files (bench/parquet_stage_bench.cc measures the alternatives; figures
// in docs/benchmarks.md "Writer run 2"). One DuckDB thread: a second made writing the files
// slower here, not faster (0.70 of the rate, 55 % more CPU), and a load shares the cores with its
// job's reader and with other jobs' loads. Row groups of 61,440 rows, half DuckDB's default: the
// Parquet writer holds a row group before it writes it, and the smaller group wrote 1.16 times as
// fast with 15 % less CPU (groups of 524,288 rows: 0.42 of the rate). Snappy: zstd's files are a
// third smaller but 0.83 of the rate, uncompressed ones two thirds larger for 1.02 of it.
// Dictionaries of at most 1,024 values a column and row group: DuckDB's default limit let a
// column of ten thousand or more distinct values (a stream's primary keys, its values) be hashed
// into a dictionary for much of each row group before giving it up, the costliest item of the
// COPY; with the limit such a column is written plain after its first 1,024 distinct values,
// while columns of few values (names, operation types, partitions) keep their dictionaries
// (docs/benchmarks.md "Writer run 5").
inline constexpr int kLoadThreads = 1;
inline constexpr char kLoadParquetOptions[] =
    "(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 61440, DICTIONARY_SIZE_LIMIT 1024)";

// Begins a load of `partition` of the table `schema` into the warehouse `committer` commits to.
// `memory_limit` is the staging DuckDB's ("96MB").
Result<std::unique_ptr<PartitionLoad>> BeginParquetLoad(WarehouseCommitter* committer,
                                                        const TableSchema& schema,
                                                        const PartitionValues& partition,
                                                        bool truncate,
                                                        const std::string& memory_limit);

// Deletes the staging folders of loads that are no longer running (their lock is free).
void DeleteAbandonedStaging(const ManifestLog& log);

}  // namespace otsync::odps
