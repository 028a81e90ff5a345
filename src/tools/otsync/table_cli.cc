#include "tools/otsync/table_cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "client/client.h"
#include "readers/otsstream/ots_datasource.h"
#include "sync/datasource_registry.h"
#include "sync/local_time.h"
#include "sync/ots_hints.h"
#include "tools/otsync/row_text.h"

namespace otsync::tools {
namespace {

constexpr char kDefaultDataSource[] = "otsstream";
constexpr int kMaxBatchRows = 200;  // BatchWriteRow's limit per request.
constexpr int32_t kMaxRangePage = 5000;

struct TableArgs {
  std::string command;
  std::string datasource = kDefaultDataSource;
  std::string table;
  std::string primary_key_spec;
  int stream_hours = 0;  // create: 0 = no stream.
  int expiration_hours = 24;
  std::string row_json;
  std::string start_json;
  std::string end_json;
  int64_t limit = 0;  // scan: 0 = every row.
  std::string file;
  std::string format;  // import: csv or jsonl; empty = from the file name.
  int batch = kMaxBatchRows;
};

// A failure and the exit status it earns: requests the service refuses as malformed or naming
// what does not exist are the caller's to fix (2), the rest failed (1).
int ExitFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidPrimaryKey:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
      return kExitBadConfiguration;
    default:
      return kExitJobFailed;
  }
}

// Times as the job scripts write windows (yyyyMMddHHmmss in the zone `otsync run` reads them in
// by default, DefaultJobTimeZone), so that a time shown here can be passed to `otsync run ... -p
// startTime=` as it is.
std::string JobTime(int64_t micros, const sync::TimeZone& zone) {
  return sync::FormatCompactDateTime(micros / 1000, zone) + " (" + zone.name + ")";
}

// One data source's client, and what messages about it name.
class Source {
 public:
  static Result<Source> Connect(const std::string& data_dir, const sync::PluginRegistry& plugins,
                                const std::string& name) {
    OTSYNC_ASSIGN_OR_RETURN(sync::DataSourceRegistry registry,
                            sync::DataSourceRegistry::Open(data_dir, plugins));
    OTSYNC_ASSIGN_OR_RETURN(sync::DataSource source, registry.Get(name));
    Result<readers::otsstream::OtsDataSourceConfig> ots =
        readers::otsstream::OtsDataSourceConfigOf(source);
    if (!ots.ok()) {
      return Status::InvalidArgument("data source '" + name + "' is of type " + source.type +
                                     ", not ots (otsync datasource list shows them all)");
    }
    client::ClientOptions options = readers::otsstream::OtsClientOptions(*ots);
    options.connect_timeout = std::chrono::milliseconds(3000);
    OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<client::Client> client,
                            client::Client::Create(std::move(options)));
    return Source(name, ots->endpoint, std::move(client));
  }

  client::Client& client() { return *client_; }

  // A failed request as the command reports it: an unreachable endpoint explained, a missing
  // table named with where to look.
  Status Explain(const Status& status, const std::string& table = {}) const {
    if (status.code() == StatusCode::kNotFound && !table.empty()) {
      return Status(status.code(), "table '" + table + "' does not exist at data source '" + name_ +
                                       "' (otsync table list shows its tables; " +
                                       status.message() + ")");
    }
    return sync::ExplainNetworkFailure(status, name_, endpoint_);
  }

  Result<wire::TableDescription> Describe(const std::string& table) {
    Result<wire::TableDescription> description = client_->DescribeTable(table);
    if (!description.ok()) return Explain(description.status(), table);
    return description;
  }

 private:
  Source(std::string name, std::string endpoint, std::unique_ptr<client::Client> client)
      : name_(std::move(name)), endpoint_(std::move(endpoint)), client_(std::move(client)) {}

  std::string name_;
  std::string endpoint_;
  std::unique_ptr<client::Client> client_;
};

Status ListTables(Source& source, std::ostream& out) {
  Result<std::vector<std::string>> names = source.client().ListTable();
  if (!names.ok()) return source.Explain(names.status());
  std::sort(names->begin(), names->end());
  for (const std::string& name : *names) out << name << "\n";
  return Status::OK();
}

std::string_view DefinedTypeName(wire::DefinedColumnType type) {
  switch (type) {
    case wire::DefinedColumnType::kInteger:
      return "INTEGER";
    case wire::DefinedColumnType::kDouble:
      return "DOUBLE";
    case wire::DefinedColumnType::kBoolean:
      return "BOOLEAN";
    case wire::DefinedColumnType::kString:
      return "STRING";
    case wire::DefinedColumnType::kBinary:
      return "BINARY";
  }
  return "?";
}

Status DescribeTable(Source& source, const TableArgs& args, const sync::TimeZone& zone,
                     std::ostream& out) {
  OTSYNC_ASSIGN_OR_RETURN(wire::TableDescription table, source.Describe(args.table));
  auto field = [&](std::string_view name, const std::string& value) {
    out << name << ":" << std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') << value
        << "\n";
  };
  field("table", table.name);
  field("primary key", DescribePrimaryKeySchema(table.primary_key));
  std::string defined;
  for (const wire::DefinedColumn& column : table.defined_columns) {
    defined += (defined.empty() ? "" : ", ") + column.name + " " +
               std::string(DefinedTypeName(column.type));
  }
  if (!defined.empty()) field("defined columns", defined);
  const wire::TableOptions& options = table.options;
  field("time to live", options.time_to_live_seconds < 0
                            ? std::string("forever")
                            : std::to_string(options.time_to_live_seconds) + " s");
  field("max versions", std::to_string(options.max_versions));
  field("version deviation", std::to_string(options.deviation_cell_version_in_seconds) + " s");
  field("allow update", options.allow_update ? "true" : "false");
  field("reserved CU", "read " + std::to_string(table.reserved_read_capacity) + ", write " +
                           std::to_string(table.reserved_write_capacity));
  if (table.creation_time_micros > 0) field("created", JobTime(table.creation_time_micros, zone));
  if (!table.stream.enabled) {
    field("stream", "off (" + sync::EnableStreamHint(table.name, args.datasource) + ")");
    return Status::OK();
  }
  field("stream", "on, records kept " + std::to_string(table.stream.expiration_hours) + " hours");
  Result<std::vector<client::StreamInfo>> streams = source.client().ListStream(table.name);
  if (!streams.ok()) return source.Explain(streams.status());
  for (const client::StreamInfo& stream : *streams) {
    Result<client::StreamDescription> described =
        source.client().DescribeStreamAllShards(stream.stream_id);
    if (!described.ok()) return source.Explain(described.status());
    field("stream id", described->stream_id);
    field("stream status",
          described->status == client::StreamStatus::kActive ? "active" : "enabling");
    field("stream since", JobTime(described->creation_time_micros, zone));
    field("shards", std::to_string(described->shards.size()));
    for (const client::StreamShard& shard : described->shards) {
      std::string line = "  " + shard.shard_id;
      if (!shard.parent_id.empty()) line += " (parent " + shard.parent_id;
      if (!shard.parent_sibling_id.empty()) line += ", " + shard.parent_sibling_id;
      if (!shard.parent_id.empty()) line += ")";
      out << line << "\n";
    }
  }
  return Status::OK();
}

Status CreateTable(Source& source, const TableArgs& args, std::ostream& out) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<wire::PrimaryKeySchemaColumn> schema,
                          ParsePrimaryKeySpec(args.primary_key_spec));
  wire::TableDescription table;
  table.name = args.table;
  table.primary_key = std::move(schema);
  if (args.stream_hours > 0) {
    table.stream.enabled = true;
    table.stream.expiration_hours = args.stream_hours;
  }
  if (Status created = source.client().CreateTable(table); !created.ok()) {
    return source.Explain(created);
  }
  out << "Created table '" << table.name << "' (" << DescribePrimaryKeySchema(table.primary_key)
      << ")"
      << (args.stream_hours > 0
              ? ", stream on, records kept " + std::to_string(args.stream_hours) + " hours"
              : std::string(", stream off"))
      << ".\n";
  return Status::OK();
}

Status SetStream(Source& source, const TableArgs& args, bool enabled, std::ostream& out) {
  wire::TableUpdate update;
  wire::StreamSettings stream;
  stream.enabled = enabled;
  if (enabled) stream.expiration_hours = args.expiration_hours;
  update.stream = stream;
  Result<client::UpdateTableResult> updated = source.client().UpdateTable(args.table, update);
  if (!updated.ok()) return source.Explain(updated.status(), args.table);
  if (enabled) {
    out << "Stream on for '" << args.table << "': records kept " << args.expiration_hours
        << " hours.\n";
  } else {
    out << "Stream off for '" << args.table << "'.\n";
  }
  return Status::OK();
}

// The row of a put, update, delete or get: its JSON parsed (first, so that a typo is reported
// before any request), its key arranged by the table's schema.
Result<TextRow> RowArgument(Source& source, const TableArgs& args, bool allow_delete) {
  OTSYNC_ASSIGN_OR_RETURN(TextRow row, ParseRowJson(args.row_json, allow_delete));
  OTSYNC_ASSIGN_OR_RETURN(wire::TableDescription table, source.Describe(args.table));
  OTSYNC_ASSIGN_OR_RETURN(row.primary_key, ArrangePrimaryKey(row.primary_key, table.primary_key,
                                                             MissingKeyColumns::kRefuse));
  return row;
}

Status WriteRow(Source& source, const TableArgs& args, std::ostream& out) {
  const bool update = args.command == "update";
  const bool remove = args.command == "delete";
  // A delete sends only the key, so whatever its "columns" say is let through and ignored.
  OTSYNC_ASSIGN_OR_RETURN(TextRow row, RowArgument(source, args, update || remove));
  wire::RowWrite write;
  write.row.primary_key = std::move(row.primary_key);
  if (!remove) write.row.cells = std::move(row.columns);
  Result<client::WriteResult> written = update   ? source.client().UpdateRow(args.table, write)
                                        : remove ? source.client().DeleteRow(args.table, write)
                                                 : source.client().PutRow(args.table, write);
  if (!written.ok()) return source.Explain(written.status(), args.table);
  out << (update   ? "Updated"
          : remove ? "Deleted"
                   : "Put")
      << " 1 row " << (remove ? "from" : "in") << " '" << args.table << "'.\n";
  return Status::OK();
}

Status GetRow(Source& source, const TableArgs& args, std::ostream& out) {
  OTSYNC_ASSIGN_OR_RETURN(TextRow row, RowArgument(source, args, false));
  wire::ReadOptions options;
  options.max_versions = 1;
  Result<std::optional<wire::Row>> found =
      source.client().GetRow(args.table, row.primary_key, options);
  if (!found.ok()) return source.Explain(found.status(), args.table);
  if (!found->has_value()) {
    return Status(StatusCode::kUnavailable, "no row in '" + args.table + "' has that primary key");
  }
  out << RowToJson(**found) << "\n";
  return Status::OK();
}

Status ScanRows(Source& source, const TableArgs& args, std::ostream& out) {
  OTSYNC_ASSIGN_OR_RETURN(wire::TableDescription table, source.Describe(args.table));
  auto bound = [&](const std::string& text, MissingKeyColumns fill,
                   const char* option) -> Result<wire::PrimaryKey> {
    wire::PrimaryKey given;
    if (!text.empty()) {
      Result<wire::PrimaryKey> parsed = ParsePrimaryKeyJson(text);
      if (!parsed.ok()) return parsed.status().WithContext(option);
      given = std::move(*parsed);
    }
    Result<wire::PrimaryKey> arranged = ArrangePrimaryKey(given, table.primary_key, fill);
    if (!arranged.ok()) return arranged.status().WithContext(option);
    return arranged;
  };
  // Both bounds fill left-out columns with INF_MIN, so that a prefix reads as a person means it:
  // --start {"id":"b"} --end {"id":"c"} is every row whose id is b. No --end is past every row.
  wire::RangeRequest request;
  OTSYNC_ASSIGN_OR_RETURN(request.inclusive_start,
                          bound(args.start_json, MissingKeyColumns::kFillInfMin, "--start"));
  OTSYNC_ASSIGN_OR_RETURN(
      request.exclusive_end,
      bound(args.end_json,
            args.end_json.empty() ? MissingKeyColumns::kFillInfMax : MissingKeyColumns::kFillInfMin,
            "--end"));
  request.read.max_versions = 1;
  if (args.limit > 0)
    request.limit = static_cast<int32_t>(std::min<int64_t>(args.limit, kMaxRangePage));
  int64_t printed = 0;
  const Status enough(StatusCode::kAborted, "the --limit is reached");
  Status scanned =
      source.client().ScanRange(args.table, request, [&](std::vector<wire::Row>& batch) {
        for (const wire::Row& row : batch) {
          if (args.limit > 0 && printed >= args.limit) return enough;
          out << RowToJson(row) << "\n";
          ++printed;
        }
        return args.limit > 0 && printed >= args.limit ? enough : Status::OK();
      });
  if (!scanned.ok() && !(scanned == enough)) return source.Explain(scanned, args.table);
  return Status::OK();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Status::InvalidArgument("--file: cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return Status::IOError("--file: reading " + path + " failed");
  return text.str();
}

Result<std::string> ImportFormat(const TableArgs& args) {
  if (!args.format.empty()) return args.format;
  auto ends_with = [&](std::string_view suffix) { return args.file.ends_with(suffix); };
  if (ends_with(".csv")) return std::string("csv");
  if (ends_with(".jsonl") || ends_with(".ndjson") || ends_with(".json")) {
    return std::string("jsonl");
  }
  return Status::InvalidArgument("--format: say csv or jsonl (the file name " + args.file +
                                 " does not tell)");
}

Status ImportRows(Source& source, const TableArgs& args, std::ostream& out) {
  OTSYNC_ASSIGN_OR_RETURN(std::string format, ImportFormat(args));
  OTSYNC_ASSIGN_OR_RETURN(std::string text, ReadFile(args.file));
  OTSYNC_ASSIGN_OR_RETURN(wire::TableDescription table, source.Describe(args.table));
  OTSYNC_ASSIGN_OR_RETURN(std::vector<TextRow> rows, format == "csv"
                                                         ? ParseCsvRows(text, table.primary_key)
                                                         : ParseJsonLines(text));
  // Every row is checked before the first is written: a bad file writes nothing. The service
  // refuses a batch that holds one row twice, so a key seen twice is refused here too.
  std::map<std::string, int> lines_by_key;
  for (TextRow& row : rows) {
    const std::string where = args.file + ": line " + std::to_string(row.line);
    Result<wire::PrimaryKey> key =
        ArrangePrimaryKey(row.primary_key, table.primary_key, MissingKeyColumns::kRefuse);
    if (!key.ok()) return key.status().WithContext(where);
    row.primary_key = std::move(*key);
    wire::Row key_only;
    key_only.primary_key = row.primary_key;
    auto [seen, inserted] = lines_by_key.emplace(RowToJson(key_only), row.line);
    if (!inserted) {
      return Status::InvalidArgument(where + ": the same primary key as line " +
                                     std::to_string(seen->second));
    }
  }
  int64_t written = 0;
  int64_t batches = 0;
  std::vector<std::string> failures;
  for (size_t first = 0; first < rows.size(); first += static_cast<size_t>(args.batch)) {
    const size_t end = std::min(rows.size(), first + static_cast<size_t>(args.batch));
    wire::TableWrites writes{args.table, {}};
    for (size_t i = first; i < end; ++i) {
      wire::RowWrite write;
      write.type = wire::WriteType::kPut;
      write.row.primary_key = rows[i].primary_key;
      write.row.cells = rows[i].columns;
      writes.rows.push_back(std::move(write));
    }
    Result<std::vector<std::vector<wire::RowWriteOutcome>>> outcomes =
        source.client().BatchWriteRow({writes});
    if (!outcomes.ok()) {
      return source.Explain(outcomes.status(), args.table)
          .WithContext("batch " + std::to_string(batches + 1) + " (lines " +
                       std::to_string(rows[first].line) + " to " +
                       std::to_string(rows[end - 1].line) + "; " + std::to_string(written) +
                       " rows before it are written)");
    }
    ++batches;
    const std::vector<wire::RowWriteOutcome>& results = outcomes->front();
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].status.ok()) {
        ++written;
      } else {
        failures.push_back("line " + std::to_string(rows[first + i].line) + ": " +
                           results[i].status.message());
      }
    }
  }
  out << "Imported " << written << " rows into '" << args.table << "' in " << batches
      << (batches == 1 ? " batch" : " batches") << ".\n";
  if (failures.empty()) return Status::OK();
  std::string message = std::to_string(failures.size()) + " rows were refused";
  for (size_t i = 0; i < failures.size() && i < 10; ++i) message += "; " + failures[i];
  if (failures.size() > 10) message += "; ...";
  return Status(StatusCode::kUnavailable, message);
}

int RunTableCommand(const TableArgs& args, const std::string& data_dir, const CliEnvironment& env) {
  auto report = [&](const Status& status) {
    env.err << "otsync: table " << args.command << ": " << status.message() << "\n";
    return ExitFor(status);
  };
  Result<Source> source = Source::Connect(data_dir, env.plugins, args.datasource);
  if (!source.ok()) return report(source.status());
  Status status;
  if (args.command == "list") {
    status = ListTables(*source, env.out);
  } else if (args.command == "describe") {
    // A TZ naming no zone is `otsync run`'s to refuse; a listing shows Asia/Shanghai then.
    Result<sync::TimeZone> zone = DefaultJobTimeZone(env);
    status = DescribeTable(*source, args, zone.ok() ? *zone : sync::TimeZone::Shanghai(), env.out);
  } else if (args.command == "create") {
    status = CreateTable(*source, args, env.out);
  } else if (args.command == "enable-stream" || args.command == "disable-stream") {
    status = SetStream(*source, args, args.command == "enable-stream", env.out);
  } else if (args.command == "get") {
    status = GetRow(*source, args, env.out);
  } else if (args.command == "scan") {
    status = ScanRows(*source, args, env.out);
  } else if (args.command == "import") {
    status = ImportRows(*source, args, env.out);
  } else {
    status = WriteRow(*source, args, env.out);
  }
  if (!status.ok()) return report(status);
  return kExitOk;
}

}  // namespace

void AddTableCommands(CLI::App& app, std::string& data_dir, const CliEnvironment& env,
                      std::function<int()>* selected) {
  auto args = std::make_shared<TableArgs>();
  CLI::App* group = app.add_subcommand(
      "table",
      "Tables of an ots data source (default: otsstream, the local otsd): list, describe, "
      "create, stream on/off, put/update/delete/get a row, scan, import");
  group->require_subcommand(1);
  group->footer(RowJsonHelp());
  auto add = [&](const std::string& name, const std::string& description) {
    CLI::App* command = group->add_subcommand(name, description);
    command->add_option("--datasource", args->datasource,
                        "The ots data source (default: otsstream)");
    command->add_option("--data-dir", data_dir, "As the global --data-dir");
    command->callback([args, name, &data_dir, &env, selected] {
      args->command = name;
      *selected = [args, &data_dir, &env] { return RunTableCommand(*args, data_dir, env); };
    });
    return command;
  };
  auto add_table = [&](CLI::App* command) {
    command->add_option("name", args->table, "The table")->required();
  };
  auto add_row = [&](CLI::App* command, const std::string& what) {
    add_table(command);
    command->add_option("row", args->row_json, what)->required();
    command->footer(RowJsonHelp());
  };

  add("list", "List the tables, one per line");
  add_table(
      add("describe", "Show a table: primary key, options, Stream on/off and retention, shards"));
  CLI::App* create = add("create", "Create a table");
  add_table(create);
  create
      ->add_option("--pk", args->primary_key_spec,
                   "Primary key columns NAME:TYPE, comma-separated, e.g. 'id:string,seq:integer' "
                   "(string, integer, binary; integer:auto for AUTO_INCREMENT)")
      ->required();
  create
      ->add_option("--stream", args->stream_hours,
                   "Turn the Stream on, keeping records this many hours (1 to 168)")
      ->check(CLI::Range(1, 168));
  CLI::App* enable = add("enable-stream", "Turn a table's Stream on (UpdateTable)");
  add_table(enable);
  enable
      ->add_option("--expiration", args->expiration_hours,
                   "Hours the stream keeps its records, 1 to 168 (default 24)")
      ->check(CLI::Range(1, 168));
  add_table(
      add("disable-stream", "Turn a table's Stream off (UpdateTable); its records are dropped"));
  add_row(add("put", "Write a whole row (PutRow): the row's columns replace the old ones"),
          "The row: {\"pk\":{...},\"columns\":{...}}");
  add_row(add("update", "Change some columns of a row (UpdateRow); null deletes a column"),
          "The row: {\"pk\":{...},\"columns\":{\"age\":31,\"nickname\":null}}");
  add_row(add("delete", "Delete a row (DeleteRow)"), "The row: {\"pk\":{...}}");
  add_row(add("get", "Print a row as JSON (GetRow), the newest version of each column"),
          "The row: {\"pk\":{...}}");
  CLI::App* scan = add("scan", "Print rows of a key range as JSON lines (GetRange), in key order");
  add_table(scan);
  scan->add_option("--start", args->start_json,
                   "First primary key, inclusive: {\"id\":\"a\"}; left-out columns are the "
                   "lowest (default: the first row)");
  scan->add_option("--end", args->end_json,
                   "Primary key to stop before, exclusive; left-out columns are the lowest, so "
                   "{\"id\":\"c\"} stops before the first row with id c (default: past the "
                   "last row)");
  scan->add_option("--limit", args->limit, "At most this many rows (default: all)")
      ->check(CLI::PositiveNumber);
  scan->footer(RowJsonHelp());
  CLI::App* import = add("import",
                         "Write the rows of a file (BatchWriteRow, PutRow semantics); every line "
                         "is checked first, so a bad file writes nothing");
  add_table(import);
  import->add_option("--file", args->file, "The file")->required();
  import
      ->add_option("--format", args->format,
                   "csv or jsonl (default: from the file name: .csv, .jsonl/.ndjson/.json)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  import->add_option("--batch", args->batch, "Rows per BatchWriteRow, 1 to 200 (default 200)")
      ->check(CLI::Range(1, kMaxBatchRows));
  import->footer(
      "jsonl: one row JSON per line. " + RowJsonHelp() +
      "\ncsv: a header line naming the columns; primary key columns take the table's types, "
      "others are STRING unless the header says NAME:TYPE (string, integer, double, boolean, "
      "binary as base64); an empty field leaves the column out.");
}

}  // namespace otsync::tools
