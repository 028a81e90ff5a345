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
// query must not start on the adding thread before EndFile. A chunk a scan has read is released
// at the scan's next call or end: kept for TakeSpent (streamed, at most `capacity` of them) or
// destroyed. The StagedRows must outlive every query of the connection that names the function.
// Thread safety: Add, EndFile and Finish from one thread; Register, WaitForFile and the queries
// from one (the same or another); Close and Clear from any.
#pragma once

#include <duckdb.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "writers/odps/text_arena.h"

namespace otsync::odps {

inline constexpr char kStagedRowsFunction[] = "staged_rows";

// A data chunk and the arena its texts point into (none when its texts are in DuckDB's own
// string heaps), owned together so that the texts live as long as the chunk. Destroys the chunk;
// moving leaves an empty StagedChunk (false).
class StagedChunk {
 public:
  StagedChunk() = default;
  explicit StagedChunk(duckdb_data_chunk rows, std::unique_ptr<TextArena> texts = nullptr)
      : rows_(rows), texts_(std::move(texts)) {}
  ~StagedChunk() { Destroy(); }
  StagedChunk(StagedChunk&& other) noexcept
      : rows_(std::exchange(other.rows_, nullptr)),
        texts_(std::move(other.texts_)),
        bytes_(std::exchange(other.bytes_, 0)) {}
  StagedChunk& operator=(StagedChunk&& other) noexcept {
    if (this != &other) {
      Destroy();
      rows_ = std::exchange(other.rows_, nullptr);
      texts_ = std::move(other.texts_);
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }

  explicit operator bool() const { return rows_ != nullptr; }
  duckdb_data_chunk rows() const { return rows_; }
  TextArena* texts() const { return texts_.get(); }
  // The bytes its rows take as StagingChunk counts them (0 when not counted), which
  // StagedRows' byte capacity bounds.
  int64_t bytes() const { return bytes_; }
  void set_bytes(int64_t bytes) { bytes_ = bytes; }

 private:
  void Destroy() {
    if (rows_ != nullptr) duckdb_destroy_data_chunk(&rows_);
    texts_.reset();
  }

  duckdb_data_chunk rows_ = nullptr;
  std::unique_ptr<TextArena> texts_;
  int64_t bytes_ = 0;
};

// An empty chunk of `types` with an arena for its texts, ready to be filled: `spent` (a chunk
// StagedRows::TakeSpent returned) reset — its vectors' own buffers, every row valid, its arena's
// blocks kept — or, when there is none or it has other columns, a new one.
StagedChunk EmptyStagedChunk(StagedChunk spent, std::span<const duckdb_type> types);

class StagedRows {
 public:
  // `names` and `types`: the chunks' columns, in order (types without parameters: VARCHAR,
  // BIGINT, TIMESTAMP and the like). `capacity`: how many chunks may wait before Add blocks;
  // 0 = no bound. `byte_capacity` (with a capacity): Add also blocks while chunks of that many
  // bytes (StagedChunk::bytes) or more wait; 0 = no bound.
  StagedRows(std::vector<std::string> names, std::vector<duckdb_type> types, size_t capacity = 0,
             int64_t byte_capacity = 0);
  ~StagedRows();
  StagedRows(const StagedRows&) = delete;
  StagedRows& operator=(const StagedRows&) = delete;

  // Makes staged_rows() known to `connection`'s queries.
  Status Register(duckdb_connection connection);

  // Takes `chunk`, whose columns are the ones given to the constructor, as the next rows of the
  // current file (a chunk of no rows is destroyed at once). Blocks while `capacity` chunks, or
  // chunks of `byte_capacity` bytes, wait. False once Close()d, the chunk destroyed.
  bool Add(StagedChunk chunk);
  bool Add(duckdb_data_chunk chunk) { return Add(StagedChunk(chunk)); }

  // A chunk a scan has read and released (rows, texts and all, to be reset by the caller before
  // it is filled again), or an empty StagedChunk if none is waiting. Refilling these instead of
  // making new chunks keeps the rows' side in memory that is already mapped.
  StagedChunk TakeSpent();
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
  // Destroys the chunks queued and not read (after a query that failed), files' ends included,
  // and the spent ones.
  void Clear();

 private:
  struct ScanState;

  static void Bind(duckdb_bind_info info);
  static void Init(duckdb_init_info info);
  static void Scan(duckdb_function_info info, duckdb_data_chunk output);

  // A chunk a scan is done with: kept for TakeSpent while fewer than `capacity` wait there
  // (streamed use), else destroyed.
  void Release(StagedChunk chunk);

  const std::vector<std::string> names_;
  const std::vector<duckdb_type> types_;
  const size_t capacity_;
  const int64_t byte_capacity_;

  std::mutex mutex_;
  std::condition_variable changed_;  // Signalled on every change of the fields below.
  // Chunks in order; an empty entry ends a file.
  std::deque<StagedChunk> queue_;  // Guarded by mutex_.
  size_t queued_chunks_ = 0;       // Non-empty entries of queue_; guarded by mutex_.
  int64_t queued_bytes_ = 0;       // Their bytes(); guarded by mutex_.
  std::deque<StagedChunk> spent_;  // Read and released; guarded by mutex_.
  bool finished_ = false;          // Guarded by mutex_.
  bool closed_ = false;            // Guarded by mutex_.
};

}  // namespace otsync::odps
