#include "writers/odps/snapshot_session.h"

namespace otsync::odps {
namespace {

constexpr std::string_view kBookkeepingSchema = R"sql(
CREATE TABLE _otsync_columns (
  table_name VARCHAR NOT NULL, ordinal INTEGER NOT NULL, column_name VARCHAR NOT NULL,
  column_type VARCHAR NOT NULL, is_partition BOOLEAN NOT NULL);
CREATE TABLE _otsync_partitions (
  table_name VARCHAR NOT NULL, partition_spec VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL);
CREATE TABLE _otsync_windows (
  table_name VARCHAR NOT NULL, partition_spec VARCHAR NOT NULL, source_table VARCHAR NOT NULL,
  stream_id VARCHAR NOT NULL, start_millis BIGINT NOT NULL, end_millis BIGINT NOT NULL,
  end_checkpoints BLOB NOT NULL, row_count BIGINT NOT NULL, truncate BOOLEAN NOT NULL,
  committed_at TIMESTAMP NOT NULL);
)sql";

// Owns a duckdb_appender; every Append call is checked at Close.
class Appender {
 public:
  Appender(duckdb_connection connection, const char* table) {
    ok_ = duckdb_appender_create(connection, nullptr, table, &appender_) == DuckDBSuccess;
  }
  ~Appender() { duckdb_appender_destroy(&appender_); }
  Appender& Text(std::string_view text) {
    ok_ = ok_ && duckdb_append_varchar_length(appender_, text.data(), text.size()) == DuckDBSuccess;
    return *this;
  }
  Appender& Blob(std::string_view bytes) {
    ok_ = ok_ && duckdb_append_blob(appender_, bytes.data(), bytes.size()) == DuckDBSuccess;
    return *this;
  }
  Appender& Int64(int64_t value) {
    ok_ = ok_ && duckdb_append_int64(appender_, value) == DuckDBSuccess;
    return *this;
  }
  Appender& Bool(bool value) {
    ok_ = ok_ && duckdb_append_bool(appender_, value) == DuckDBSuccess;
    return *this;
  }
  Appender& Timestamp(int64_t micros) {
    ok_ = ok_ && duckdb_append_timestamp(appender_, duckdb_timestamp{micros}) == DuckDBSuccess;
    return *this;
  }
  void EndRow() { ok_ = ok_ && duckdb_appender_end_row(appender_) == DuckDBSuccess; }
  Status Close(std::string_view what) {
    if (ok_ && duckdb_appender_close(appender_) == DuckDBSuccess) return Status::OK();
    const char* error = appender_ != nullptr ? duckdb_appender_error(appender_) : nullptr;
    return Status::IOError("could not fill " + std::string(what) + ": " +
                           (error != nullptr ? error : "DuckDB error"));
  }

 private:
  duckdb_appender appender_ = nullptr;
  bool ok_ = false;
};

Status AddBookkeeping(duckdb_connection connection, const WarehouseManifest& manifest) {
  OTSYNC_RETURN_IF_ERROR(Execute(connection, kBookkeepingSchema, "describe the warehouse"));
  Appender columns(connection, "_otsync_columns");
  Appender partitions(connection, "_otsync_partitions");
  for (const TableEntry& table : manifest.tables) {
    int64_t ordinal = 0;
    for (const auto* list : {&table.schema.columns, &table.schema.partition_columns}) {
      for (const Column& column : *list) {
        columns.Text(table.schema.name)
            .Int64(ordinal++)
            .Text(column.name)
            .Text(ColumnTypeName(column.type))
            .Bool(list == &table.schema.partition_columns)
            .EndRow();
      }
    }
    for (const PartitionEntry& partition : table.partitions) {
      if (partition.spec.empty()) continue;
      partitions.Text(table.schema.name)
          .Text(partition.spec)
          .Timestamp(partition.created_at_micros)
          .EndRow();
    }
  }
  OTSYNC_RETURN_IF_ERROR(columns.Close("_otsync_columns"));
  OTSYNC_RETURN_IF_ERROR(partitions.Close("_otsync_partitions"));
  Appender windows(connection, "_otsync_windows");
  for (const WindowEntry& window : manifest.windows) {
    windows.Text(window.table)
        .Text(window.partition)
        .Text(window.key.source_table)
        .Text(window.key.stream_id)
        .Int64(window.key.start_millis)
        .Int64(window.key.end_millis)
        .Blob(window.end_checkpoints)
        .Int64(window.rows)
        .Bool(window.truncate)
        .Timestamp(window.committed_at_micros)
        .EndRow();
  }
  return windows.Close("_otsync_windows");
}

std::string ColumnDefinitions(const TableSchema& schema) {
  std::string definitions;
  for (const auto* list : {&schema.columns, &schema.partition_columns}) {
    for (const Column& column : *list) {
      definitions += (definitions.empty() ? "" : ", ") + QuoteIdentifier(column.name) + " " +
                     DuckDbTypeName(column.type);
    }
  }
  return definitions;
}

// The view of a table with files: the column list and types are the table's, whatever the
// files' order.
std::string TableView(const TableEntry& table, const std::string& root) {
  std::string files;
  for (const PartitionEntry& partition : table.partitions) {
    for (const DataFile& file : partition.files) {
      files += (files.empty() ? "" : ", ") + QuoteLiteral(root + "/" + file.path);
    }
  }
  if (files.empty()) return "";
  std::string select;
  for (const auto* list : {&table.schema.columns, &table.schema.partition_columns}) {
    for (const Column& column : *list) {
      select += (select.empty() ? "" : ", ") + QuoteIdentifier(column.name);
    }
  }
  return "CREATE VIEW " + QuoteIdentifier(table.schema.name) + " AS SELECT " + select +
         " FROM read_parquet([" + files + "])";
}

}  // namespace

Result<std::unique_ptr<DuckDbSession>> OpenSnapshotSession(const WarehouseManifest& manifest,
                                                           const std::string& root,
                                                           const std::string& memory_limit,
                                                           const std::string& spill_folder) {
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<DuckDbSession> session,
                          DuckDbSession::OpenInMemory(memory_limit, spill_folder));
  duckdb_connection connection = session->connection();
  for (const TableEntry& table : manifest.tables) {
    std::string view = TableView(table, root);
    std::string ddl = view.empty() ? "CREATE TABLE " + QuoteIdentifier(table.schema.name) + " (" +
                                         ColumnDefinitions(table.schema) + ")"
                                   : view;
    OTSYNC_RETURN_IF_ERROR(Execute(connection, ddl, "open table " + table.schema.name));
  }
  OTSYNC_RETURN_IF_ERROR(AddBookkeeping(connection, manifest));
  return session;
}

}  // namespace otsync::odps
