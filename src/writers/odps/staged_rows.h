// StagedRows: filled DuckDB data chunks on their way to a query that reads them as the table
// function staged_rows(), one file's rows per query.
//
// A load writes each Parquet file with COPY (SELECT ... FROM staged_rows()) TO ...: the chunks
// reach DuckDB's Parquet writer as they are, where a staging table would copy every value into its
// own storage once and out of it again (bench/parquet_stage_bench.cc measured the difference;
// docs/benchmarks.md "Writer run 3"). Internal to writers/odps (duckdb.h).
//
// Two ways to use it:
//  - streamed (a capacity > 0): one thread adds chunks and ends files while a second runs one
//    COPY per file (WaitForFile, then the query). The query takes each chunk as it comes, so
//    the file is written while its rows are still being made, and at most `capacity` chunks wait
//    in memory; Add blocks while they do.
//  - in turn (capacity 0, no bound): one thread adds a file's chunks, ends the file, then runs
//    the query itself, which finds every chunk and the file's end already there.
//
// Contracts: a scan of staged_rows() returns the chunks of one file in the order they were
// added, each once, then ends at that file's end; one scan at a time (the query of the next file
// starts after the last one's ended). A scan waits for chunks that are not there yet: a file's
// query must not start on the adding thread before EndFile. A chunk taken by a scan is destroyed
// by the scan. The StagedRows must outlive every query of the connection that names the function.
// Thread safety: Add, EndFile and Finish from one thread; WaitForFile and the queries from one
// (the same or another); Close and Clear from any.
#pragma once

#include <duckdb.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"

namespace otsync::odps {

inline constexpr char kStagedRowsFunction[] = "staged_rows";

class StagedRows {
 public:
  // `names` and `types`: the chunks' columns, in order (types without parameters: VARCHAR,
  // BIGINT, TIMESTAMP and the like). `capacity`: how many chunks may wait before Add blocks;
  // 0 = no bound.
  StagedRows(std::vector<std::string> names, std::vector<duckdb_type> types, size_t capacity = 0);
  ~StagedRows();
  StagedRows(const StagedRows&) = delete;
  StagedRows& operator=(const StagedRows&) = delete;

  // Makes staged_rows() known to `connection`'s queries.
  Status Register(duckdb_connection connection);

  // Takes ownership of `chunk`, whose columns are the ones given to the constructor, as the next
  // rows of the current file (a chunk of no rows is destroyed at once). Blocks while `capacity`
  // chunks wait. False once Close()d, the chunk destroyed.
  bool Add(duckdb_data_chunk chunk);
  // Ends the current file: its scan ends after the chunks added before this call.
  void EndFile();
  // No file follows the ones ended: WaitForFile returns false once they have been taken.
  void Finish();

  // Blocks until the next file has a chunk or its end queued (true), or until Finish()ed with no
  // file left or Close()d (false).
  bool WaitForFile();

  // Stops both sides: Add returns false from now on (a blocked Add at once), a scan fails with
  // the error "the rows were withdrawn", WaitForFile returns false; the chunks queued are
  // destroyed.
  void Close();
  // Destroys the chunks queued and not read (after a query that failed), files' ends included.
  void Clear();

 private:
  static void Bind(duckdb_bind_info info);
  static void Init(duckdb_init_info info);
  static void Scan(duckdb_function_info info, duckdb_data_chunk output);

  const std::vector<std::string> names_;
  const std::vector<duckdb_type> types_;
  const size_t capacity_;

  std::mutex mutex_;
  std::condition_variable changed_;  // Signalled on every change of the fields below.
  // Chunks in order; a null entry ends a file.
  std::deque<duckdb_data_chunk> queue_;  // Guarded by mutex_.
  size_t queued_chunks_ = 0;             // Non-null entries of queue_; guarded by mutex_.
  bool finished_ = false;                // Guarded by mutex_.
  bool closed_ = false;                  // Guarded by mutex_.
};

}  // namespace otsync::odps
