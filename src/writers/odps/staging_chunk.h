// StagingChunk: rows of one table gathered column by column into a DuckDB data chunk and handed
// to an appender a chunk at a time (duckdb_append_data_chunk). This is the fastest way into a
// DuckDB table the C API has: a value costs a store into its column's vector, where the
// value-by-value appender (duckdb_append_int64 and the like) costs a call, a column check and a
// type dispatch per value and one more call per row.
//
// The chunk's columns are the table's data columns in their DuckDB types, except that DECIMAL
// columns are staged as their canonical text (CellValue::kText), then the partition columns as
// text; the appender casts those to the table's types as it takes the chunk. Internal to
// writers/odps (duckdb.h).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/value_conversion.h"

namespace otsync::odps {

class StagingChunk {
 public:
  // `partition_values`: one text per partition column of `schema`, the same for every row.
  StagingChunk(const TableSchema& schema, std::vector<std::string> partition_values);
  ~StagingChunk();
  StagingChunk(const StagingChunk&) = delete;
  StagingChunk& operator=(const StagingChunk&) = delete;

  // Adds a row. REQUIRED: !full(); `values` holds one value per data column of the schema, each
  // of the kind ConvertField makes for that column's type (or kNull). Else kInternal, the row not
  // added, with a message that completes "a row for <table> ": "needs 10 values, got 9". `*bytes`
  // gets the bytes the row counts for in a load's file size: 8 per number, 1 per boolean or null, 4
  // per date, 16 plus the length per text or binary; the partition values count nothing.
  Status AddRow(std::span<const CellValue> values, int64_t* bytes);

  bool full() const { return rows_ == capacity_; }
  bool empty() const { return rows_ == 0; }

  // Appends the gathered rows to `appender`, whose table has the schema's columns then its
  // partition columns, and empties the chunk (also when the append fails: the appender's error
  // tells why).
  duckdb_state AppendTo(duckdb_appender appender);

 private:
  // How a data column's values are stored in its vector.
  enum class Slot { kInt64, kInt32, kInt16, kInt8, kDouble, kFloat, kBoolean, kText };

  // The chunk's vectors and their data; looked up again whenever the chunk is reset.
  void FindVectors();

  std::vector<Slot> slots_;
  std::vector<CellValue::Kind> kinds_;  // The non-null kind each data column takes.
  std::vector<std::string> partition_values_;
  duckdb_data_chunk chunk_ = nullptr;
  std::vector<duckdb_vector> vectors_;
  std::vector<void*> data_;
  idx_t capacity_ = 0;
  idx_t rows_ = 0;
};

}  // namespace otsync::odps
