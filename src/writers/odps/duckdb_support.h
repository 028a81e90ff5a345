// The pieces of DuckDB's C API that the warehouse uses, wrapped so that every error is a Status
// naming what was being done: an owned database + connection, results, prepared statements, and
// SQL quoting. Internal to writers/odps; duckdb.h stays out of the room's public headers.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace otsync::odps {

inline std::string QuoteIdentifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

inline std::string QuoteLiteral(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

// DuckDB's name of a result column's type; the C API has no to-string for types.
inline std::string TypeName(duckdb_logical_type type) {
  duckdb_type id = duckdb_get_type_id(type);
  if (id == DUCKDB_TYPE_DECIMAL) {
    return "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
           std::to_string(duckdb_decimal_scale(type)) + ")";
  }
  static constexpr std::pair<duckdb_type, const char*> kNames[] = {
      {DUCKDB_TYPE_BOOLEAN, "BOOLEAN"},
      {DUCKDB_TYPE_TINYINT, "TINYINT"},
      {DUCKDB_TYPE_SMALLINT, "SMALLINT"},
      {DUCKDB_TYPE_INTEGER, "INTEGER"},
      {DUCKDB_TYPE_BIGINT, "BIGINT"},
      {DUCKDB_TYPE_HUGEINT, "HUGEINT"},
      {DUCKDB_TYPE_UTINYINT, "UTINYINT"},
      {DUCKDB_TYPE_USMALLINT, "USMALLINT"},
      {DUCKDB_TYPE_UINTEGER, "UINTEGER"},
      {DUCKDB_TYPE_UBIGINT, "UBIGINT"},
      {DUCKDB_TYPE_UHUGEINT, "UHUGEINT"},
      {DUCKDB_TYPE_FLOAT, "FLOAT"},
      {DUCKDB_TYPE_DOUBLE, "DOUBLE"},
      {DUCKDB_TYPE_TIMESTAMP, "TIMESTAMP"},
      {DUCKDB_TYPE_DATE, "DATE"},
      {DUCKDB_TYPE_TIME, "TIME"},
      {DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {DUCKDB_TYPE_BLOB, "BLOB"},
      {DUCKDB_TYPE_TIMESTAMP_TZ, "TIMESTAMP WITH TIME ZONE"},
  };
  for (const auto& [known, name] : kNames) {
    if (known == id) return name;
  }
  return "OTHER";
}

// A new, empty data chunk of duckdb_vector_size() rows whose columns have `types`; the caller
// owns it (duckdb_destroy_data_chunk).
inline duckdb_data_chunk NewDataChunk(std::span<const duckdb_type> types) {
  std::vector<duckdb_logical_type> logical;
  logical.reserve(types.size());
  for (duckdb_type type : types) logical.push_back(duckdb_create_logical_type(type));
  duckdb_data_chunk chunk = duckdb_create_data_chunk(logical.data(), logical.size());
  for (duckdb_logical_type& type : logical) duckdb_destroy_logical_type(&type);
  return chunk;
}

// Owns a duckdb_result.
class QueryRows {
 public:
  QueryRows() = default;
  ~QueryRows() { duckdb_destroy_result(&result_); }
  QueryRows(const QueryRows&) = delete;
  QueryRows& operator=(const QueryRows&) = delete;

  duckdb_result* get() { return &result_; }
  idx_t row_count() { return duckdb_row_count(&result_); }
  idx_t column_count() { return duckdb_column_count(&result_); }
  bool is_null(idx_t column, idx_t row) { return duckdb_value_is_null(&result_, column, row); }
  int64_t Int64(idx_t column, idx_t row) { return duckdb_value_int64(&result_, column, row); }
  bool Bool(idx_t column, idx_t row) { return duckdb_value_boolean(&result_, column, row); }
  std::string Text(idx_t column, idx_t row) {
    char* text = duckdb_value_varchar(&result_, column, row);
    std::string copy = text != nullptr ? text : "";
    duckdb_free(text);
    return copy;
  }
  std::string Blob(idx_t column, idx_t row) {
    duckdb_blob blob = duckdb_value_blob(&result_, column, row);
    std::string copy(static_cast<const char*>(blob.data), blob.size);
    duckdb_free(blob.data);
    return copy;
  }

 private:
  duckdb_result result_{};
};

inline Status RunQuery(duckdb_connection connection, std::string_view sql, QueryRows* rows,
                       std::string_view context) {
  std::string text(sql);
  if (duckdb_query(connection, text.c_str(), rows->get()) == DuckDBError) {
    const char* error = duckdb_result_error(rows->get());
    return Status::IOError(std::string(context) + ": " + (error ? error : "unknown DuckDB error"));
  }
  return Status::OK();
}

inline Status Execute(duckdb_connection connection, std::string_view sql,
                      std::string_view context) {
  QueryRows rows;
  return RunQuery(connection, sql, &rows, context);
}

// A prepared statement with positional parameters, bound in order.
class Statement {
 public:
  Statement(duckdb_connection connection, const char* sql) {
    ok_ = duckdb_prepare(connection, sql, &statement_) == DuckDBSuccess;
  }
  ~Statement() { duckdb_destroy_prepare(&statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Text(std::string_view value) {
    ok_ = ok_ && duckdb_bind_varchar_length(statement_, ++index_, value.data(), value.size()) ==
                     DuckDBSuccess;
    return *this;
  }
  Statement& Blob(std::string_view value) {
    ok_ =
        ok_ && duckdb_bind_blob(statement_, ++index_, value.data(), value.size()) == DuckDBSuccess;
    return *this;
  }
  Statement& Int64(int64_t value) {
    ok_ = ok_ && duckdb_bind_int64(statement_, ++index_, value) == DuckDBSuccess;
    return *this;
  }
  Statement& Bool(bool value) {
    ok_ = ok_ && duckdb_bind_boolean(statement_, ++index_, value) == DuckDBSuccess;
    return *this;
  }
  Status Run(QueryRows* rows, std::string_view context) {
    const char* error = nullptr;
    if (!ok_) {
      error = statement_ != nullptr ? duckdb_prepare_error(statement_) : nullptr;
    } else if (duckdb_execute_prepared(statement_, rows->get()) == DuckDBError) {
      error = duckdb_result_error(rows->get());
    } else {
      return Status::OK();
    }
    return Status::IOError(std::string(context) + ": " +
                           (error ? error : "could not bind the statement's parameters"));
  }
  Status Run(std::string_view context) {
    QueryRows rows;
    return Run(&rows, context);
  }

 private:
  duckdb_prepared_statement statement_ = nullptr;
  idx_t index_ = 0;
  bool ok_ = false;
};

// An owned in-memory DuckDB database with one connection: the warehouse's query engine over its
// Parquet files, and a load's staging area. `memory_limit` is DuckDB's syntax ("96MB");
// `temp_directory` is where DuckDB spills past it: its parents are made here, the folder itself
// by DuckDB when it first spills. `threads`: DuckDB's worker threads, 0 for its default (one per
// core).
class DuckDbSession {
 public:
  static Result<std::unique_ptr<DuckDbSession>> OpenInMemory(const std::string& memory_limit,
                                                             const std::string& temp_directory,
                                                             int threads = 0);
  ~DuckDbSession();
  DuckDbSession(const DuckDbSession&) = delete;
  DuckDbSession& operator=(const DuckDbSession&) = delete;

  duckdb_connection connection() const { return connection_; }

 private:
  DuckDbSession() = default;
  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
};

}  // namespace otsync::odps
