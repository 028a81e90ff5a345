#include "writers/odps/staging_chunk.h"

#include <utility>

#include "writers/odps/duckdb_support.h"

namespace otsync::odps {
namespace {

using Kind = CellValue::Kind;

template <typename T>
void Store(void* data, idx_t row, T value) {
  static_cast<T*>(data)[row] = value;
}

}  // namespace

StagingChunk::Layout StagingChunk::LayoutOf(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kString:
    case ColumnKind::kDecimal:  // Its canonical text; the reading SQL casts it.
      return {DUCKDB_TYPE_VARCHAR, Kind::kText, Slot::kText, 16};
    case ColumnKind::kBinary:
      return {DUCKDB_TYPE_BLOB, Kind::kBlob, Slot::kText, 16};
    case ColumnKind::kBigint:
      return {DUCKDB_TYPE_BIGINT, Kind::kInteger, Slot::kInt64, 8};
    case ColumnKind::kInt:
      return {DUCKDB_TYPE_INTEGER, Kind::kInteger, Slot::kInt32, 4};
    case ColumnKind::kSmallint:
      return {DUCKDB_TYPE_SMALLINT, Kind::kInteger, Slot::kInt16, 2};
    case ColumnKind::kTinyint:
      return {DUCKDB_TYPE_TINYINT, Kind::kInteger, Slot::kInt8, 1};
    case ColumnKind::kDouble:
      return {DUCKDB_TYPE_DOUBLE, Kind::kDouble, Slot::kDouble, 8};
    case ColumnKind::kFloat:
      return {DUCKDB_TYPE_FLOAT, Kind::kDouble, Slot::kFloat, 4};
    case ColumnKind::kBoolean:
      return {DUCKDB_TYPE_BOOLEAN, Kind::kBoolean, Slot::kBoolean, 1};
    case ColumnKind::kDatetime:
    case ColumnKind::kTimestamp:  // duckdb_timestamp: microseconds in an int64_t.
      return {DUCKDB_TYPE_TIMESTAMP, Kind::kTimestampMicros, Slot::kInt64, 8};
    case ColumnKind::kDate:  // duckdb_date: days in an int32_t.
      return {DUCKDB_TYPE_DATE, Kind::kDateDays, Slot::kInt32, 4};
  }
  return {DUCKDB_TYPE_VARCHAR, Kind::kText, Slot::kText, 16};
}

StagingChunk::StagingChunk(const TableSchema& schema) : capacity_(duckdb_vector_size()) {
  for (const Column& column : schema.columns) {
    layouts_.push_back(LayoutOf(column.type.kind));
    types_.push_back(layouts_.back().type);
    slot_bytes_ += layouts_.back().width;
  }
  StartChunk(StagedChunk());
}

StagingChunk::~StagingChunk() = default;

void StagingChunk::StartChunk(StagedChunk reuse) {
  chunk_ = EmptyStagedChunk(std::move(reuse), types_);
  vectors_.clear();
  data_.clear();
  validity_.assign(layouts_.size(), nullptr);
  for (idx_t c = 0; c < layouts_.size(); ++c) {
    vectors_.push_back(duckdb_data_chunk_get_vector(chunk_.rows(), c));
    data_.push_back(duckdb_vector_get_data(vectors_.back()));
  }
  rows_ = 0;
  bytes_ = 0;
}

Status StagingChunk::AddRow(std::span<const CellValue> values, int64_t* bytes) {
  if (values.size() != layouts_.size()) {
    return Status::Internal("needs " + std::to_string(layouts_.size()) + " values, got " +
                            std::to_string(values.size()));
  }
  // Every kind is checked before anything is stored, so that a refused row leaves no trace.
  for (size_t c = 0; c < values.size(); ++c) {
    if (values[c].kind != Kind::kNull && values[c].kind != layouts_[c].kind) {
      return Status::Internal("has a value of another kind than its column " +
                              std::to_string(c + 1) + "'s");
    }
  }
  int64_t row_bytes = slot_bytes_;
  for (size_t c = 0; c < values.size(); ++c) {
    const CellValue& value = values[c];
    void* data = data_[c];
    if (value.kind == Kind::kNull) {
      if (validity_[c] == nullptr) {
        duckdb_vector_ensure_validity_writable(vectors_[c]);
        validity_[c] = duckdb_vector_get_validity(vectors_[c]);
      }
      // duckdb_validity_set_row_invalid, without a call into DuckDB for every NULL.
      validity_[c][rows_ / 64] &= ~(uint64_t{1} << (rows_ % 64));
      continue;
    }
    switch (layouts_[c].slot) {
      case Slot::kInt64:
        Store<int64_t>(data, rows_, value.integer);
        break;
      case Slot::kInt32:
        Store<int32_t>(data, rows_, static_cast<int32_t>(value.integer));
        break;
      case Slot::kInt16:
        Store<int16_t>(data, rows_, static_cast<int16_t>(value.integer));
        break;
      case Slot::kInt8:
        Store<int8_t>(data, rows_, static_cast<int8_t>(value.integer));
        break;
      case Slot::kDouble:
        Store<double>(data, rows_, value.number);
        break;
      case Slot::kFloat:
        Store<float>(data, rows_, static_cast<float>(value.number));
        break;
      case Slot::kBoolean:
        Store<bool>(data, rows_, value.integer != 0);
        break;
      case Slot::kText:
        SetStringSlot(static_cast<duckdb_string_t*>(data) + rows_, value.text, chunk_.texts());
        row_bytes += static_cast<int64_t>(value.text.size());
        break;
    }
  }
  ++rows_;
  bytes_ += row_bytes;
  *bytes = row_bytes;
  return Status::OK();
}

StagedChunk StagingChunk::TakeRows(StagedChunk reuse) {
  duckdb_data_chunk_set_size(chunk_.rows(), rows_);
  chunk_.set_bytes(bytes_);
  StagedChunk rows = std::move(chunk_);
  StartChunk(std::move(reuse));
  return rows;
}

std::string ColumnsOfStagedRows(const TableSchema& schema,
                                const std::vector<std::string>& partition_values) {
  std::string list;
  for (const Column& column : schema.columns) {
    const std::string name = QuoteIdentifier(column.name);
    list += (list.empty() ? "CAST(" : ", CAST(") + name + " AS " + DuckDbTypeName(column.type) +
            ") AS " + name;
  }
  for (size_t p = 0; p < schema.partition_columns.size() && p < partition_values.size(); ++p) {
    const Column& column = schema.partition_columns[p];
    list += (list.empty() ? "CAST(" : ", CAST(") + QuoteLiteral(partition_values[p]) + " AS " +
            DuckDbTypeName(column.type) + ") AS " + QuoteIdentifier(column.name);
  }
  return list;
}

}  // namespace otsync::odps
