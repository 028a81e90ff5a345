// StagingChunk: rows of one table gathered column by column into a DuckDB data chunk of
// duckdb_vector_size() rows, handed on whole (TakeRows) to StagedRows, from which a load writes its
// Parquet files. A value costs a store into its column's vector, where the value-by-value appender
// (duckdb_append_int64 and the like) costs a call, a column check and a type dispatch per value
// and one more call per row; a text longer than 12 bytes is copied into the chunk's own TextArena
// (text_arena.h). A chunk the file writer has read comes back (StagedRows::TakeSpent) to be
// filled again, its vectors and arena already in memory.
//
// The chunk's columns are the table's data columns (not its partition columns) in their DuckDB
// types, except that DECIMAL columns are staged as their canonical text (CellValue::kText); the
// SQL that reads the chunks casts them to the table's types (ColumnsOfStagedRows below). Internal
// to writers/odps (duckdb.h).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "writers/odps/staged_rows.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/value_conversion.h"

namespace otsync::odps {

class StagingChunk {
 public:
  explicit StagingChunk(const TableSchema& schema);
  ~StagingChunk();
  StagingChunk(const StagingChunk&) = delete;
  StagingChunk& operator=(const StagingChunk&) = delete;

  // The chunks' column types, one per data column of the schema (StagedRows' constructor).
  const std::vector<duckdb_type>& types() const { return types_; }

  // Adds a row. REQUIRED: !full(); `values` holds one value per data column of the schema, each
  // of the kind ConvertField makes for that column's type (or kNull). Else kInternal, the row not
  // added, with a message that completes "a row for <table> ": "needs 10 values, got 9". `*bytes`
  // gets the bytes the row takes in the chunk, which bound a load's memory: each value its slot
  // in its column's vector (16 for a text or binary, 8 for a BIGINT, DOUBLE or timestamp, 4 for an
  // INTEGER, FLOAT or date, 2 and 1 for the smaller ones), NULLs included, plus the length of each
  // text or binary.
  Status AddRow(std::span<const CellValue> values, int64_t* bytes);

  bool full() const { return rows_ == capacity_; }
  bool empty() const { return rows_ == 0; }

  // The gathered rows, with the arena their texts point into and their bytes (the sum of AddRow's
  // counts: StagedChunk::bytes); this chunk starts again empty, in `reuse` if given (a chunk an
  // earlier TakeRows returned, which StagedRows::TakeSpent gave back; its rows are dropped) or
  // else in a new chunk (EmptyStagedChunk).
  StagedChunk TakeRows(StagedChunk reuse = StagedChunk());

 private:
  // How a data column's values are stored in its vector.
  enum class Slot { kInt64, kInt32, kInt16, kInt8, kDouble, kFloat, kBoolean, kText };

  // How a data column of a kind is staged: its type in the chunk, the kind ConvertField makes for
  // it (value_conversion.h), where its values go and the width of that slot in bytes.
  struct Layout {
    duckdb_type type;
    CellValue::Kind kind;
    Slot slot;
    int width;
  };
  static Layout LayoutOf(ColumnKind kind);

  // chunk_ = EmptyStagedChunk(reuse), its vectors and their data.
  void StartChunk(StagedChunk reuse);

  std::vector<Layout> layouts_;     // One per data column.
  std::vector<duckdb_type> types_;  // Their types, in order.
  int64_t slot_bytes_ = 0;          // Of a row, in all of its columns' vectors.
  StagedChunk chunk_;
  std::vector<duckdb_vector> vectors_;
  std::vector<void*> data_;
  // Each column's validity mask (a bit a row, 0 for NULL), made writable at the chunk's first
  // NULL in that column; null until then.
  std::vector<uint64_t*> validity_;
  idx_t capacity_ = 0;
  idx_t rows_ = 0;
  int64_t bytes_ = 0;  // Of the rows gathered, as AddRow counts them.
};

// The select list that reads staged_rows() (staged_rows.h) as rows of `schema`'s table: each data
// column cast to the table's type (a no-op but for DECIMAL) under its own name, then each partition
// column as the constant `partition_values[i]` cast to its type. For
// COPY (SELECT <list> FROM staged_rows()) TO ...
std::string ColumnsOfStagedRows(const TableSchema& schema,
                                const std::vector<std::string>& partition_values);

}  // namespace otsync::odps
