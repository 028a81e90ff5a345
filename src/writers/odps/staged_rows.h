// StagedRows: filled DuckDB data chunks kept in memory until they are written out together, which
// SQL on the connection they are registered with reads as the table function staged_rows().
//
// A load writes each Parquet file with COPY (SELECT ... FROM staged_rows()) TO ...: the chunks
// reach DuckDB's Parquet writer as they are, where a staging table would copy every value into its
// own storage once and out of it again (bench/parquet_stage_bench.cc measured the difference;
// docs/benchmarks.md "Writer run 3"). Internal to writers/odps (duckdb.h).
//
// Contracts: a scan of staged_rows() returns the chunks in the order they were added, each once,
// on one thread; a chunk must not be added or the rows cleared while a query reads them. A scan's
// output shares its chunks' vectors (duckdb_vector_reference_vector), so Clear() may follow the
// query at once. The StagedRows must outlive every query of the connection that names the
// function.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace otsync::odps {

inline constexpr char kStagedRowsFunction[] = "staged_rows";

class StagedRows {
 public:
  // `names` and `types`: the chunks' columns, in order (types without parameters: VARCHAR,
  // BIGINT, TIMESTAMP and the like).
  StagedRows(std::vector<std::string> names, std::vector<duckdb_type> types);
  ~StagedRows();
  StagedRows(const StagedRows&) = delete;
  StagedRows& operator=(const StagedRows&) = delete;

  // Makes staged_rows() known to `connection`'s queries.
  Status Register(duckdb_connection connection);

  // Takes ownership of `chunk`, whose columns are the ones given to the constructor (a chunk of
  // no rows is destroyed at once).
  void Add(duckdb_data_chunk chunk);

  // Destroys the chunks added so far.
  void Clear();

 private:
  static void Bind(duckdb_bind_info info);
  static void Init(duckdb_init_info info);
  static void Scan(duckdb_function_info info, duckdb_data_chunk output);

  std::vector<std::string> names_;
  std::vector<duckdb_type> types_;
  std::vector<duckdb_data_chunk> chunks_;
};

}  // namespace otsync::odps
