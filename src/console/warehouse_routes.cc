#include "console/warehouse_routes.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <semaphore>

#include "console/json_body.h"
#include "console/query_parameters.h"
#include "sync/datasource_registry.h"
#include "writers/odps/odps_writer_spec.h"
#include "writers/odps/partition_spec.h"
#include "writers/odps/query_printer.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/warehouse.h"

namespace otsync::console {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kDefaultFirstRows = 20;
constexpr int64_t kMaxFirstRows = 1000;
constexpr size_t kMaxSqlBytes = 64 * 1024;
// The ledger's windows shown per partition, newest first (a stream task commits one every few
// minutes, so a partition may have hundreds).
constexpr size_t kWindowsPerPartition = 10;
// How long a heavy request waits for a slot before it is turned away.
constexpr auto kSlotWait = std::chrono::seconds(5);

int64_t Millis(int64_t micros) { return micros / 1000; }

struct Location {
  std::string datasource;
  std::string project;
  std::string path;  // Absolute.
  bool exists = false;
};

// A warehouse that exists, opened for reading.
struct OpenedWarehouse {
  Location location;
  std::unique_ptr<odps::Warehouse> warehouse;
};

// A table of an opened warehouse, with the manifest it was found in.
struct OpenedTable : OpenedWarehouse {
  odps::WarehouseManifest manifest;
  size_t index = 0;  // Of the table in manifest.tables.

  const odps::TableEntry& table() const { return manifest.tables[index]; }
};

json Columns(const std::vector<odps::Column>& columns) {
  json list = json::array();
  for (const odps::Column& column : columns) {
    list.push_back({{"name", column.name}, {"type", odps::ColumnTypeName(column.type)}});
  }
  return list;
}

json TableView(const odps::TableEntry& table) {
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t files = 0;
  for (const odps::PartitionEntry& partition : table.partitions) {
    for (const odps::DataFile& file : partition.files) {
      rows += file.rows;
      bytes += file.bytes;
      ++files;
    }
  }
  int64_t partitions =
      table.schema.partitioned() ? static_cast<int64_t>(table.partitions.size()) : 0;
  return {{"name", table.schema.name},
          {"spec", table.schema.ToSpec()},
          {"columns", Columns(table.schema.columns)},
          {"partitionColumns", Columns(table.schema.partition_columns)},
          {"partitioned", table.schema.partitioned()},
          {"partitionCount", partitions},
          {"rows", rows},
          {"files", files},
          {"bytes", bytes},
          {"createdMillis", Millis(table.created_at_micros)}};
}

json WindowView(const odps::WindowEntry& window) {
  return {{"sourceTable", window.key.source_table},
          {"streamId", window.key.stream_id},
          {"startMillis", window.key.start_millis},
          {"endMillis", window.key.end_millis},
          {"rows", window.rows},
          {"truncate", window.truncate},
          {"committedMillis", Millis(window.committed_at_micros)}};
}

json PartitionView(const odps::PartitionEntry& partition,
                   std::vector<const odps::WindowEntry*> windows) {
  int64_t rows = 0;
  int64_t bytes = 0;
  for (const odps::DataFile& file : partition.files) {
    rows += file.rows;
    bytes += file.bytes;
  }
  std::sort(windows.begin(), windows.end(),
            [](const odps::WindowEntry* a, const odps::WindowEntry* b) {
              return a->committed_at_micros > b->committed_at_micros;
            });
  json shown = json::array();
  for (size_t i = 0; i < windows.size() && i < kWindowsPerPartition; ++i) {
    shown.push_back(WindowView(*windows[i]));
  }
  return {{"spec", partition.spec},
          {"rows", rows},
          {"files", partition.files.size()},
          {"bytes", bytes},
          {"createdMillis", Millis(partition.created_at_micros)},
          {"windowCount", windows.size()},
          {"windows", shown}};
}

// The rows of a query result: every cell as DuckDB renders it (the text `otsync warehouse
// query` prints) or null, so that no number loses digits in a browser; `numeric` says which
// columns hold numbers.
json RowsView(const odps::QueryResult& result) {
  json columns = json::array();
  for (size_t c = 0; c < result.column_names.size(); ++c) {
    std::string type = c < result.column_types.size() ? result.column_types[c] : "";
    columns.push_back({{"name", result.column_names[c]},
                       {"type", type},
                       {"numeric", odps::IsNumericQueryType(type)}});
  }
  json rows = json::array();
  for (const auto& row : result.rows) {
    json cells = json::array();
    for (const auto& cell : row) cells.push_back(cell ? json(*cell) : json(nullptr));
    rows.push_back(std::move(cells));
  }
  return {{"columns", std::move(columns)},
          {"rows", std::move(rows)},
          {"rowCount", result.rows.size()},
          {"totalRows", std::max<int64_t>(result.total_rows, result.rows.size())},
          {"truncated", result.truncated}};
}

// A query's own failure (DuckDB refused the SQL: syntax, a missing table or column) is the
// caller's: the warehouse reports it as kIOError beginning "query failed".
ApiResponse QueryFailure(const Status& status) {
  if ((status.code() == StatusCode::kIOError && status.message().starts_with("query failed")) ||
      status.code() == StatusCode::kTimeout) {
    return ApiResponse::Error(400, "invalid_argument", status.message());
  }
  return ApiResponse::FromStatus(status);
}

// Letters, digits, '-', '_', '.' and '=' kept; anything else (a quote, a slash) becomes '_'.
std::string SafeFileName(std::string_view name) {
  std::string safe;
  for (char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '=';
    safe += plain ? c : '_';
  }
  return safe;
}

// A folder under the system's temporary folder, removed with everything in it when released.
class TemporaryFolder {
 public:
  static Result<std::unique_ptr<TemporaryFolder>> Make() {
    std::string pattern = (fs::temp_directory_path() / "otsync-export-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Status::IOError("could not make a temporary folder for the export under " +
                             fs::temp_directory_path().string());
    }
    return std::make_unique<TemporaryFolder>(pattern);
  }
  explicit TemporaryFolder(std::string path) : path_(std::move(path)) {}
  ~TemporaryFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct WarehouseApi {
  std::string data_dir;
  const sync::PluginRegistry* plugins;
  WarehouseRouteLimits limits;
  std::unique_ptr<std::counting_semaphore<64>> heavy_slots;

  // The warehouse folder of the `odps` data source `name`.
  Result<Location> Locate(const std::string& name) {
    OTSYNC_ASSIGN_OR_RETURN(sync::DataSourceRegistry registry,
                            sync::DataSourceRegistry::Open(data_dir, *plugins));
    OTSYNC_ASSIGN_OR_RETURN(sync::DataSource source, registry.Get(name));
    Result<odps::OdpsDataSourceConfig> config = odps::OdpsDataSourceConfigOf(source);
    if (!config.ok()) {
      return Status::InvalidArgument("data source '" + name + "' is of type " + source.type +
                                     "; the warehouse pages need an odps data source");
    }
    Location location;
    location.datasource = name;
    location.project = config->project;
    std::error_code error;
    fs::path absolute = fs::absolute(config->warehouse_path, error);
    location.path = error ? config->warehouse_path : absolute.lexically_normal().string();
    location.exists = fs::exists(location.path, error);
    return location;
  }

  // The warehouse of the data source a request names ({name}); it must exist already: reading
  // never creates one.
  Result<OpenedWarehouse> OpenWarehouse(const ApiRequest& request) {
    OTSYNC_ASSIGN_OR_RETURN(Location location, Locate(request.PathParam("name")));
    if (!location.exists) {
      return Status::NotFound("the warehouse " + location.path + " of data source '" +
                              location.datasource + "' has no tables yet; create one first");
    }
    OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<odps::Warehouse> warehouse,
                            odps::Warehouse::Open(location.path));
    return OpenedWarehouse{std::move(location), std::move(warehouse)};
  }

  // The table's manifest entry (with the manifest it is in).
  static Result<std::pair<odps::WarehouseManifest, size_t>> FindTable(odps::Warehouse& warehouse,
                                                                      const std::string& table) {
    OTSYNC_ASSIGN_OR_RETURN(odps::WarehouseManifest manifest, warehouse.CurrentManifest());
    for (size_t i = 0; i < manifest.tables.size(); ++i) {
      if (manifest.tables[i].schema.name == odps::ToLower(table)) {
        return std::make_pair(std::move(manifest), i);
      }
    }
    return Status::NotFound("table " + odps::ToLower(table) + " does not exist in the warehouse " +
                            warehouse.path());
  }

  // The partition a request names (query parameter "partition", DataX-normalised), checked
  // against the table: required for a partitioned table, and it must exist.
  static Result<std::string> RequestedPartition(const ApiRequest& request,
                                                const odps::TableEntry& table,
                                                std::string_view purpose) {
    auto found = request.query.find("partition");
    std::string partition =
        found == request.query.end() ? std::string() : odps::NormalizePartition(found->second);
    const odps::TableSchema& schema = table.schema;
    if (partition.empty()) {
      if (!schema.partitioned()) return partition;
      std::string levels;
      for (const odps::Column& column : schema.partition_columns) {
        levels += (levels.empty() ? "" : ",") + column.name + "=...";
      }
      return Status::InvalidArgument(
          "partition: table " + schema.name + " is partitioned (" + levels + "); " +
          std::string(purpose) + " one partition at a time, e.g. ?partition=" +
          (table.partitions.empty() ? levels : table.partitions.front().spec));
    }
    OTSYNC_ASSIGN_OR_RETURN(odps::PartitionValues resolved,
                            odps::ResolvePartition(schema, partition, /*truncate=*/false));
    partition = odps::FormatPartition(resolved);
    if (table.FindPartition(partition) == nullptr) {
      std::string known;
      for (const odps::PartitionEntry& entry : table.partitions) {
        known += (known.empty() ? "" : ", ") + entry.spec;
      }
      return Status::NotFound(
          "partition " + partition + " of table " + schema.name +
          " does not exist; its partitions: " + (known.empty() ? std::string("none yet") : known));
    }
    return partition;
  }

  // The table a request names ({name}, {table}) in its warehouse, which must exist.
  Result<OpenedTable> OpenTable(const ApiRequest& request) {
    OTSYNC_ASSIGN_OR_RETURN(OpenedWarehouse opened, OpenWarehouse(request));
    OTSYNC_ASSIGN_OR_RETURN(auto found, FindTable(*opened.warehouse, request.PathParam("table")));
    return OpenedTable{std::move(opened), std::move(found.first), found.second};
  }

  // OpenTable, and the partition the request names checked against the table
  // (RequestedPartition, whose message `purpose` completes).
  Result<std::pair<OpenedTable, std::string>> OpenPartition(const ApiRequest& request,
                                                            std::string_view purpose) {
    OTSYNC_ASSIGN_OR_RETURN(OpenedTable opened, OpenTable(request));
    OTSYNC_ASSIGN_OR_RETURN(std::string partition,
                            RequestedPartition(request, opened.table(), purpose));
    return std::make_pair(std::move(opened), std::move(partition));
  }

  // Holds one of the slots for queries, first rows and exports, which each run a DuckDB.
  class HeavySlot {
   public:
    explicit HeavySlot(std::counting_semaphore<64>* slots)
        : slots_(slots), held_(slots->try_acquire_for(kSlotWait)) {}
    ~HeavySlot() {
      if (held_) slots_->release();
    }
    bool held() const { return held_; }

   private:
    std::counting_semaphore<64>* slots_;
    bool held_;
  };
  ApiResponse Busy() const {
    return ApiResponse::Error(503, "unavailable",
                              std::to_string(limits.concurrent_heavy_requests) +
                                  " warehouse queries or exports are running; try again when one "
                                  "has finished");
  }

  ApiResponse ListTables(const ApiRequest& request) {
    Result<Location> location = Locate(request.PathParam("name"));
    if (!location.ok()) return ApiResponse::FromStatus(location.status());
    json body = {{"datasource", location->datasource},
                 {"project", location->project},
                 {"warehouse", location->path},
                 {"exists", location->exists},
                 {"tables", json::array()}};
    if (!location->exists) return JsonReply(200, body);
    Result<std::unique_ptr<odps::Warehouse>> warehouse = odps::Warehouse::Open(location->path);
    if (!warehouse.ok()) return ApiResponse::FromStatus(warehouse.status());
    Result<odps::WarehouseManifest> manifest = (*warehouse)->CurrentManifest();
    if (!manifest.ok()) return ApiResponse::FromStatus(manifest.status());
    for (const odps::TableEntry& table : manifest->tables)
      body["tables"].push_back(TableView(table));
    return JsonReply(200, body);
  }

  ApiResponse DescribeTable(const ApiRequest& request) {
    Result<OpenedTable> opened = OpenTable(request);
    if (!opened.ok()) return ApiResponse::FromStatus(opened.status());
    const odps::TableEntry& table = opened->table();
    std::map<std::string, std::vector<const odps::WindowEntry*>> windows;
    for (const odps::WindowEntry& window : opened->manifest.windows) {
      if (window.table == table.schema.name) windows[window.partition].push_back(&window);
    }
    json partitions = json::array();
    for (const odps::PartitionEntry& partition : table.partitions) {
      partitions.push_back(PartitionView(partition, windows[partition.spec]));
    }
    return JsonReply(200, {{"datasource", opened->location.datasource},
                           {"warehouse", opened->location.path},
                           {"table", TableView(table)},
                           {"partitions", partitions}});
  }

  ApiResponse CreateTable(const ApiRequest& request) {
    Result<Location> location = Locate(request.PathParam("name"));
    if (!location.ok()) return ApiResponse::FromStatus(location.status());
    Result<json> form = ParseJsonObject(request);
    if (!form.ok()) return ApiResponse::FromStatus(form.status());
    Result<odps::TableSchema> schema = SchemaFromForm(*form);
    if (!schema.ok()) return ApiResponse::FromStatus(schema.status());
    std::error_code error;
    fs::create_directories(fs::path(location->path).parent_path(), error);
    if (error) {
      return ApiResponse::FromStatus(
          Status::IOError("could not create the folder of the warehouse " + location->path + ": " +
                          error.message()));
    }
    Result<std::unique_ptr<odps::Warehouse>> warehouse = odps::Warehouse::Open(location->path);
    if (!warehouse.ok()) return ApiResponse::FromStatus(warehouse.status());
    if (Status created = (*warehouse)->CreateTable(*schema); !created.ok()) {
      return ApiResponse::FromStatus(created);
    }
    auto found = FindTable(**warehouse, schema->name);
    if (!found.ok()) return ApiResponse::FromStatus(found.status());
    return JsonReply(201, {{"table", TableView(found->first.tables[found->second])}});
  }

  // {"name", "columns": [{"name", "type"}...], "partitionColumns": [...]} or {"spec": "DDL"};
  // the engine's rules either way (ParseTableSpec), each message naming the field.
  static Result<odps::TableSchema> SchemaFromForm(const json& form) {
    OTSYNC_ASSIGN_OR_RETURN(std::string spec, StringField(form, "spec"));
    if (!spec.empty()) return odps::ParseTableSpec(spec);
    odps::TableSchema schema;
    OTSYNC_ASSIGN_OR_RETURN(schema.name, StringField(form, "name"));
    OTSYNC_RETURN_IF_ERROR(odps::ValidateIdentifier("name", schema.name));
    for (auto [key, list] : {std::pair{"columns", &schema.columns},
                             std::pair{"partitionColumns", &schema.partition_columns}}) {
      auto found = form.find(key);
      if (found == form.end() || found->is_null()) continue;
      if (!found->is_array()) {
        return Status::InvalidArgument(std::string(key) +
                                       ": expected a list of {\"name\", \"type\"}");
      }
      for (size_t i = 0; i < found->size(); ++i) {
        std::string where = std::string(key) + "[" + std::to_string(i) + "]";
        const json& item = (*found)[i];
        if (!item.is_object()) {
          return Status::InvalidArgument(where + ": expected {\"name\", \"type\"}");
        }
        odps::Column column;
        OTSYNC_ASSIGN_OR_RETURN(column.name, StringField(item, "name"));
        OTSYNC_RETURN_IF_ERROR(odps::ValidateIdentifier(where + ".name", column.name));
        OTSYNC_ASSIGN_OR_RETURN(std::string type, StringField(item, "type"));
        Result<odps::ColumnType> parsed = odps::ParseColumnType(type);
        if (!parsed.ok()) return parsed.status().WithContext(where + ".type");
        column.type = *parsed;
        list->push_back(std::move(column));
      }
    }
    if (schema.columns.empty()) {
      return Status::InvalidArgument("columns: a table needs at least one data column");
    }
    // Lower-cases the names and checks what spans the lists (a name used twice).
    return odps::ParseTableSpec(schema.ToSpec());
  }

  ApiResponse FirstRows(const ApiRequest& request) {
    Result<int64_t> limit = QueryInteger(request, "limit", kDefaultFirstRows, 1, kMaxFirstRows);
    if (!limit.ok()) return ApiResponse::FromStatus(limit.status());
    auto found = OpenPartition(request, "its rows are shown");
    if (!found.ok()) return ApiResponse::FromStatus(found.status());
    const auto& [opened, partition] = *found;
    const odps::TableEntry& table = opened.table();
    HeavySlot slot(heavy_slots.get());
    if (!slot.held()) return Busy();
    Result<odps::QueryResult> rows =
        opened.warehouse->FirstRows(table.schema.name, partition, *limit);
    if (!rows.ok()) return ApiResponse::FromStatus(rows.status());
    json body = RowsView(*rows);
    body["table"] = table.schema.name;
    body["partition"] = partition;
    body["limit"] = *limit;
    return JsonReply(200, body);
  }

  ApiResponse Query(const ApiRequest& request) {
    Result<json> form = ParseJsonObject(request);
    if (!form.ok()) return ApiResponse::FromStatus(form.status());
    Result<std::string> sql = StringField(*form, "sql");
    if (!sql.ok()) return ApiResponse::FromStatus(sql.status());
    if (sql->find_first_not_of(" \t\r\n;") == std::string::npos) {
      return ApiResponse::Error(400, "invalid_argument", "sql: the query is empty");
    }
    if (sql->size() > kMaxSqlBytes) {
      return ApiResponse::Error(400, "invalid_argument",
                                "sql: at most " + std::to_string(kMaxSqlBytes / 1024) +
                                    " KiB, got " + std::to_string(sql->size()) + " bytes");
    }
    Result<OpenedWarehouse> opened = OpenWarehouse(request);
    if (!opened.ok()) return ApiResponse::FromStatus(opened.status());
    HeavySlot slot(heavy_slots.get());
    if (!slot.held()) return Busy();
    odps::QueryLimits query_limits;
    query_limits.max_rows = limits.max_query_rows;
    query_limits.max_text_bytes = limits.max_query_bytes;
    query_limits.timeout_millis = limits.query_timeout_millis;
    query_limits.confined = true;
    auto started = std::chrono::steady_clock::now();
    Result<odps::QueryResult> result = opened->warehouse->Query(*sql, query_limits);
    if (!result.ok()) return QueryFailure(result.status());
    json body = RowsView(*result);
    body["elapsedMillis"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - started)
                                .count();
    body["maxRows"] = limits.max_query_rows;
    body["maxBytes"] = limits.max_query_bytes;
    return JsonReply(200, body);
  }

  ApiResponse Export(const ApiRequest& request) {
    auto given = request.query.find("compression");
    Result<odps::ParquetCompression> compression = odps::ParseParquetCompression(
        given == request.query.end() ? std::string_view("snappy") : given->second);
    if (!compression.ok()) {
      return ApiResponse::FromStatus(compression.status().WithContext("compression"));
    }
    auto found = OpenPartition(request, "a download is one Parquet file: it holds");
    if (!found.ok()) return ApiResponse::FromStatus(found.status());
    const auto& [opened, partition] = *found;
    const odps::TableEntry& table = opened.table();
    HeavySlot slot(heavy_slots.get());
    if (!slot.held()) return Busy();
    Result<std::unique_ptr<TemporaryFolder>> folder = TemporaryFolder::Make();
    if (!folder.ok()) return ApiResponse::FromStatus(folder.status());
    Result<std::vector<odps::ExportedFile>> files = opened.warehouse->ExportParquet(
        table.schema.name, partition, (*folder)->path(), *compression);
    if (!files.ok()) return ApiResponse::FromStatus(files.status());
    if (files->size() != 1) {
      return ApiResponse::Error(
          500, "internal",
          "the export wrote " + std::to_string(files->size()) + " files where one was expected");
    }
    const odps::ExportedFile& file = files->front();
    // The file is sent from its descriptor while the folder is removed as this returns: nothing
    // is left behind, however the download ends, and a file of any size streams.
    const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat status {};
    if (fd < 0 || ::fstat(fd, &status) != 0) {
      const std::string reason = std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return ApiResponse::FromStatus(
          Status::IOError("could not read the exported file " + file.path + ": " + reason));
    }
    std::string name = table.schema.name + (partition.empty() ? "" : "_" + partition);
    ApiResponse response;
    response.status = 200;
    response.content_type = "application/vnd.apache.parquet";
    response.file = std::make_shared<const FileBody>(fd, static_cast<int64_t>(status.st_size));
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + SafeFileName(name) + ".parquet\"");
    response.headers.emplace_back("X-Otsync-Rows", std::to_string(file.rows));
    return response;
  }
};

}  // namespace

void AddWarehouseRoutes(ApiRouter& router, const std::string& data_dir,
                        const sync::PluginRegistry& plugins, const WarehouseRouteLimits& limits) {
  auto api = std::make_shared<WarehouseApi>();
  api->data_dir = data_dir;
  api->plugins = &plugins;
  api->limits = limits;
  api->heavy_slots = std::make_unique<std::counting_semaphore<64>>(
      std::clamp(limits.concurrent_heavy_requests, 1, 64));
  router.Add("GET", "/api/warehouses/{name}/tables", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->ListTables(request); });
  router.Add("POST", "/api/warehouses/{name}/tables", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->CreateTable(request); });
  router.Add("GET", "/api/warehouses/{name}/tables/{table}", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->DescribeTable(request); });
  router.Add("GET", "/api/warehouses/{name}/tables/{table}/rows", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->FirstRows(request); });
  router.Add("GET", "/api/warehouses/{name}/tables/{table}/export", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->Export(request); });
  router.Add("POST", "/api/warehouses/{name}/query", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->Query(request); });
}

}  // namespace otsync::console
