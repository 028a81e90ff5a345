#include "writers/odps/legacy_import.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "writers/odps/duckdb_support.h"
#include "writers/odps/warehouse_commit.h"

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;

// An owned read-only DuckDB database file with one connection.
class ReadOnlyFile {
 public:
  ~ReadOnlyFile() {
    if (connection_ != nullptr) duckdb_disconnect(&connection_);
    if (database_ != nullptr) duckdb_close(&database_);
  }
  Status Open(const std::string& path, const std::string& memory_limit) {
    duckdb_config config = nullptr;
    if (duckdb_create_config(&config) == DuckDBError) return Status::IOError("DuckDB config");
    duckdb_set_config(config, "access_mode", "READ_ONLY");
    duckdb_set_config(config, "memory_limit", memory_limit.c_str());
    char* error = nullptr;
    const duckdb_state opened = duckdb_open_ext(path.c_str(), &database_, config, &error);
    duckdb_destroy_config(&config);
    if (opened == DuckDBError) {
      std::string message = "could not open " + path + ": " + (error ? error : "DuckDB error");
      duckdb_free(error);
      return Status::IOError(std::move(message));
    }
    if (duckdb_connect(database_, &connection_) == DuckDBError) {
      return Status::IOError("could not connect to " + path);
    }
    return Status::OK();
  }
  duckdb_connection connection() const { return connection_; }

 private:
  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
};

}  // namespace

Result<ImportReport> ImportSingleFileWarehouse(const std::string& file,
                                               WarehouseCommitter* committer,
                                               const std::string& memory_limit) {
  std::error_code error;
  if (!fs::is_regular_file(file, error)) {
    return Status::NotFound(file + " is not a file (a single-file warehouse of an earlier otsync)");
  }
  ReadOnlyFile source;
  OTSYNC_RETURN_IF_ERROR(source.Open(file, memory_limit));
  duckdb_connection connection = source.connection();

  std::map<std::string, TableEntry> tables;
  {
    QueryRows rows;
    OTSYNC_RETURN_IF_ERROR(RunQuery(connection,
                                    "SELECT table_name, column_name, column_type, is_partition "
                                    "FROM _otsync_columns ORDER BY table_name, ordinal",
                                    &rows, "read the tables of " + file));
    for (idx_t row = 0; row < rows.row_count(); ++row) {
      TableEntry& table = tables[rows.Text(0, row)];
      table.schema.name = rows.Text(0, row);
      Column column;
      column.name = rows.Text(1, row);
      OTSYNC_ASSIGN_OR_RETURN(column.type, ParseColumnType(rows.Text(2, row)));
      (rows.Bool(3, row) ? table.schema.partition_columns : table.schema.columns)
          .push_back(std::move(column));
    }
  }
  std::vector<WindowEntry> windows;
  {
    QueryRows rows;
    OTSYNC_RETURN_IF_ERROR(RunQuery(
        connection,
        "SELECT table_name, partition_spec, source_table, stream_id, start_millis, end_millis, "
        "end_checkpoints, row_count, truncate, epoch_us(committed_at) FROM _otsync_windows "
        "ORDER BY committed_at",
        &rows, "read the committed windows of " + file));
    for (idx_t row = 0; row < rows.row_count(); ++row) {
      windows.push_back(WindowEntry{
          rows.Text(0, row),
          rows.Text(1, row),
          {rows.Text(2, row), rows.Text(3, row), rows.Int64(4, row), rows.Int64(5, row)},
          rows.Blob(6, row),
          rows.Int64(7, row),
          rows.Bool(8, row),
          rows.Int64(9, row)});
    }
  }

  // Each partition's rows as one staged Parquet file, then one commit that adds everything.
  std::random_device random;
  const std::string load_id =
      "import-" + std::to_string(::getpid()) + "-" + std::to_string(random());
  const std::string folder = committer->log().StagingFolder() + "/" + load_id;
  fs::create_directories(folder, error);
  if (error) return Status::IOError("could not create " + folder + ": " + error.message());
  struct StagedPartition {
    std::string table;
    std::string spec;
    StagedFile file;
  };
  std::vector<StagedPartition> staged;
  ImportReport report;
  for (auto& [name, table] : tables) {
    std::vector<std::string> specs;
    if (table.schema.partitioned()) {
      QueryRows rows;
      OTSYNC_RETURN_IF_ERROR(RunQuery(connection,
                                      "SELECT partition_spec FROM _otsync_partitions WHERE "
                                      "table_name = " +
                                          QuoteLiteral(name) + " ORDER BY partition_spec",
                                      &rows, "read the partitions of " + name));
      for (idx_t row = 0; row < rows.row_count(); ++row) specs.push_back(rows.Text(0, row));
    } else {
      specs.push_back("");
    }
    for (const std::string& spec : specs) {
      OTSYNC_ASSIGN_OR_RETURN(PartitionValues levels, ParsePartition(spec));
      std::string filter;
      for (const PartitionLevel& level : levels) {
        filter += (filter.empty() ? " WHERE " : " AND ") + QuoteIdentifier(level.name) +
                  "::VARCHAR = " + QuoteLiteral(level.value);
      }
      StagedFile file{folder + "/part-" + std::to_string(staged.size()) + ".parquet", 0, 0};
      QueryRows copied;
      OTSYNC_RETURN_IF_ERROR(RunQuery(connection,
                                      "COPY (SELECT * FROM " + QuoteIdentifier(name) + filter +
                                          ") TO " + QuoteLiteral(file.path) +
                                          " (FORMAT parquet, COMPRESSION snappy)",
                                      &copied, "copy " + name + " " + spec));
      file.rows = static_cast<int64_t>(duckdb_rows_changed(copied.get()));
      struct stat info {};
      if (::stat(file.path.c_str(), &info) == 0) file.bytes = info.st_size;
      report.rows += file.rows;
      ++report.partitions;
      staged.push_back({name, spec, std::move(file)});
    }
    ++report.tables;
  }
  report.windows = static_cast<int64_t>(windows.size());

  auto change = [&](const WarehouseManifest& current, ManifestDelta& delta) -> Status {
    for (const auto& [name, table] : tables) {
      if (current.FindTable(name) != nullptr) {
        return Status::AlreadyExists("table " + name + " of " + file +
                                     " already exists in the warehouse; nothing was imported");
      }
    }
    const int64_t now = delta.committed_at_micros;
    for (auto& [name, table] : tables) {
      fs::create_directories(committer->log().DataFolder(name), error);
      table.created_at_micros = now;
      delta.tables_put.push_back(table);
    }
    for (const StagedPartition& part : staged) {
      PartitionEntry entry{part.spec, now, {}};
      if (part.file.rows > 0) {
        DataFile file{"data/" + part.table + "/" + load_id + "-" +
                          std::to_string(&part - staged.data()) + ".parquet",
                      part.file.rows, part.file.bytes};
        const std::string target = committer->log().root() + "/" + file.path;
        if (::rename(part.file.path.c_str(), target.c_str()) != 0) {
          return Status::IOError("could not move " + part.file.path + " to " + target);
        }
        entry.files.push_back(std::move(file));
      }
      delta.partitions_put.push_back({part.table, std::move(entry)});
    }
    delta.windows_added.insert(delta.windows_added.end(), windows.begin(), windows.end());
    return Status::OK();
  };
  Status committed = committer->Apply("importing " + file, change);
  fs::remove_all(folder, error);
  if (!committed.ok()) return committed;
  return report;
}

}  // namespace otsync::odps
