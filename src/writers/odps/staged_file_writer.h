// StagedFileWriter: the thread that turns the files of a StagedRows (staged_rows.h) into Parquet
// files while their rows are still being added — the "streamed" use of StagedRows.
//
// For each file the rows' side ends, in order, it runs
//   COPY (<select>) TO '<folder>/part-NNNNN.parquet' <copy options>
// on its connection, the files numbered from 0, and syncs the file on a second thread while it
// writes the next one (the COPY waits for the disk only when a sync outlasts a file's COPY). On
// the first error (a value the SELECT's cast refuses, a failed write or sync) it Close()s the
// StagedRows —
// the rows' side's next Add returns false, which is how that side learns it must stop — and
// ends; Join returns that error. Used by the load (parquet_load.cc) and by the benchmarks'
// baselines, which must write their files the way the loads do.
//
// Contracts: `connection` and `staged` outlive Join (or the destructor); the connection runs
// nothing else meanwhile. A writer made with an OpenConnection opens its connection itself, first
// thing on its thread, so that opening DuckDB (tens of milliseconds at a process's first open)
// overlaps the rows' side staging the first chunks; whatever that function opens is the writer's
// to use until Join, and an error it returns ends the writer as a COPY's would. The rows' side ends
// with StagedRows::Finish (every file written and synced, then Join returns OK) or
// StagedRows::Close (the thread stops once the sync under way, if any, has ended). files() is read
// after Join; a file listed there is synced when Join returns OK.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "writers/odps/staged_rows.h"

namespace otsync::odps {

class StagedFileWriter {
 public:
  struct File {
    std::string path;  // <folder>/part-NNNNN.parquet
    int64_t bytes = 0;
  };

  // Opens the connection the COPYs run on; called once, on the writer's thread.
  using OpenConnection = std::function<Result<duckdb_connection>()>;

  // Starts the thread. `what` names the rows in an error message: "write <what>: ...".
  StagedFileWriter(duckdb_connection connection, StagedRows* staged, std::string select_sql,
                   std::string copy_options, std::string folder, std::string what);
  // Starts the thread, which calls `open_connection` before anything else.
  StagedFileWriter(OpenConnection open_connection, StagedRows* staged, std::string select_sql,
                   std::string copy_options, std::string folder, std::string what);
  // Close()s the StagedRows and joins, unless joined already.
  ~StagedFileWriter();
  StagedFileWriter(const StagedFileWriter&) = delete;
  StagedFileWriter& operator=(const StagedFileWriter&) = delete;

  // Waits for the thread to end; its first error, or OK when every file was written and synced.
  // May be called again: returns the same.
  Status Join();
  // The files written and synced, in order. Only after Join.
  const std::vector<File>& files() const { return files_; }

 private:
  void WriteFiles();

  const OpenConnection open_connection_;
  StagedRows* const staged_;
  const std::string select_sql_;
  const std::string copy_options_;
  const std::string folder_;
  const std::string what_;
  // Written by thread_ alone, read after it is joined.
  std::vector<File> files_;
  Status status_;
  std::thread thread_;  // Last: starts once the fields above are set.
};

}  // namespace otsync::odps
