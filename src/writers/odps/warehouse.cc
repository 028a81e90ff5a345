#include "writers/odps/warehouse.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "writers/odps/duckdb_support.h"
#include "writers/odps/manifest_log.h"
#include "writers/odps/parquet_load.h"
#include "writers/odps/snapshot_session.h"
#include "writers/odps/warehouse_commit.h"

namespace otsync::odps {
namespace {

// DuckDB's memory_limit for every DuckDB this process starts for the warehouse (queries and the
// staging of loads), unless $OTSYNC_WAREHOUSE_MEMORY_LIMIT says otherwise (DuckDB's syntax:
// "96MB", "1GB"). DuckDB's own default is 80 % of RAM.
constexpr char kDefaultMemoryLimit[] = "96MB";

std::string PartitionFilter(const PartitionValues& partition) {
  std::string filter;
  for (const PartitionLevel& level : partition) {
    filter += filter.empty() ? " WHERE " : " AND ";
    filter += QuoteIdentifier(level.name) + " = " + QuoteLiteral(level.value);
  }
  return filter;
}

// Statements that would change a table: a query session is a snapshot, so these are refused
// instead of seeming to work and being forgotten.
bool ChangesData(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_INSERT:
    case DUCKDB_STATEMENT_TYPE_UPDATE:
    case DUCKDB_STATEMENT_TYPE_DELETE:
    case DUCKDB_STATEMENT_TYPE_CREATE:
    case DUCKDB_STATEMENT_TYPE_ALTER:
    case DUCKDB_STATEMENT_TYPE_DROP:
    case DUCKDB_STATEMENT_TYPE_ATTACH:
    case DUCKDB_STATEMENT_TYPE_DETACH:
    case DUCKDB_STATEMENT_TYPE_CREATE_FUNC:
    case DUCKDB_STATEMENT_TYPE_VACUUM:
      return true;
    default:
      return false;
  }
}

// Statements a confined query may not run besides those: they write files (COPY, EXPORT),
// load code (LOAD, INSTALL) or change settings (SET, PRAGMA, ATTACH).
bool LeavesTheWarehouse(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_COPY:
    case DUCKDB_STATEMENT_TYPE_EXPORT:
    case DUCKDB_STATEMENT_TYPE_LOAD:
    case DUCKDB_STATEMENT_TYPE_EXTENSION:
    case DUCKDB_STATEMENT_TYPE_SET:
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
      return true;
    default:
      return false;
  }
}

// Keeps a session to the warehouse's data files (and its own spill folder, so that a large
// query can still spill): DuckDB refuses every other path from now on, and the setting cannot be
// turned back.
Status Confine(duckdb_connection connection, const std::string& root,
               const std::string& spill_folder) {
  return Execute(connection,
                 "SET allowed_directories = [" + QuoteLiteral(root + "/data/") + ", " +
                     QuoteLiteral(spill_folder + "/") +
                     "]; SET enable_external_access = false; SET lock_configuration = true;",
                 "confine the query to the warehouse");
}

Status QueryFailed(const char* error) {
  return Status::IOError(std::string("query failed: ") + (error ? error : "DuckDB error"));
}

// DuckDB's advice on running out of memory names its own SET; where otsync's limit comes from is
// otsync's to say. `memory_limit`: the limit the failed query ran under.
Status WithMemoryAdvice(Status status, const std::string& memory_limit) {
  if (status.ok() || status.message().find("Out of Memory Error") == std::string::npos) {
    return status;
  }
  return Status(status.code(), status.message() + "\n\notsync gives a warehouse query " +
                                   memory_limit +
                                   " of memory: set OTSYNC_WAREHOUSE_MEMORY_LIMIT (e.g. "
                                   "OTSYNC_WAREHOUSE_MEMORY_LIMIT=1GB), or begin the SQL with SET "
                                   "memory_limit='1GB';");
}

Status QueryTimedOut(int64_t timeout_millis) {
  std::string limit = timeout_millis % 1000 == 0 ? std::to_string(timeout_millis / 1000) + " s"
                                                 : std::to_string(timeout_millis) + " ms";
  return Status(StatusCode::kTimeout, "query stopped: it ran longer than " + limit +
                                          "; narrow it (a WHERE on the partition, a LIMIT)");
}

// Interrupts the statement running on a connection once its deadline (none when zero) has
// passed, once. The statement then fails at its next task; it is driven to that end rather than
// abandoned, which would leave DuckDB's plan half torn down.
class StatementDeadline {
 public:
  explicit StatementDeadline(std::chrono::steady_clock::time_point at) : at_(at) {}

  // Interrupts `connection`'s statement if the deadline has passed and it was not yet; returns
  // whether it has been interrupted.
  bool InterruptIfPassed(duckdb_connection connection) {
    if (!interrupted_ && at_ != std::chrono::steady_clock::time_point() &&
        std::chrono::steady_clock::now() >= at_) {
      duckdb_interrupt(connection);
      interrupted_ = true;
    }
    return interrupted_;
  }
  bool interrupted() const { return interrupted_; }

 private:
  const std::chrono::steady_clock::time_point at_;
  bool interrupted_ = false;
};

// Runs `statement` into `rows`, giving up at `deadline` (none when zero). `streaming`: `rows` is
// a stream, computed as it is read (duckdb_fetch_chunk), not the whole result.
Status ExecuteBefore(duckdb_connection connection, duckdb_prepared_statement statement,
                     std::chrono::steady_clock::time_point deadline, int64_t timeout_millis,
                     bool streaming, QueryRows* rows) {
  const bool timed = deadline != std::chrono::steady_clock::time_point();
  if (!timed && !streaming) {
    if (duckdb_execute_prepared(statement, rows->get()) == DuckDBError) {
      return QueryFailed(duckdb_result_error(rows->get()));
    }
    return Status::OK();
  }
  duckdb_pending_result pending = nullptr;
  Status status;
  const duckdb_state started = streaming ? duckdb_pending_prepared_streaming(statement, &pending)
                                         : duckdb_pending_prepared(statement, &pending);
  if (started == DuckDBError) {
    status = QueryFailed(pending != nullptr ? duckdb_pending_error(pending) : nullptr);
  }
  StatementDeadline statement_deadline(deadline);
  while (status.ok()) {
    statement_deadline.InterruptIfPassed(connection);
    duckdb_pending_state state = duckdb_pending_execute_task(pending);
    if (state == DUCKDB_PENDING_ERROR) {
      status = QueryFailed(duckdb_pending_error(pending));
    } else if (duckdb_pending_execution_is_finished(state)) {
      if (duckdb_execute_pending(pending, rows->get()) == DuckDBError) {
        status = QueryFailed(duckdb_result_error(rows->get()));
      }
      break;
    } else if (state == DUCKDB_PENDING_NO_TASKS_AVAILABLE) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  duckdb_destroy_pending(&pending);
  if (statement_deadline.interrupted()) return QueryTimedOut(timeout_millis);
  return status;
}

// Keeps rows within QueryLimits' row and text limits; the first row that would cross one is
// not kept, nor any after it, but every row is counted.
class LimitedRows {
 public:
  LimitedRows(const QueryLimits& limits, QueryResult* result) : limits_(limits), result_(result) {}

  bool keeping() const { return keeping_; }

  // Offers the next row; `cells` is kept when the limits allow.
  void Offer(std::vector<std::optional<std::string>> cells) {
    ++result_->total_rows;
    if (!keeping_) return;
    if (limits_.max_rows > 0 && static_cast<int64_t>(result_->rows.size()) >= limits_.max_rows) {
      Stop();
      return;
    }
    for (const std::optional<std::string>& cell : cells) {
      if (cell.has_value()) text_bytes_ += static_cast<int64_t>(cell->size());
    }
    if (limits_.max_text_bytes > 0 && text_bytes_ > limits_.max_text_bytes) {
      Stop();
      return;
    }
    result_->rows.push_back(std::move(cells));
  }

  // Counts `count` more rows, none of them kept (only once keeping() is false).
  void Count(int64_t count) { result_->total_rows += count; }

 private:
  void Stop() {
    keeping_ = false;
    result_->truncated = true;
  }

  const QueryLimits& limits_;
  QueryResult* result_;
  bool keeping_ = true;
  int64_t text_bytes_ = 0;
};

// The one SELECT `sql` (prepared as `statement`) as text, streamed: DuckDB casts each cell to
// VARCHAR, as it renders values, and the rows past the limits are counted, not kept, so the
// memory the answer takes is bounded by the limits whatever the query returns. (DuckDB's C API
// renders no value of a streamed chunk as text itself, and duckdb_value_varchar on a whole
// result renders a LIST or STRUCT as an empty string.) nullopt when DuckDB cannot run `sql` in
// its query() table function; the caller then runs it whole.
Result<std::optional<QueryResult>> StreamAsText(duckdb_connection connection,
                                                duckdb_prepared_statement statement,
                                                const std::string& sql,
                                                std::chrono::steady_clock::time_point deadline,
                                                const QueryLimits& limits) {
  const std::string as_text =
      "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM query(" + QuoteLiteral(sql) + ")";
  duckdb_prepared_statement text_statement = nullptr;
  const idx_t columns = duckdb_prepared_statement_column_count(statement);
  if (duckdb_prepare(connection, as_text.c_str(), &text_statement) == DuckDBError ||
      duckdb_prepared_statement_column_count(text_statement) != columns) {
    duckdb_destroy_prepare(&text_statement);
    return std::optional<QueryResult>();
  }
  QueryResult result;
  for (idx_t column = 0; column < columns; ++column) {
    const char* name = duckdb_prepared_statement_column_name(statement, column);
    result.column_names.emplace_back(name != nullptr ? name : "");
    duckdb_free(const_cast<char*>(name));
    duckdb_logical_type type = duckdb_prepared_statement_column_logical_type(statement, column);
    result.column_types.push_back(TypeName(type));
    duckdb_destroy_logical_type(&type);
  }
  QueryRows rows;
  const Status started = ExecuteBefore(connection, text_statement, deadline, limits.timeout_millis,
                                       /*streaming=*/true, &rows);
  duckdb_destroy_prepare(&text_statement);
  OTSYNC_RETURN_IF_ERROR(started);

  LimitedRows kept(limits, &result);
  StatementDeadline statement_deadline(deadline);
  for (;;) {
    const bool interrupted = statement_deadline.InterruptIfPassed(connection);
    duckdb_data_chunk chunk = duckdb_fetch_chunk(*rows.get());
    if (chunk == nullptr) break;
    const idx_t size = duckdb_data_chunk_get_size(chunk);
    idx_t row = 0;
    for (; row < size && kept.keeping(); ++row) {
      std::vector<std::optional<std::string>> cells;
      cells.reserve(columns);
      for (idx_t column = 0; column < columns; ++column) {
        duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, column);
        uint64_t* validity = duckdb_vector_get_validity(vector);
        if (validity != nullptr && !duckdb_validity_row_is_valid(validity, row)) {
          cells.emplace_back(std::nullopt);
          continue;
        }
        auto* text = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector)) + row;
        cells.emplace_back(std::string(duckdb_string_t_data(text), duckdb_string_t_length(*text)));
      }
      kept.Offer(std::move(cells));
    }
    kept.Count(static_cast<int64_t>(size - row));
    duckdb_destroy_data_chunk(&chunk);
    if (interrupted) break;
  }
  if (statement_deadline.interrupted()) return QueryTimedOut(limits.timeout_millis);
  const char* error = duckdb_result_error(rows.get());
  if (error != nullptr) return QueryFailed(error);
  return std::optional<QueryResult>(std::move(result));
}

// The first word of each statement of `sql`, upper-cased, skipping comments and quoted text: the
// statements DuckDB cannot even prepare (a DELETE from a table's view) are named by it.
std::vector<std::string> LeadingKeywords(std::string_view sql) {
  std::vector<std::string> keywords;
  bool in_statement = false;  // A word of the current statement has been seen.
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      i = std::min(sql.find('\n', i), sql.size());
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '\'' || c == '"') {
      if (!in_statement) {
        keywords.emplace_back();
        in_statement = true;
      }
      size_t end = sql.find(c, i + 1);
      while (end != std::string_view::npos && end + 1 < sql.size() && sql[end + 1] == c) {
        end = sql.find(c, end + 2);
      }
      i = end == std::string_view::npos ? sql.size() : end;
    } else if (c == ';') {
      in_statement = false;
    } else if (std::isalpha(static_cast<unsigned char>(c)) && !in_statement) {
      size_t end = i;
      while (end < sql.size() && std::isalpha(static_cast<unsigned char>(sql[end]))) ++end;
      std::string keyword(sql.substr(i, end - i));
      for (char& letter : keyword) letter = static_cast<char>(std::toupper(letter));
      keywords.push_back(std::move(keyword));
      in_statement = true;
      i = end - 1;
    } else if (!std::isspace(static_cast<unsigned char>(c)) && !in_statement) {
      keywords.emplace_back();
      in_statement = true;
    }
  }
  return keywords;
}

bool IsWriteKeyword(std::string_view keyword) {
  for (std::string_view write : {"INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "ALTER", "DROP",
                                 "TRUNCATE", "ATTACH", "DETACH", "VACUUM"}) {
    if (keyword == write) return true;
  }
  return false;
}

constexpr char kReadOnlyMessage[] =
    "query failed: the warehouse is read-only here — tables change only through jobs (otsync run) "
    "and `otsync warehouse create-table`";

// Runs every statement of `sql`, refusing those that change data (and, confined, those that
// leave the warehouse); `rows` gets the last one's — or, when `sql` is one SELECT, `streamed`
// gets its rows as text, streamed within the limits (StreamAsText).
Status RunReadOnly(duckdb_connection connection, const std::string& sql, const QueryLimits& limits,
                   QueryRows* rows, std::optional<QueryResult>* streamed) {
  std::chrono::steady_clock::time_point deadline;
  if (limits.timeout_millis > 0) {
    deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limits.timeout_millis);
  }
  duckdb_extracted_statements statements = nullptr;
  idx_t count = duckdb_extract_statements(connection, sql.c_str(), &statements);
  Status status;
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(statements);
    status = Status::IOError(std::string("query failed: ") +
                             (error != nullptr ? error : "no statement in the SQL"));
  }
  std::vector<std::string> keywords;
  if (count > 0) keywords = LeadingKeywords(sql);
  for (idx_t i = 0; status.ok() && i < count; ++i) {
    duckdb_prepared_statement statement = nullptr;
    if (duckdb_prepare_extracted_statement(connection, statements, i, &statement) == DuckDBError) {
      const char* error = duckdb_prepare_error(statement);
      if (keywords.size() == count && IsWriteKeyword(keywords[i])) {
        status = Status::InvalidArgument(kReadOnlyMessage);
      } else {
        status = Status::IOError(std::string("query failed: ") + (error ? error : "DuckDB error"));
      }
    } else if (ChangesData(duckdb_prepared_statement_type(statement))) {
      status = Status::InvalidArgument(kReadOnlyMessage);
    } else if (limits.confined && LeavesTheWarehouse(duckdb_prepared_statement_type(statement))) {
      status = Status::InvalidArgument(
          "query failed: only queries of the warehouse's tables run here (no COPY, EXPORT, SET, "
          "PRAGMA, LOAD or INSTALL); `otsync warehouse query` and `otsync warehouse export` run "
          "the others");
    } else {
      if (count == 1 && duckdb_prepared_statement_type(statement) == DUCKDB_STATEMENT_TYPE_SELECT) {
        Result<std::optional<QueryResult>> text =
            StreamAsText(connection, statement, sql, deadline, limits);
        if (!text.ok()) {
          status = text.status();
        } else {
          *streamed = std::move(*text);
        }
      }
      if (status.ok() && !streamed->has_value()) {
        duckdb_destroy_result(rows->get());
        *rows->get() = duckdb_result{};
        status = ExecuteBefore(connection, statement, deadline, limits.timeout_millis,
                               /*streaming=*/false, rows);
      }
    }
    duckdb_destroy_prepare(&statement);
  }
  duckdb_destroy_extracted(&statements);
  return status;
}

// The rows of `rows` as text, within `limits` (LimitedRows).
QueryResult ToQueryResult(QueryRows& rows, const QueryLimits& limits) {
  QueryResult result;
  idx_t columns = rows.column_count();
  for (idx_t column = 0; column < columns; ++column) {
    result.column_names.emplace_back(duckdb_column_name(rows.get(), column));
    duckdb_logical_type type = duckdb_column_logical_type(rows.get(), column);
    result.column_types.push_back(TypeName(type));
    duckdb_destroy_logical_type(&type);
  }
  const idx_t row_count = rows.row_count();
  LimitedRows kept(limits, &result);
  idx_t row = 0;
  for (; row < row_count && kept.keeping(); ++row) {
    std::vector<std::optional<std::string>> cells;
    cells.reserve(columns);
    for (idx_t column = 0; column < columns; ++column) {
      if (rows.is_null(column, row)) {
        cells.emplace_back(std::nullopt);
      } else {
        cells.emplace_back(rows.Text(column, row));
      }
    }
    kept.Offer(std::move(cells));
  }
  kept.Count(static_cast<int64_t>(row_count - row));
  return result;
}

}  // namespace

struct Warehouse::Impl {
  explicit Impl(ManifestLog log, std::string memory_limit)
      : committer(std::move(log)), memory_limit(std::move(memory_limit)) {}

  const ManifestLog& log() const { return committer.log(); }

  // A DuckDB session over the current state (snapshot_session.h).
  Result<std::unique_ptr<DuckDbSession>> OpenSnapshot() {
    OTSYNC_ASSIGN_OR_RETURN(std::shared_ptr<const WarehouseManifest> manifest, log().Snapshot());
    return OpenSnapshotSession(*manifest, log().root(), memory_limit, SpillFolder());
  }

  std::string SpillFolder() {
    if (spill_folder.empty()) {
      std::random_device random;
      spill_folder =
          log().root() + "/_spill/" + std::to_string(::getpid()) + "-" + std::to_string(random());
    }
    return spill_folder;
  }

  ~Impl() {
    if (!spill_folder.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(spill_folder, ignored);
    }
  }

  WarehouseCommitter committer;
  std::string memory_limit;
  std::string spill_folder;  // Made on first use.
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

const std::string& Warehouse::path() const { return impl_->log().root(); }

std::string WarehouseMemoryLimit() {
  const char* limit = std::getenv("OTSYNC_WAREHOUSE_MEMORY_LIMIT");
  return limit != nullptr && *limit != '\0' ? limit : kDefaultMemoryLimit;
}

Result<std::unique_ptr<Warehouse>> Warehouse::Open(const std::string& path) {
  std::string memory_limit = WarehouseMemoryLimit();
  // A value given is checked here, so that a bad one fails at open rather than at the first load
  // or query. The default needs no check, and the probe (a DuckDB instance) costs milliseconds
  // that every scheduled instance would pay.
  if (memory_limit != kDefaultMemoryLimit) {
    if (Result<std::unique_ptr<DuckDbSession>> probe =
            DuckDbSession::OpenInMemory(memory_limit, "/nonexistent");
        !probe.ok()) {
      return probe.status().WithContext("OTSYNC_WAREHOUSE_MEMORY_LIMIT");
    }
  }
  Result<ManifestLog> log = ManifestLog::Open(path, /*create=*/true);
  if (!log.ok()) return log.status().WithContext("could not open the warehouse " + path);
  return std::unique_ptr<Warehouse>(
      new Warehouse(std::make_unique<Impl>(std::move(*log), std::move(memory_limit))));
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
  return impl_->committer.Apply(
      "creating table " + schema.name,
      [&](const WarehouseManifest& current, ManifestDelta& delta) -> Status {
        if (current.FindTable(schema.name) != nullptr) {
          return Status::AlreadyExists("table " + schema.name + " already exists");
        }
        delta.tables_put.push_back(TableEntry{schema, delta.committed_at_micros, {}});
        return Status::OK();
      });
}

Result<TableSchema> Warehouse::DescribeTable(std::string_view table) {
  OTSYNC_ASSIGN_OR_RETURN(std::shared_ptr<const WarehouseManifest> manifest,
                          impl_->log().Snapshot());
  const TableEntry* entry = manifest->FindTable(table);
  if (entry == nullptr) {
    return Status::NotFound("table " + ToLower(table) + " does not exist in the warehouse " +
                            path());
  }
  return entry->schema;
}

Result<std::vector<std::string>> Warehouse::ListTables() {
  OTSYNC_ASSIGN_OR_RETURN(std::shared_ptr<const WarehouseManifest> manifest,
                          impl_->log().Snapshot());
  std::vector<std::string> tables;
  for (const TableEntry& table : manifest->tables) tables.push_back(table.schema.name);
  return tables;
}

Result<std::vector<std::string>> Warehouse::ListPartitions(std::string_view table) {
  OTSYNC_ASSIGN_OR_RETURN(std::shared_ptr<const WarehouseManifest> manifest,
                          impl_->log().Snapshot());
  const TableEntry* entry = manifest->FindTable(table);
  if (entry == nullptr) {
    return Status::NotFound("table " + ToLower(table) + " does not exist in the warehouse " +
                            path());
  }
  std::vector<std::string> partitions;
  for (const PartitionEntry& partition : entry->partitions) {
    if (!partition.spec.empty()) partitions.push_back(partition.spec);
  }
  return partitions;
}

Result<QueryResult> Warehouse::Query(std::string_view sql) { return Query(sql, QueryLimits{}); }

Result<QueryResult> Warehouse::Query(std::string_view sql, const QueryLimits& limits) {
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<DuckDbSession> session, impl_->OpenSnapshot());
  if (limits.confined) {
    OTSYNC_RETURN_IF_ERROR(Confine(session->connection(), path(), impl_->SpillFolder()));
  }
  QueryRows rows;
  std::optional<QueryResult> streamed;
  OTSYNC_RETURN_IF_ERROR(WithMemoryAdvice(
      RunReadOnly(session->connection(), std::string(sql), limits, &rows, &streamed),
      impl_->memory_limit));
  if (streamed.has_value()) return std::move(*streamed);
  return ToQueryResult(rows, limits);
}

Result<QueryResult> Warehouse::FirstRows(std::string_view table, std::string_view partition,
                                         int64_t limit) {
  OTSYNC_ASSIGN_OR_RETURN(TableSchema schema, DescribeTable(table));
  PartitionValues levels;
  if (!partition.empty()) {
    OTSYNC_ASSIGN_OR_RETURN(levels, ResolvePartition(schema, partition, /*truncate=*/false));
  }
  std::string select_list;
  for (const Column& column : schema.columns) {
    if (!select_list.empty()) select_list += ", ";
    select_list += QuoteIdentifier(column.name);
  }
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<DuckDbSession> session, impl_->OpenSnapshot());
  QueryRows rows;
  OTSYNC_RETURN_IF_ERROR(RunQuery(session->connection(),
                                  "SELECT " + select_list + " FROM " +
                                      QuoteIdentifier(schema.name) + PartitionFilter(levels) +
                                      " LIMIT " + std::to_string(std::max<int64_t>(limit, 1)),
                                  &rows, "reading the first rows of table " + schema.name));
  return ToQueryResult(rows, QueryLimits{});
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

  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<DuckDbSession> session, impl_->OpenSnapshot());
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
    OTSYNC_RETURN_IF_ERROR(RunQuery(session->connection(), copy, &rows, "export to " + file.path));
    file.rows = static_cast<int64_t>(duckdb_rows_changed(rows.get()));
    files.push_back(std::move(file));
  }
  return files;
}

Result<std::optional<sync::CommittedWindow>> Warehouse::FindCommittedWindow(
    std::string_view table, std::string_view partition, const sync::WindowKey& key) {
  OTSYNC_ASSIGN_OR_RETURN(std::shared_ptr<const WarehouseManifest> manifest,
                          impl_->log().Snapshot());
  const WindowEntry* entry = manifest->FindWindow(ToLower(table), partition, key);
  if (entry == nullptr) return std::optional<sync::CommittedWindow>();
  return std::optional<sync::CommittedWindow>(
      sync::CommittedWindow{entry->key, entry->end_checkpoints, entry->rows});
}

Result<std::unique_ptr<PartitionLoad>> Warehouse::BeginLoad(const TableSchema& schema,
                                                            const PartitionValues& partition,
                                                            bool truncate) {
  return BeginParquetLoad(&impl_->committer, schema, partition, truncate, impl_->memory_limit);
}

Result<WarehouseManifest> Warehouse::CurrentManifest() { return impl_->log().Latest(); }

const ManifestLog& Warehouse::manifest_log() const { return impl_->log(); }

Result<WarehouseCheckReport> Warehouse::Check() {
  return CheckWarehouse(impl_->log(), impl_->memory_limit);
}

Result<RecoveryReport> Warehouse::Recover() {
  return RecoverWarehouse(impl_->log(), impl_->memory_limit);
}

Result<ImportReport> Warehouse::ImportFile(const std::string& file) {
  return ImportSingleFileWarehouse(file, &impl_->committer, impl_->memory_limit);
}

}  // namespace otsync::odps
