#include "writers/odps/warehouse_cli.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "sync/datasource_registry.h"
#include "writers/odps/manifest_log.h"
#include "writers/odps/odps_writer.h"
#include "writers/odps/odps_writer_spec.h"
#include "writers/odps/partition_spec.h"
#include "writers/odps/query_printer.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/warehouse.h"

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadArguments = 2;

std::string AbsolutePath(const std::string& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

// "%-26s: " as FormatJobSummary labels its lines, so that the destination's second line lines up.
std::string SummaryLabel(const char* label) {
  char text[64];
  std::snprintf(text, sizeof(text), "%-26s: ", label);
  return text;
}

// A warehouse command's failure: what to print and the exit status it maps to.
struct Failure {
  Status status;
  int exit_status;
};

int Report(std::ostream& err, const Failure& failure) {
  err << "otsync: " << failure.status.message() << "\n";
  return failure.exit_status;
}

// Warehouse errors: a malformed argument the warehouse found (kInvalidArgument) is the caller's;
// anything else is the warehouse refusing or failing.
Failure FromWarehouse(const Status& status) {
  return {status, status.code() == StatusCode::kInvalidArgument ? kExitBadArguments : kExitFailed};
}

struct WarehouseLocation {
  std::string datasource;
  std::string path;  // Absolute.
};

// The warehouse folder of the named `odps` data source. Unknown names and other types are bad
// arguments; an unreadable registry is a failure.
Result<WarehouseLocation> Locate(const std::string& data_dir, const sync::PluginRegistry& plugins,
                                 std::string_view name, int* exit_status) {
  *exit_status = kExitFailed;
  OTSYNC_ASSIGN_OR_RETURN(sync::DataSourceRegistry registry,
                          sync::DataSourceRegistry::Open(data_dir, plugins));
  Result<sync::DataSource> source = registry.Get(name);
  if (!source.ok()) {
    if (source.status().code() == StatusCode::kNotFound) *exit_status = kExitBadArguments;
    return source.status();
  }
  Result<OdpsDataSourceConfig> config = OdpsDataSourceConfigOf(*source);
  if (!config.ok()) {
    *exit_status = kExitBadArguments;
    return Status::InvalidArgument("data source '" + std::string(name) + "' is of type " +
                                   source->type +
                                   "; the warehouse commands need an odps data source");
  }
  return WarehouseLocation{std::string(name), AbsolutePath(config->warehouse_path)};
}

// Opens an existing warehouse: reading commands never create one.
Result<std::unique_ptr<Warehouse>> OpenExisting(const WarehouseLocation& location,
                                                const std::string& data_dir) {
  std::error_code error;
  if (!fs::exists(location.path, error)) {
    std::string datasource_flag = location.datasource == kDefaultWarehouseDataSource
                                      ? std::string()
                                      : " --datasource " + ShellQuote(location.datasource);
    return Status::NotFound("the warehouse " + location.path + " of data source '" +
                            location.datasource +
                            "' has no tables yet; create one with: otsync warehouse create-table "
                            "--data-dir " +
                            ShellQuote(AbsolutePath(data_dir)) + datasource_flag +
                            " \"NAME(COLUMN TYPE, ...) PARTITIONED BY (pt STRING)\"");
  }
  return Warehouse::Open(location.path);
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) {
    if (!text.empty()) text += " ";
    text += word;
  }
  return text;
}

std::string SqlLiteral(std::string_view value) {
  std::string literal = "'";
  for (char c : value) {
    literal += c;
    if (c == '\'') literal += '\'';
  }
  return literal + "'";
}

std::string CountRows(Warehouse& warehouse, const TableSchema& schema) {
  Result<QueryResult> counted = warehouse.Query("SELECT count(*) FROM \"" + schema.name + "\"");
  if (!counted.ok() || counted->rows.empty() || counted->rows[0].empty() ||
      !counted->rows[0][0].has_value()) {
    return "?";
  }
  return *counted->rows[0][0];
}

int CreateTableCommand(const WarehouseCommandArgs& args, const std::string& data_dir,
                       const sync::PluginRegistry& plugins, std::ostream& out, std::ostream& err) {
  std::string spec = JoinWords(args.spec_words);
  Result<TableSchema> schema = ParseTableSpec(spec);
  if (!schema.ok()) return Report(err, {schema.status(), kExitBadArguments});
  int locate_exit = kExitFailed;
  Result<WarehouseLocation> location = Locate(data_dir, plugins, args.datasource, &locate_exit);
  if (!location.ok()) return Report(err, {location.status(), locate_exit});
  std::error_code error;
  fs::create_directories(fs::path(location->path).parent_path(), error);
  if (error) {
    return Report(err, {Status::IOError("could not create the folder of the warehouse " +
                                        location->path + ": " + error.message()),
                        kExitFailed});
  }
  Result<std::unique_ptr<Warehouse>> warehouse = Warehouse::Open(location->path);
  if (!warehouse.ok()) return Report(err, FromWarehouse(warehouse.status()));
  if (Status created = (*warehouse)->CreateTable(*schema); !created.ok()) {
    return Report(err, FromWarehouse(created));
  }
  out << "Created table " << schema->name << " in " << location->path << " (data source "
      << location->datasource << "):\n  " << schema->ToSpec() << "\n";
  return kExitOk;
}

int ImportFileCommand(const WarehouseCommandArgs& args, const std::string& data_dir,
                      const sync::PluginRegistry& plugins, std::ostream& out, std::ostream& err) {
  int locate_exit = kExitFailed;
  Result<WarehouseLocation> location = Locate(data_dir, plugins, args.datasource, &locate_exit);
  if (!location.ok()) return Report(err, {location.status(), locate_exit});
  Result<std::unique_ptr<Warehouse>> warehouse = Warehouse::Open(location->path);
  if (!warehouse.ok()) return Report(err, FromWarehouse(warehouse.status()));
  Result<ImportReport> imported = (*warehouse)->ImportFile(AbsolutePath(args.file));
  if (!imported.ok()) return Report(err, FromWarehouse(imported.status()));
  out << "Imported " << imported->tables << (imported->tables == 1 ? " table, " : " tables, ")
      << imported->partitions << (imported->partitions == 1 ? " partition, " : " partitions, ")
      << imported->rows << (imported->rows == 1 ? " row" : " rows") << " and " << imported->windows
      << (imported->windows == 1 ? " committed window" : " committed windows") << " from "
      << AbsolutePath(args.file) << " into " << location->path << "\n";
  return kExitOk;
}

int DescribeCommand(const WarehouseCommandArgs& args, Warehouse& warehouse,
                    const WarehouseLocation& location, std::ostream& out, std::ostream& err) {
  Result<TableSchema> schema = warehouse.DescribeTable(args.table);
  if (!schema.ok()) return Report(err, FromWarehouse(schema.status()));
  QueryResult columns;
  columns.column_names = {"column", "type", "partition"};
  columns.column_types = {"VARCHAR", "VARCHAR", "VARCHAR"};
  for (const Column& column : schema->columns) {
    columns.rows.push_back({column.name, ColumnTypeName(column.type), "no"});
  }
  for (const Column& column : schema->partition_columns) {
    columns.rows.push_back({column.name, ColumnTypeName(column.type), "yes"});
  }
  out << "Table " << schema->name << " in " << location.path << " (data source "
      << location.datasource << ")\n"
      << "Spec: " << schema->ToSpec() << "\n\n"
      << FormatQueryResult(columns, QueryOutputFormat::kTable) << "\n";
  out << "Rows: " << CountRows(warehouse, *schema) << "\n";
  if (schema->partitioned()) {
    Result<std::vector<std::string>> partitions = warehouse.ListPartitions(schema->name);
    if (!partitions.ok()) return Report(err, FromWarehouse(partitions.status()));
    out << "Partitions: " << partitions->size();
    for (size_t i = 0; i < partitions->size(); ++i) {
      out << (i == 0 ? " (" : ", ") << (*partitions)[i];
    }
    out << (partitions->empty() ? "\n" : ")\n");
  }
  return kExitOk;
}

int PartitionsCommand(const WarehouseCommandArgs& args, Warehouse& warehouse, std::ostream& out,
                      std::ostream& err) {
  Result<TableSchema> schema = warehouse.DescribeTable(args.table);
  if (!schema.ok()) return Report(err, FromWarehouse(schema.status()));
  if (!schema->partitioned()) {
    return Report(err, {Status::InvalidArgument("table " + schema->name + " is not partitioned"),
                        kExitFailed});
  }
  Result<std::vector<std::string>> partitions = warehouse.ListPartitions(schema->name);
  if (!partitions.ok()) return Report(err, FromWarehouse(partitions.status()));
  for (const std::string& partition : *partitions) out << partition << "\n";
  if (partitions->empty()) err << "Table " << schema->name << " has no partitions yet.\n";
  return kExitOk;
}

int QueryCommand(QueryOutputFormat format, const std::string& sql, Warehouse& warehouse,
                 std::ostream& out, std::ostream& err) {
  Result<QueryResult> result = warehouse.Query(sql);
  // DuckDB's errors (a syntax error, a missing table) arrive as kIOError: the warehouse refused.
  if (!result.ok()) return Report(err, {result.status(), kExitFailed});
  out << FormatQueryResult(*result, format);
  return kExitOk;
}

int ExportCommand(const WarehouseCommandArgs& args, ParquetCompression compression,
                  Warehouse& warehouse, std::ostream& out, std::ostream& err) {
  Result<TableSchema> schema = warehouse.DescribeTable(args.table);
  if (!schema.ok()) return Report(err, FromWarehouse(schema.status()));
  std::string partition = NormalizePartition(args.partition);
  if (!partition.empty()) {
    Result<PartitionValues> resolved = ResolvePartition(*schema, partition, /*truncate=*/false);
    if (!resolved.ok()) return Report(err, {resolved.status(), kExitBadArguments});
    partition = FormatPartition(*resolved);
    Result<std::vector<std::string>> partitions = warehouse.ListPartitions(schema->name);
    if (!partitions.ok()) return Report(err, FromWarehouse(partitions.status()));
    if (std::find(partitions->begin(), partitions->end(), partition) == partitions->end()) {
      std::string known;
      for (const std::string& name : *partitions) known += (known.empty() ? "" : ", ") + name;
      return Report(err, {Status::NotFound("partition " + partition + " of table " + schema->name +
                                           " does not exist; its partitions: " +
                                           (known.empty() ? std::string("none") : known)),
                          kExitFailed});
    }
  }
  Result<std::vector<ExportedFile>> files =
      warehouse.ExportParquet(schema->name, partition, args.output_dir, compression);
  if (!files.ok()) return Report(err, FromWarehouse(files.status()));
  if (files->empty()) {
    err << "Nothing exported: table " << schema->name << " has no partitions yet.\n";
    return kExitOk;
  }
  int64_t rows = 0;
  for (const ExportedFile& file : *files) {
    out << file.path << "  " << file.rows << (file.rows == 1 ? " row" : " rows") << "\n";
    rows += file.rows;
  }
  out << "Exported " << rows << (rows == 1 ? " row" : " rows") << " of table " << schema->name
      << " in " << files->size() << (files->size() == 1 ? " file" : " files") << " ("
      << ParquetCompressionName(compression) << ") under "
      << AbsolutePath((fs::path(args.output_dir) / schema->name).string()) << "\n";
  return kExitOk;
}

std::string Plural(int64_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

void PrintCheck(const WarehouseCheckReport& report, std::ostream& out) {
  out << "State " << report.version << ": " << Plural(report.tables, "table") << ", "
      << Plural(report.partitions, "partition") << ", " << Plural(report.files, "file") << ", "
      << Plural(report.rows, "row") << ", " << Plural(report.windows, "committed window") << "\n";
  for (const std::string& problem : report.problems) out << "  problem: " << problem << "\n";
  for (const std::string& note : report.notes) out << "  note: " << note << "\n";
}

int CheckCommand(Warehouse& warehouse, std::ostream& out, std::ostream& err) {
  Result<WarehouseCheckReport> report = warehouse.Check();
  if (!report.ok()) return Report(err, FromWarehouse(report.status()));
  PrintCheck(*report, out);
  if (report->ok()) {
    out << "The warehouse " << warehouse.path() << " is consistent.\n";
    return kExitOk;
  }
  err << "otsync: the warehouse " << warehouse.path() << " is damaged (" << report->problems.size()
      << (report->problems.size() == 1 ? " problem" : " problems")
      << "); `otsync warehouse recover` goes back to its newest good state\n";
  return kExitFailed;
}

int RecoverCommand(Warehouse& warehouse, std::ostream& out, std::ostream& err) {
  Result<RecoveryReport> report = warehouse.Recover();
  if (!report.ok()) return Report(err, FromWarehouse(report.status()));
  if (report->published_version == 0) {
    out << "Nothing to recover: state " << report->damaged_version << " of " << warehouse.path()
        << " is good.\n";
    return kExitOk;
  }
  out << "State " << report->damaged_version << " was damaged; the newest good state, "
      << report->good_version << ", is current again as state " << report->published_version
      << " (nothing was deleted).\n";
  if (report->lost_windows.empty()) {
    out << "No committed window was lost.\n";
    return kExitOk;
  }
  out << "Windows committed after it, to export again (run their jobs for the same window; the "
         "status table still has their start checkpoints while the stream retains them):\n";
  for (const WindowEntry& window : report->lost_windows) {
    out << "  "
        << (window.partition.empty()
                ? "table " + window.table
                : "partition " + window.partition + " of table " + window.table)
        << ": source table " << window.key.source_table << ", [" << window.key.start_millis << ", "
        << window.key.end_millis << ") ms, " << Plural(window.rows, "row") << "\n";
  }
  return kExitOk;
}

// The `odps` writer as the binary runs it: OdpsWriter, with a Prepare error that says how to
// create a missing table and a destination that says how to look at the rows.
class GuidedOdpsWriter final : public sync::Writer {
 public:
  GuidedOdpsWriter(std::unique_ptr<OdpsWriter> writer, OdpsWriterSpec spec, std::string datasource,
                   std::string data_dir, std::string warehouse_path)
      : writer_(std::move(writer)),
        spec_(std::move(spec)),
        datasource_(std::move(datasource)),
        data_dir_(std::move(data_dir)),
        warehouse_path_(std::move(warehouse_path)) {}

  Status Prepare() override {
    Status prepared = writer_->Prepare();
    if (prepared.code() != StatusCode::kNotFound) return prepared;
    // A missing destination is a mistake in the job, as a missing source table is (exit 2).
    return Status::InvalidArgument(prepared.message() +
                                   "; create it with: otsync warehouse create-table " +
                                   DataSourceFlags() + " " + ShellQuote(SuggestedSpec()));
  }
  Result<std::optional<sync::CommittedWindow>> FindCommittedWindow(
      const sync::WindowKey& key) override {
    return writer_->FindCommittedWindow(key);
  }
  Status Write(const std::vector<sync::Record>& records,
               std::vector<sync::DirtyRecord>* dirty) override {
    return writer_->Write(records, dirty);
  }
  Status Commit(const sync::CommittedWindow& window) override { return writer_->Commit(window); }
  void Abort() override { writer_->Abort(); }
  const std::vector<std::string>& warnings() const override { return writer_->warnings(); }

  // The summary prints this after "Destination               : "; the embedded second line has
  // the same label layout, so the query command reads as a summary line of its own.
  std::string DescribeDestination() const override {
    std::string table = ToLower(spec_.table);
    std::string partition = NormalizePartition(spec_.partition);
    std::string where =
        partition.empty() ? "table " + table : "partition " + partition + " of table " + table;
    std::string text = where + " in " + warehouse_path_ + " (data source " + datasource_ + ")\n";
    const CommitStats& commit = writer_->commit_stats();
    if (commit.lock_hold_micros > 0) {  // This job committed (not a recognised window).
      char held[96];
      std::snprintf(held, sizeof(held), "%.1f ms (waited %.1f ms for other commits)",
                    commit.lock_hold_micros / 1000.0, commit.lock_wait_micros / 1000.0);
      text += SummaryLabel("Warehouse lock held") + held + "\n";
    }
    if (commit.complete_manifest_micros > 0) {
      char written[96];
      std::snprintf(written, sizeof(written),
                    "written in %.1f ms, after the lock (owed every %d versions)",
                    commit.complete_manifest_micros / 1000.0, kDeltasPerCompleteManifest);
      text += SummaryLabel("Complete manifest") + written + "\n";
    }
    return text + SummaryLabel("Query it with") +
           WarehouseQueryCommand(data_dir_, datasource_, table, partition);
  }

 private:
  std::string DataSourceFlags() const {
    std::string flags = "--data-dir " + ShellQuote(AbsolutePath(data_dir_));
    if (datasource_ != kDefaultWarehouseDataSource) {
      flags += " --datasource " + ShellQuote(datasource_);
    }
    return flags;
  }

  // A spec with the configured columns as STRING (every source value converts to STRING) and the
  // partition levels the job names.
  std::string SuggestedSpec() const {
    std::string columns;
    if (spec_.columns.size() == 1 && spec_.columns[0] == "*") {
      columns = "COLUMN TYPE, ...";
    } else {
      for (const std::string& column : spec_.columns) {
        columns += (columns.empty() ? "" : ", ") + ToLower(column) + " STRING";
      }
    }
    std::string spec = ToLower(spec_.table) + "(" + columns + ")";
    Result<PartitionValues> levels = ParsePartition(NormalizePartition(spec_.partition));
    if (levels.ok() && !levels->empty()) {
      std::string partition_columns;
      for (const PartitionLevel& level : *levels) {
        partition_columns += (partition_columns.empty() ? "" : ", ") + level.name + " STRING";
      }
      spec += " PARTITIONED BY (" + partition_columns + ")";
    }
    return spec;
  }

  std::unique_ptr<OdpsWriter> writer_;
  OdpsWriterSpec spec_;
  std::string datasource_;  // The resolved data source's name.
  std::string data_dir_;
  std::string warehouse_path_;
};

}  // namespace

std::string ShellQuote(std::string_view word) {
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  };
  if (!word.empty() && std::all_of(word.begin(), word.end(), plain)) return std::string(word);
  if (word.find_first_of("\"$`\\!") == std::string_view::npos) {
    return "\"" + std::string(word) + "\"";
  }
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string WarehouseQueryCommand(const std::string& data_dir, std::string_view datasource,
                                  std::string_view table, std::string_view partition) {
  std::string sql = "SELECT * FROM " + std::string(table);
  Result<PartitionValues> levels = ParsePartition(partition);
  if (levels.ok()) {
    for (size_t i = 0; i < levels->size(); ++i) {
      sql += (i == 0 ? " WHERE " : " AND ") + (*levels)[i].name + " = " +
             SqlLiteral((*levels)[i].value);
    }
  }
  std::string command = "otsync warehouse query --data-dir " + ShellQuote(AbsolutePath(data_dir));
  if (datasource != kDefaultWarehouseDataSource) {
    command += " --datasource " + ShellQuote(datasource);
  }
  return command + " " + ShellQuote(sql);
}

int RunWarehouseCommand(const WarehouseCommandArgs& args, const std::string& data_dir,
                        const sync::PluginRegistry& plugins, std::ostream& out, std::ostream& err) {
  if (args.command == "create-table") {
    return CreateTableCommand(args, data_dir, plugins, out, err);
  }
  if (args.command == "import-file") return ImportFileCommand(args, data_dir, plugins, out, err);

  // Arguments first: nothing is opened for a command that cannot run.
  QueryOutputFormat format = QueryOutputFormat::kTable;
  ParquetCompression compression = ParquetCompression::kSnappy;
  if (args.command == "query") {
    Result<QueryOutputFormat> parsed = ParseQueryOutputFormat(args.format);
    if (!parsed.ok()) return Report(err, {parsed.status(), kExitBadArguments});
    format = *parsed;
    if (args.sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
      return Report(err, {Status::InvalidArgument("query: the SQL is empty"), kExitBadArguments});
    }
  } else if (args.command == "export") {
    Result<ParquetCompression> parsed = ParseParquetCompression(args.compression);
    if (!parsed.ok()) return Report(err, {parsed.status(), kExitBadArguments});
    compression = *parsed;
    if (Result<PartitionValues> partition = ParsePartition(NormalizePartition(args.partition));
        !partition.ok()) {
      return Report(err, {partition.status().WithContext("--partition"), kExitBadArguments});
    }
  } else if (args.command != "describe" && args.command != "partitions" &&
             args.command != "check" && args.command != "recover") {
    return Report(err, {Status::InvalidArgument("unknown warehouse command '" + args.command + "'"),
                        kExitBadArguments});
  }

  int locate_exit = kExitFailed;
  Result<WarehouseLocation> location = Locate(data_dir, plugins, args.datasource, &locate_exit);
  if (!location.ok()) return Report(err, {location.status(), locate_exit});
  Result<std::unique_ptr<Warehouse>> warehouse = OpenExisting(*location, data_dir);
  if (!warehouse.ok()) return Report(err, {warehouse.status(), kExitFailed});

  if (args.command == "describe") return DescribeCommand(args, **warehouse, *location, out, err);
  if (args.command == "partitions") return PartitionsCommand(args, **warehouse, out, err);
  if (args.command == "query") return QueryCommand(format, args.sql, **warehouse, out, err);
  if (args.command == "check") return CheckCommand(**warehouse, out, err);
  if (args.command == "recover") return RecoverCommand(**warehouse, out, err);
  return ExportCommand(args, compression, **warehouse, out, err);
}

Result<std::unique_ptr<sync::Writer>> MakeOdpsWriter(const sync::PluginContext& context) {
  const auto* spec = context.job.writer.parameters.As<OdpsWriterSpec>();
  if (spec == nullptr) {
    return Status::InvalidArgument("odps writer: the job's writer parameters are not odps's");
  }
  const auto* warehouse = context.connections.writer.As<OdpsDataSourceConfig>();
  if (warehouse == nullptr) {
    return Status::InvalidArgument("odps writer: no odps data source was resolved for the job");
  }
  std::string path = AbsolutePath(warehouse->warehouse_path);
  std::error_code error;
  if (!fs::is_directory(fs::path(path).parent_path(), error)) {
    return Status::InvalidArgument("odps writer: the folder of the warehouse " + path +
                                   " does not exist");
  }
  // DataX jobs name a project, not a data source: find the one the job was bound to.
  std::string datasource = spec->datasource;
  if (datasource.empty()) {
    Result<sync::DataSourceRegistry> registry =
        sync::DataSourceRegistry::Open(context.data_dir, context.plugins);
    Result<std::vector<sync::DataSource>> sources =
        registry.ok() ? registry->List() : Result<std::vector<sync::DataSource>>(registry.status());
    for (const sync::DataSource& source :
         sources.ok() ? *sources : std::vector<sync::DataSource>{}) {
      Result<OdpsDataSourceConfig> config = OdpsDataSourceConfigOf(source);
      if (config.ok() && *config == *warehouse) datasource = source.name;
    }
  }
  if (datasource.empty()) datasource = kDefaultWarehouseDataSource;
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<OdpsWriter> writer, OdpsWriter::Open(*spec, path));
  return std::unique_ptr<sync::Writer>(std::make_unique<GuidedOdpsWriter>(
      std::move(writer), *spec, std::move(datasource), context.data_dir, path));
}

sync::WriterPlugin OdpsWriterPlugin() {
  sync::WriterPlugin plugin;
  plugin.name = "odps";
  plugin.parse_spec = [](const sync::ConfigObject& parameter,
                         sync::SpecParseContext& context) -> Result<sync::PluginSpec> {
    OTSYNC_ASSIGN_OR_RETURN(OdpsWriterSpec spec, ParseOdpsWriterSpec(parameter, context.warnings));
    return sync::PluginSpec::Of(std::move(spec));
  };
  plugin.resolve_connection =
      [](const sync::PluginSpec& spec,
         const sync::DataSourceLookup& sources) -> Result<sync::PluginSpec> {
    const auto* writer = spec.As<OdpsWriterSpec>();
    if (writer == nullptr) {
      return Status::InvalidArgument("odps writer: the job's writer parameters are not odps's");
    }
    OTSYNC_ASSIGN_OR_RETURN(OdpsDataSourceConfig warehouse, ResolveWarehouse(*writer, sources));
    return sync::PluginSpec::Of(std::move(warehouse));
  };
  plugin.make = MakeOdpsWriter;
  return plugin;
}

}  // namespace otsync::odps
