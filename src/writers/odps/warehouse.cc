#include "writers/odps/warehouse.h"

#include <duckdb.h>

#include <cstdlib>
#include <filesystem>
#include <utility>

namespace otsync::odps {
namespace {

// DuckDB's memory_limit for every warehouse this process opens, unless
// $OTSYNC_WAREHOUSE_MEMORY_LIMIT says otherwise (DuckDB's syntax: "96MB", "1GB").
constexpr char kDefaultMemoryLimit[] = "96MB";

constexpr std::string_view kMetadataSchema = R"sql(
CREATE TABLE IF NOT EXISTS _otsync_columns (
  table_name VARCHAR NOT NULL, ordinal INTEGER NOT NULL, column_name VARCHAR NOT NULL,
  column_type VARCHAR NOT NULL, is_partition BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS _otsync_partitions (
  table_name VARCHAR NOT NULL, partition_spec VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS _otsync_windows (
  table_name VARCHAR NOT NULL, partition_spec VARCHAR NOT NULL, source_table VARCHAR NOT NULL,
  stream_id VARCHAR NOT NULL, start_millis BIGINT NOT NULL, end_millis BIGINT NOT NULL,
  end_checkpoints BLOB NOT NULL, row_count BIGINT NOT NULL, truncate BOOLEAN NOT NULL,
  committed_at TIMESTAMP NOT NULL);
)sql";

std::string QuoteIdentifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

// DuckDB's name of a result column's type; the C API has no to-string for types.
std::string TypeName(duckdb_logical_type type) {
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

Status RunQuery(duckdb_connection connection, std::string_view sql, QueryRows* rows,
                std::string_view context) {
  std::string text(sql);
  if (duckdb_query(connection, text.c_str(), rows->get()) == DuckDBError) {
    const char* error = duckdb_result_error(rows->get());
    return Status::IOError(std::string(context) + ": " + (error ? error : "unknown DuckDB error"));
  }
  return Status::OK();
}

Status Execute(duckdb_connection connection, std::string_view sql, std::string_view context) {
  QueryRows rows;
  return RunQuery(connection, sql, &rows, context);
}

// A prepared statement with positional parameters, bound in order.
// The _otsync_windows rows of one window, for Statement::WindowKey bound as $1..$6.
constexpr std::string_view kWindowKeyMatch =
    "table_name = $1 AND partition_spec = $2 AND source_table = $3 AND stream_id = $4 AND "
    "start_millis = $5 AND end_millis = $6";

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
  // The six values that identify a committed window, in _otsync_windows' column order (see
  // kWindowKeyMatch).
  Statement& WindowKey(std::string_view table, std::string_view partition,
                       const sync::WindowKey& key) {
    return Text(table)
        .Text(partition)
        .Text(key.source_table)
        .Text(key.stream_id)
        .Int64(key.start_millis)
        .Int64(key.end_millis);
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

std::string PartitionFilter(const PartitionValues& partition) {
  std::string filter;
  for (const PartitionLevel& level : partition) {
    filter += filter.empty() ? " WHERE " : " AND ";
    filter += QuoteIdentifier(level.name) + " = " + QuoteLiteral(level.value);
  }
  return filter;
}

class DuckDbPartitionLoad final : public PartitionLoad {
 public:
  DuckDbPartitionLoad(duckdb_connection connection, TableSchema schema, PartitionValues partition,
                      bool truncate)
      : connection_(connection),
        schema_(std::move(schema)),
        partition_(std::move(partition)),
        partition_spec_(FormatPartition(partition_)),
        truncate_(truncate) {}

  ~DuckDbPartitionLoad() override {
    Abort();
    duckdb_disconnect(&connection_);
  }

  Status Begin() {
    OTSYNC_RETURN_IF_ERROR(Execute(connection_, "BEGIN TRANSACTION", "begin the load"));
    in_transaction_ = true;
    if (truncate_) {
      OTSYNC_RETURN_IF_ERROR(Execute(
          connection_, "DELETE FROM " + QuoteIdentifier(schema_.name) + PartitionFilter(partition_),
          "clear " + Destination()));
    }
    if (duckdb_appender_create(connection_, nullptr, schema_.name.c_str(), &appender_) ==
        DuckDBError) {
      return AppenderError("open an appender on " + Destination());
    }
    return Status::OK();
  }

  Status AppendRow(std::span<const CellValue> values) override {
    if (broken_ || appender_ == nullptr) {
      return Status::Internal("the load of " + Destination() + " can no longer take rows");
    }
    if (values.size() != schema_.columns.size()) {
      broken_ = true;
      return Status::Internal("a row for " + Destination() + " needs " +
                              std::to_string(schema_.columns.size()) + " values, got " +
                              std::to_string(values.size()));
    }
    for (const CellValue& value : values) {
      if (Append(value) == DuckDBError) {
        broken_ = true;
        return AppenderError("append a row to " + Destination());
      }
    }
    for (size_t i = 0; i < partition_.size(); ++i) {
      const std::string& text = partition_[i].value;
      if (duckdb_append_varchar_length(appender_, text.data(), text.size()) == DuckDBError) {
        broken_ = true;
        return AppenderError("append a row to " + Destination());
      }
    }
    if (duckdb_appender_end_row(appender_) == DuckDBError) {
      broken_ = true;
      return AppenderError("append a row to " + Destination());
    }
    ++rows_;
    return Status::OK();
  }

  int64_t rows() const override { return rows_; }

  Status Commit(const sync::CommittedWindow& window) override {
    if (broken_ || !in_transaction_) {
      return Status::Internal("the load of " + Destination() + " cannot be committed");
    }
    Status status = CommitTransaction(window);
    if (!status.ok()) Abort();
    return status;
  }

  void Abort() override {
    if (appender_ != nullptr) {
      duckdb_appender_destroy(&appender_);
      appender_ = nullptr;
    }
    if (in_transaction_) {
      (void)Execute(connection_, "ROLLBACK", "roll back the load");
      in_transaction_ = false;
    }
    broken_ = true;
  }

 private:
  std::string Destination() const {
    return partition_spec_.empty() ? "table " + schema_.name
                                   : "partition " + partition_spec_ + " of table " + schema_.name;
  }

  Status AppenderError(const std::string& context) {
    const char* error = appender_ != nullptr ? duckdb_appender_error(appender_) : nullptr;
    return Status::IOError("could not " + context + ": " + (error ? error : "DuckDB error"));
  }

  duckdb_state Append(const CellValue& value) {
    switch (value.kind) {
      case CellValue::Kind::kNull:
        return duckdb_append_null(appender_);
      case CellValue::Kind::kInteger:
        return duckdb_append_int64(appender_, value.integer);
      case CellValue::Kind::kDouble:
        return duckdb_append_double(appender_, value.number);
      case CellValue::Kind::kBoolean:
        return duckdb_append_bool(appender_, value.integer != 0);
      case CellValue::Kind::kText:
        return duckdb_append_varchar_length(appender_, value.text.data(), value.text.size());
      case CellValue::Kind::kBlob:
        return duckdb_append_blob(appender_, value.text.data(), value.text.size());
      case CellValue::Kind::kTimestampMicros:
        return duckdb_append_timestamp(appender_, duckdb_timestamp{value.integer});
      case CellValue::Kind::kDateDays:
        return duckdb_append_date(appender_, duckdb_date{static_cast<int32_t>(value.integer)});
    }
    return DuckDBError;
  }

  Status CommitTransaction(const sync::CommittedWindow& window) {
    if (duckdb_appender_close(appender_) == DuckDBError) {
      return AppenderError("flush the rows of " + Destination());
    }
    duckdb_appender_destroy(&appender_);
    appender_ = nullptr;

    if (!partition_spec_.empty()) {
      OTSYNC_RETURN_IF_ERROR(
          Statement(connection_,
                    "INSERT INTO _otsync_partitions SELECT $1, $2, now()::TIMESTAMP WHERE NOT "
                    "EXISTS (SELECT 1 FROM _otsync_partitions WHERE table_name = $1 AND "
                    "partition_spec = $2)")
              .Text(schema_.name)
              .Text(partition_spec_)
              .Run("add " + Destination()));
    }
    if (truncate_) {
      OTSYNC_RETURN_IF_ERROR(
          Statement(connection_,
                    "DELETE FROM _otsync_windows WHERE table_name = $1 AND partition_spec = $2")
              .Text(schema_.name)
              .Text(partition_spec_)
              .Run("clear the window records of " + Destination()));
    } else {
      QueryRows existing;
      const std::string count =
          "SELECT count(*) FROM _otsync_windows WHERE " + std::string(kWindowKeyMatch);
      OTSYNC_RETURN_IF_ERROR(Statement(connection_, count.c_str())
                                 .WindowKey(schema_.name, partition_spec_, window.key)
                                 .Run(&existing, "look up the window records of " + Destination()));
      if (existing.Int64(0, 0) > 0) {
        return Status::AlreadyExists("the window [" + std::to_string(window.key.start_millis) +
                                     ", " + std::to_string(window.key.end_millis) + ") of table " +
                                     window.key.source_table + " is already committed to " +
                                     Destination() + "; appending it again would duplicate it");
      }
    }
    OTSYNC_RETURN_IF_ERROR(Statement(connection_,
                                     "INSERT INTO _otsync_windows VALUES ($1, $2, $3, $4, $5, $6, "
                                     "$7, $8, $9, now()::TIMESTAMP)")
                               .WindowKey(schema_.name, partition_spec_, window.key)
                               .Blob(window.end_checkpoints)
                               .Int64(rows_)
                               .Bool(truncate_)
                               .Run("record the window committed to " + Destination()));
    Status committed = Execute(connection_, "COMMIT", "commit the rows of " + Destination());
    if (!committed.ok()) return committed;
    in_transaction_ = false;
    return Status::OK();
  }

  duckdb_connection connection_;
  duckdb_appender appender_ = nullptr;
  TableSchema schema_;
  PartitionValues partition_;
  std::string partition_spec_;
  bool truncate_;
  bool in_transaction_ = false;
  bool broken_ = false;
  int64_t rows_ = 0;
};

}  // namespace

struct Warehouse::Impl {
  std::string path;
  duckdb_database database = nullptr;
  duckdb_connection connection = nullptr;

  ~Impl() {
    if (connection != nullptr) duckdb_disconnect(&connection);
    if (database != nullptr) duckdb_close(&database);
  }

  Result<bool> TableExists(const std::string& table) {
    QueryRows rows;
    OTSYNC_RETURN_IF_ERROR(Statement(connection,
                                     "SELECT count(*) FROM information_schema.tables WHERE "
                                     "table_schema = 'main' AND lower(table_name) = $1")
                               .Text(table)
                               .Run(&rows, "look up table " + table));
    return rows.Int64(0, 0) > 0;
  }
};

Result<ParquetCompression> ParseParquetCompression(std::string_view name) {
  std::string lower = ToLower(name);
  for (ParquetCompression compression :
       {ParquetCompression::kUncompressed, ParquetCompression::kSnappy, ParquetCompression::kGzip,
        ParquetCompression::kZstd, ParquetCompression::kLz4, ParquetCompression::kBrotli}) {
    if (ParquetCompressionName(compression) == lower) return compression;
  }
  return Status::InvalidArgument("unknown Parquet compression \"" + std::string(name) +
                                 "\"; expected uncompressed, snappy, gzip, zstd, lz4 or brotli");
}

std::string_view ParquetCompressionName(ParquetCompression compression) {
  switch (compression) {
    case ParquetCompression::kUncompressed:
      return "uncompressed";
    case ParquetCompression::kSnappy:
      return "snappy";
    case ParquetCompression::kGzip:
      return "gzip";
    case ParquetCompression::kZstd:
      return "zstd";
    case ParquetCompression::kLz4:
      return "lz4";
    case ParquetCompression::kBrotli:
      return "brotli";
  }
  return "uncompressed";
}

Warehouse::Warehouse(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Warehouse::~Warehouse() = default;

const std::string& Warehouse::path() const { return impl_->path; }

Result<std::unique_ptr<Warehouse>> Warehouse::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  char* error = nullptr;
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) {
    return Status::IOError("could not configure the warehouse " + path);
  }
  // DuckDB's own default memory_limit is 80 % of RAM: an uncommitted load of a big window would
  // keep its row groups in memory. With a limit it writes them to the file (still uncommitted)
  // and evicts them, so otsync's memory stays flat whatever the window (invariant 5; 10M rows:
  // ~200 MB peak RSS for the writer alone instead of ~310 MB). Queries spill to the
  // temp directory beside the file past the limit.
  const char* limit = std::getenv("OTSYNC_WAREHOUSE_MEMORY_LIMIT");
  if (limit == nullptr || *limit == '\0') limit = kDefaultMemoryLimit;
  if (duckdb_set_config(config, "memory_limit", limit) == DuckDBError) {
    duckdb_destroy_config(&config);
    return Status::InvalidArgument(std::string("OTSYNC_WAREHOUSE_MEMORY_LIMIT: expected a size "
                                               "such as 96MB or 1GB, got \"") +
                                   limit + "\"");
  }
  const duckdb_state opened = duckdb_open_ext(path.c_str(), &impl->database, config, &error);
  duckdb_destroy_config(&config);
  if (opened == DuckDBError) {
    std::string message =
        "could not open the warehouse " + path + ": " + (error != nullptr ? error : "DuckDB error");
    duckdb_free(error);
    return Status::IOError(std::move(message));
  }
  if (duckdb_connect(impl->database, &impl->connection) == DuckDBError) {
    return Status::IOError("could not connect to the warehouse " + path);
  }
  OTSYNC_RETURN_IF_ERROR(
      Execute(impl->connection, kMetadataSchema, "prepare the warehouse " + path));
  return std::unique_ptr<Warehouse>(new Warehouse(std::move(impl)));
}

Status Warehouse::CreateTable(const TableSchema& schema) {
  for (const Column& column : schema.partition_columns) {
    ColumnKind kind = column.type.kind;
    if (kind != ColumnKind::kString && kind != ColumnKind::kBigint && kind != ColumnKind::kInt &&
        kind != ColumnKind::kSmallint && kind != ColumnKind::kTinyint) {
      return Status::InvalidArgument("partition column " + column.name + " of table " +
                                     schema.name + " is " + ColumnTypeName(column.type) +
                                     "; partition columns are STRING or an integer type");
    }
  }
  OTSYNC_ASSIGN_OR_RETURN(bool exists, impl_->TableExists(schema.name));
  if (exists) return Status::AlreadyExists("table " + schema.name + " already exists");

  std::string ddl = "CREATE TABLE " + QuoteIdentifier(schema.name) + " (";
  bool first = true;
  for (const auto* list : {&schema.columns, &schema.partition_columns}) {
    for (const Column& column : *list) {
      if (!first) ddl += ", ";
      first = false;
      ddl += QuoteIdentifier(column.name) + " " + DuckDbTypeName(column.type);
    }
  }
  ddl += ")";

  duckdb_connection connection = impl_->connection;
  OTSYNC_RETURN_IF_ERROR(Execute(connection, "BEGIN TRANSACTION", "create table " + schema.name));
  Status status = Execute(connection, ddl, "create table " + schema.name);
  int ordinal = 0;
  for (const auto* list : {&schema.columns, &schema.partition_columns}) {
    bool is_partition = list == &schema.partition_columns;
    for (const Column& column : *list) {
      if (!status.ok()) break;
      status = Statement(connection, "INSERT INTO _otsync_columns VALUES ($1, $2, $3, $4, $5)")
                   .Text(schema.name)
                   .Int64(ordinal++)
                   .Text(column.name)
                   .Text(ColumnTypeName(column.type))
                   .Bool(is_partition)
                   .Run("create table " + schema.name);
    }
  }
  if (status.ok()) status = Execute(connection, "COMMIT", "create table " + schema.name);
  if (!status.ok()) (void)Execute(connection, "ROLLBACK", "roll back");
  return status;
}

Result<TableSchema> Warehouse::DescribeTable(std::string_view table) {
  TableSchema schema;
  schema.name = ToLower(table);
  QueryRows rows;
  OTSYNC_RETURN_IF_ERROR(Statement(impl_->connection,
                                   "SELECT column_name, column_type, is_partition FROM "
                                   "_otsync_columns WHERE table_name = $1 ORDER BY ordinal")
                             .Text(schema.name)
                             .Run(&rows, "describe table " + schema.name));
  if (rows.row_count() == 0) {
    return Status::NotFound("table " + schema.name + " does not exist in the warehouse " +
                            impl_->path);
  }
  for (idx_t row = 0; row < rows.row_count(); ++row) {
    Column column;
    column.name = rows.Text(0, row);
    OTSYNC_ASSIGN_OR_RETURN(column.type, ParseColumnType(rows.Text(1, row)));
    (rows.Bool(2, row) ? schema.partition_columns : schema.columns).push_back(std::move(column));
  }
  return schema;
}

Result<std::vector<std::string>> Warehouse::ListTables() {
  QueryRows rows;
  OTSYNC_RETURN_IF_ERROR(RunQuery(impl_->connection,
                                  "SELECT DISTINCT table_name FROM _otsync_columns ORDER BY 1",
                                  &rows, "list tables"));
  std::vector<std::string> tables;
  for (idx_t row = 0; row < rows.row_count(); ++row) tables.push_back(rows.Text(0, row));
  return tables;
}

Result<std::vector<std::string>> Warehouse::ListPartitions(std::string_view table) {
  OTSYNC_ASSIGN_OR_RETURN(TableSchema schema, DescribeTable(table));
  QueryRows rows;
  OTSYNC_RETURN_IF_ERROR(Statement(impl_->connection,
                                   "SELECT partition_spec FROM _otsync_partitions WHERE "
                                   "table_name = $1 ORDER BY partition_spec")
                             .Text(schema.name)
                             .Run(&rows, "list the partitions of table " + schema.name));
  std::vector<std::string> partitions;
  for (idx_t row = 0; row < rows.row_count(); ++row) partitions.push_back(rows.Text(0, row));
  return partitions;
}

Result<QueryResult> Warehouse::Query(std::string_view sql) {
  QueryRows rows;
  OTSYNC_RETURN_IF_ERROR(RunQuery(impl_->connection, sql, &rows, "query failed"));
  QueryResult result;
  idx_t columns = rows.column_count();
  for (idx_t column = 0; column < columns; ++column) {
    result.column_names.emplace_back(duckdb_column_name(rows.get(), column));
    duckdb_logical_type type = duckdb_column_logical_type(rows.get(), column);
    result.column_types.push_back(TypeName(type));
    duckdb_destroy_logical_type(&type);
  }
  idx_t row_count = rows.row_count();
  result.rows.reserve(row_count);
  for (idx_t row = 0; row < row_count; ++row) {
    std::vector<std::optional<std::string>> cells;
    cells.reserve(columns);
    for (idx_t column = 0; column < columns; ++column) {
      if (rows.is_null(column, row)) {
        cells.emplace_back(std::nullopt);
      } else {
        cells.emplace_back(rows.Text(column, row));
      }
    }
    result.rows.push_back(std::move(cells));
  }
  return result;
}

Result<std::vector<ExportedFile>> Warehouse::ExportParquet(std::string_view table,
                                                           std::string_view partition,
                                                           const std::string& output_dir,
                                                           ParquetCompression compression) {
  OTSYNC_ASSIGN_OR_RETURN(TableSchema schema, DescribeTable(table));
  std::vector<PartitionValues> partitions;
  if (!partition.empty()) {
    OTSYNC_ASSIGN_OR_RETURN(PartitionValues resolved,
                            ResolvePartition(schema, partition, /*truncate=*/false));
    partitions.push_back(std::move(resolved));
  } else if (schema.partitioned()) {
    OTSYNC_ASSIGN_OR_RETURN(std::vector<std::string> specs, ListPartitions(schema.name));
    for (const std::string& spec : specs) {
      OTSYNC_ASSIGN_OR_RETURN(PartitionValues resolved, ResolvePartition(schema, spec, false));
      partitions.push_back(std::move(resolved));
    }
  } else {
    partitions.emplace_back();
  }

  std::string select_list;
  for (const Column& column : schema.columns) {
    if (!select_list.empty()) select_list += ", ";
    select_list += QuoteIdentifier(column.name);
  }
  std::vector<ExportedFile> files;
  for (const PartitionValues& levels : partitions) {
    std::filesystem::path folder = std::filesystem::path(output_dir) / schema.name;
    for (const PartitionLevel& level : levels) folder /= level.name + "=" + level.value;
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) {
      return Status::IOError("could not create " + folder.string() + ": " + error.message());
    }
    ExportedFile file;
    file.path = (folder / "part-00000.parquet").string();
    file.partition = FormatPartition(levels);
    std::string copy = "COPY (SELECT " + select_list + " FROM " + QuoteIdentifier(schema.name) +
                       PartitionFilter(levels) + ") TO " + QuoteLiteral(file.path) +
                       " (FORMAT parquet, COMPRESSION " +
                       std::string(ParquetCompressionName(compression)) + ")";
    QueryRows rows;
    OTSYNC_RETURN_IF_ERROR(RunQuery(impl_->connection, copy, &rows, "export to " + file.path));
    file.rows = static_cast<int64_t>(duckdb_rows_changed(rows.get()));
    files.push_back(std::move(file));
  }
  return files;
}

Result<std::optional<sync::CommittedWindow>> Warehouse::FindCommittedWindow(
    std::string_view table, std::string_view partition, const sync::WindowKey& key) {
  QueryRows rows;
  const std::string query = "SELECT end_checkpoints, row_count FROM _otsync_windows WHERE " +
                            std::string(kWindowKeyMatch) + " ORDER BY committed_at DESC LIMIT 1";
  OTSYNC_RETURN_IF_ERROR(Statement(impl_->connection, query.c_str())
                             .WindowKey(ToLower(table), partition, key)
                             .Run(&rows, "read the committed windows"));
  if (rows.row_count() == 0) return std::optional<sync::CommittedWindow>();
  sync::CommittedWindow window;
  window.key = key;
  window.end_checkpoints = rows.Blob(0, 0);
  window.rows = rows.Int64(1, 0);
  return std::optional<sync::CommittedWindow>(std::move(window));
}

Result<std::unique_ptr<PartitionLoad>> Warehouse::BeginLoad(const TableSchema& schema,
                                                            const PartitionValues& partition,
                                                            bool truncate) {
  duckdb_connection connection = nullptr;
  if (duckdb_connect(impl_->database, &connection) == DuckDBError) {
    return Status::IOError("could not open a connection to the warehouse " + impl_->path);
  }
  auto load = std::make_unique<DuckDbPartitionLoad>(connection, schema, partition, truncate);
  OTSYNC_RETURN_IF_ERROR(load->Begin());
  return std::unique_ptr<PartitionLoad>(std::move(load));
}

}  // namespace otsync::odps
