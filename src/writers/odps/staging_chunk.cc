#include "writers/odps/staging_chunk.h"

#include <utility>

namespace otsync::odps {
namespace {

using Kind = CellValue::Kind;

// The chunk's type for a data column: the table's own, but text for DECIMAL.
duckdb_type StagedType(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kString:
    case ColumnKind::kDecimal:
      return DUCKDB_TYPE_VARCHAR;
    case ColumnKind::kBigint:
      return DUCKDB_TYPE_BIGINT;
    case ColumnKind::kInt:
      return DUCKDB_TYPE_INTEGER;
    case ColumnKind::kSmallint:
      return DUCKDB_TYPE_SMALLINT;
    case ColumnKind::kTinyint:
      return DUCKDB_TYPE_TINYINT;
    case ColumnKind::kDouble:
      return DUCKDB_TYPE_DOUBLE;
    case ColumnKind::kFloat:
      return DUCKDB_TYPE_FLOAT;
    case ColumnKind::kBoolean:
      return DUCKDB_TYPE_BOOLEAN;
    case ColumnKind::kDatetime:
    case ColumnKind::kTimestamp:
      return DUCKDB_TYPE_TIMESTAMP;
    case ColumnKind::kDate:
      return DUCKDB_TYPE_DATE;
    case ColumnKind::kBinary:
      return DUCKDB_TYPE_BLOB;
  }
  return DUCKDB_TYPE_VARCHAR;
}

// The kind ConvertField makes for a column of `kind` (value_conversion.h).
Kind ConvertedKind(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kString:
    case ColumnKind::kDecimal:
      return Kind::kText;
    case ColumnKind::kBigint:
    case ColumnKind::kInt:
    case ColumnKind::kSmallint:
    case ColumnKind::kTinyint:
      return Kind::kInteger;
    case ColumnKind::kDouble:
    case ColumnKind::kFloat:
      return Kind::kDouble;
    case ColumnKind::kBoolean:
      return Kind::kBoolean;
    case ColumnKind::kDatetime:
    case ColumnKind::kTimestamp:
      return Kind::kTimestampMicros;
    case ColumnKind::kDate:
      return Kind::kDateDays;
    case ColumnKind::kBinary:
      return Kind::kBlob;
  }
  return Kind::kText;
}

int64_t CountedBytes(const CellValue& value) {
  switch (value.kind) {
    case Kind::kNull:
    case Kind::kBoolean:
      return 1;
    case Kind::kInteger:
    case Kind::kDouble:
    case Kind::kTimestampMicros:
      return 8;
    case Kind::kDateDays:
      return 4;
    case Kind::kText:
    case Kind::kBlob:
      return 16 + static_cast<int64_t>(value.text.size());
  }
  return 0;
}

template <typename T>
void Store(void* data, idx_t row, T value) {
  static_cast<T*>(data)[row] = value;
}

}  // namespace

StagingChunk::StagingChunk(const TableSchema& schema, std::vector<std::string> partition_values)
    : partition_values_(std::move(partition_values)), capacity_(duckdb_vector_size()) {
  std::vector<duckdb_logical_type> types;
  for (const Column& column : schema.columns) {
    const duckdb_type type = StagedType(column.type.kind);
    types.push_back(duckdb_create_logical_type(type));
    kinds_.push_back(ConvertedKind(column.type.kind));
    switch (type) {
      case DUCKDB_TYPE_BIGINT:
      case DUCKDB_TYPE_TIMESTAMP:  // duckdb_timestamp: microseconds in an int64_t.
        slots_.push_back(Slot::kInt64);
        break;
      case DUCKDB_TYPE_INTEGER:
      case DUCKDB_TYPE_DATE:  // duckdb_date: days in an int32_t.
        slots_.push_back(Slot::kInt32);
        break;
      case DUCKDB_TYPE_SMALLINT:
        slots_.push_back(Slot::kInt16);
        break;
      case DUCKDB_TYPE_TINYINT:
        slots_.push_back(Slot::kInt8);
        break;
      case DUCKDB_TYPE_DOUBLE:
        slots_.push_back(Slot::kDouble);
        break;
      case DUCKDB_TYPE_FLOAT:
        slots_.push_back(Slot::kFloat);
        break;
      case DUCKDB_TYPE_BOOLEAN:
        slots_.push_back(Slot::kBoolean);
        break;
      default:
        slots_.push_back(Slot::kText);
        break;
    }
  }
  for (size_t i = 0; i < partition_values_.size(); ++i) {
    types.push_back(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  }
  chunk_ = duckdb_create_data_chunk(types.data(), types.size());
  for (duckdb_logical_type& type : types) duckdb_destroy_logical_type(&type);
  FindVectors();
}

void StagingChunk::FindVectors() {
  vectors_.clear();
  data_.clear();
  for (idx_t c = 0; c < duckdb_data_chunk_get_column_count(chunk_); ++c) {
    vectors_.push_back(duckdb_data_chunk_get_vector(chunk_, c));
    data_.push_back(duckdb_vector_get_data(vectors_.back()));
  }
}

StagingChunk::~StagingChunk() { duckdb_destroy_data_chunk(&chunk_); }

Status StagingChunk::AddRow(std::span<const CellValue> values, int64_t* bytes) {
  if (values.size() != slots_.size()) {
    return Status::Internal("needs " + std::to_string(slots_.size()) + " values, got " +
                            std::to_string(values.size()));
  }
  for (size_t c = 0; c < values.size(); ++c) {
    if (values[c].kind != Kind::kNull && values[c].kind != kinds_[c]) {
      return Status::Internal("has a value of another kind than its column " +
                              std::to_string(c + 1) + "'s");
    }
  }
  int64_t row_bytes = 0;
  for (size_t c = 0; c < values.size(); ++c) {
    const CellValue& value = values[c];
    duckdb_vector vector = vectors_[c];
    void* data = data_[c];
    row_bytes += CountedBytes(value);
    if (value.kind == Kind::kNull) {
      duckdb_vector_ensure_validity_writable(vector);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), rows_);
      continue;
    }
    switch (slots_[c]) {
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
        duckdb_vector_assign_string_element_len(vector, rows_, value.text.data(),
                                                value.text.size());
        break;
    }
  }
  for (size_t p = 0; p < partition_values_.size(); ++p) {
    duckdb_vector_assign_string_element_len(vectors_[slots_.size() + p], rows_,
                                            partition_values_[p].data(),
                                            partition_values_[p].size());
  }
  ++rows_;
  *bytes = row_bytes;
  return Status::OK();
}

duckdb_state StagingChunk::AppendTo(duckdb_appender appender) {
  duckdb_data_chunk_set_size(chunk_, rows_);
  const duckdb_state state = duckdb_append_data_chunk(appender, chunk_);
  // Reset makes every row valid again and frees the vectors' string data.
  duckdb_data_chunk_reset(chunk_);
  FindVectors();
  rows_ = 0;
  return state;
}

}  // namespace otsync::odps
