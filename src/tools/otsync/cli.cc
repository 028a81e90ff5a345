#include "tools/otsync/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "schedule/params_cli.h"
#include "sync/datasource_registry.h"
#include "sync/engine.h"
#include "sync/job_binding.h"
#include "sync/job_script.h"
#include "sync/progress_file.h"
#include "sync/variables.h"
#include "tools/otsync/schedule_cli.h"
#include "tools/otsync/serve_command.h"
#include "tools/otsync/table_cli.h"
#include "writers/odps/warehouse_cli.h"

namespace otsync::tools {
namespace {

struct RunArgs {
  std::string job_path;
  std::vector<std::string> assignments;
  std::string progress_file;
  std::string time_zone;  // --time-zone; empty: $TZ, else Asia/Shanghai.
};

struct DataSourceArgs {
  std::string name;
  std::string type;
  std::string description;
  // By DataSourceField::key, one flag for each key of the registered types.
  std::map<std::string, std::string, std::less<>> fields;
  bool replace = false;
};

int ExitFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
      return kExitBadConfiguration;
    default:
      return kExitJobFailed;
  }
}

int Report(const CliEnvironment& env, const Status& status, int exit_status) {
  env.err << "otsync: " << status.message() << "\n";
  return exit_status;
}

// The zone a run reads its script's time strings and dates in and writes its log's times in.
Result<sync::TimeZone> RunTimeZone(const RunArgs& args, const CliEnvironment& env) {
  if (args.time_zone.empty()) return DefaultJobTimeZone(env);
  Result<sync::TimeZone> zone = sync::ParseTimeZone(args.time_zone);
  if (!zone.ok()) return Status::InvalidArgument("--time-zone: " + zone.status().message());
  return zone;
}

int RunCommand(const RunArgs& args, const std::string& data_dir, const CliEnvironment& env) {
  Result<sync::TimeZone> zone = RunTimeZone(args, env);
  if (!zone.ok()) return Report(env, zone.status(), kExitBadConfiguration);
  sync::JobScriptOptions options;
  options.time_zone = *zone;
  options.clock = env.clock;
  options.plugins = &env.plugins;
  for (const std::string& assignment : args.assignments) {
    if (Status added = sync::AddVariableAssignment(assignment, options.variables); !added.ok()) {
      return Report(env, added, kExitBadConfiguration);
    }
  }
  Result<sync::JobSpec> job = sync::LoadJobScript(args.job_path, options);
  if (!job.ok()) return Report(env, job.status(), kExitBadConfiguration);
  for (const std::string& warning : job->warnings) env.err << "warning: " << warning << "\n";

  Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir, env.plugins);
  if (!registry.ok()) return Report(env, registry.status(), kExitJobFailed);
  Result<sync::JobConnections> connections = sync::ResolveConnections(*job, *registry, env.plugins);
  if (!connections.ok()) return Report(env, connections.status(), ExitFor(connections.status()));

  std::shared_ptr<const Clock> clock = env.clock ? env.clock : DefaultClock();
  sync::PluginContext context{*job, *connections, data_dir, clock, env.out, env.plugins};
  sync::EngineOptions engine;
  engine.clock = clock;
  engine.time_zone = *zone;
  engine.log = &env.err;
  engine.live_progress = env.err_is_terminal;
  if (env.terminal_columns > 0) {
    engine.live_progress_columns = static_cast<size_t>(env.terminal_columns);
  }
  // A line rewritten in place costs nothing to refresh: every second on a terminal, DataX's
  // every few seconds in logs.
  if (env.err_is_terminal) engine.progress_interval_micros = 1'000'000;
  std::unique_ptr<sync::ProgressFile> progress_file;
  if (!args.progress_file.empty()) {
    Result<std::unique_ptr<sync::ProgressFile>> opened =
        sync::ProgressFile::Open(args.progress_file, job->error_limit);
    if (!opened.ok()) return Report(env, opened.status(), kExitBadConfiguration);
    progress_file = std::move(*opened);
    engine.progress_listener = [&](const sync::JobProgress& progress) {
      progress_file->Write(progress);
    };
  }
  sync::JobResult result = sync::RunJob(*job, context, env.plugins, engine);
  if (progress_file) progress_file->WriteFinal(result);
  if (result.status.ok()) return kExitOk;
  env.err << "otsync: job failed: " << result.status.message() << "\n";
  return result.configuration_error ? kExitBadConfiguration : kExitJobFailed;
}

// "accessKey" -> "access-key".
std::string FlagName(std::string_view key) {
  std::string flag;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') {
      flag += '-';
      flag += static_cast<char>(c - 'A' + 'a');
    } else {
      flag += c;
    }
  }
  return flag;
}

// One option for each field key of the registered types, in their order: "--access-key", with
// the help of the first type that has the key.
void AddFieldOptions(CLI::App* add, const sync::PluginRegistry& plugins, DataSourceArgs& args) {
  for (const sync::DataSourceType& type : plugins.data_source_types()) {
    for (const sync::DataSourceField& field : type.fields) {
      if (args.fields.contains(field.key)) continue;
      std::string help = type.name + ": " + field.help;
      if (!field.environment_variable.empty()) {
        help +=
            " (or set " + field.environment_variable + ", which keeps it out of the process list)";
      }
      add->add_option("--" + FlagName(field.key), args.fields[field.key], help);
    }
  }
}

Result<sync::DataSource> DataSourceFromArgs(const DataSourceArgs& args, const CliEnvironment& env) {
  const sync::DataSourceType* type = env.plugins.FindDataSourceType(args.type);
  if (type == nullptr) {
    return Status::InvalidArgument("--type: expected " + env.plugins.DataSourceTypeChoices() +
                                   ", got '" + args.type + "'");
  }
  sync::DataSource source{args.name, type->name, args.description, {}};
  for (const sync::DataSourceField& field : type->fields) {
    auto given = args.fields.find(field.key);
    std::string value = given != args.fields.end() ? given->second : std::string();
    if (value.empty() && !field.environment_variable.empty()) {
      auto it = env.variables.find(field.environment_variable);
      if (it != env.variables.end()) value = it->second;
    }
    source.fields[field.key] = std::move(value);
  }
  OTSYNC_RETURN_IF_ERROR(sync::ValidateDataSource(source, *type));
  return source;
}

// Name, type, the type's fields (secrets masked) and description. The registry reads only
// sources of registered types.
std::vector<std::pair<std::string, std::string>> Describe(const sync::DataSource& source,
                                                          const CliEnvironment& env) {
  return sync::DescribeDataSource(source, *env.plugins.FindDataSourceType(source.type));
}

void PrintFields(const sync::DataSource& source, const CliEnvironment& env) {
  for (const auto& [field, value] : Describe(source, env)) {
    env.out << field << ":" << std::string(std::max<size_t>(1, 13 - field.size()), ' ') << value
            << "\n";
  }
}

int DataSourceCommand(const std::string& command, const DataSourceArgs& args,
                      const std::string& data_dir, const CliEnvironment& env) {
  Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir, env.plugins);
  if (!registry.ok()) return Report(env, registry.status(), kExitJobFailed);
  if (command == "add") {
    Result<sync::DataSource> source = DataSourceFromArgs(args, env);
    if (!source.ok()) return Report(env, source.status(), kExitBadConfiguration);
    if (Status added = registry->Add(*source, args.replace); !added.ok()) {
      return Report(env, added, ExitFor(added));
    }
    env.out << "Added data source '" << source->name << "' (" << source->type << ").\n";
    return kExitOk;
  }
  if (command == "list") {
    Result<std::vector<sync::DataSource>> sources = registry->List();
    if (!sources.ok()) return Report(env, sources.status(), kExitJobFailed);
    for (const sync::DataSource& source : *sources) {
      std::string line;
      for (const auto& [field, value] : Describe(source, env)) {
        if (field == "name" || field == "type") {
          line += value + std::string(std::max<size_t>(1, 22 - value.size()), ' ');
        } else if (!value.empty()) {
          line += field + "=" + value + " ";
        }
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      env.out << line << "\n";
    }
    return kExitOk;
  }
  if (command == "remove") {
    if (Status removed = registry->Remove(args.name); !removed.ok()) {
      return Report(env, removed, ExitFor(removed));
    }
    env.out << "Removed data source '" << args.name << "'.\n";
    return kExitOk;
  }
  Result<sync::DataSource> source = registry->Get(args.name);
  if (!source.ok()) return Report(env, source.status(), ExitFor(source.status()));
  if (command == "show") {
    PrintFields(*source, env);
    return kExitOk;
  }
  // test
  const sync::DataSourceTester& tester = env.plugins.FindDataSourceType(source->type)->test;
  if (!tester) {
    return Report(env,
                  Status::Unsupported("testing data sources of type " + source->type +
                                      " is not available in this build of otsync"),
                  kExitJobFailed);
  }
  Result<std::string> tested = tester(*source);
  if (!tested.ok()) {
    env.err << "Data source '" << source->name << "': test failed: " << tested.status().message()
            << "\n";
    return kExitJobFailed;
  }
  env.out << "Data source '" << source->name << "': test passed: " << *tested << "\n";
  return kExitOk;
}

}  // namespace

std::string DefaultDataDir(const std::map<std::string, std::string>& variables) {
  auto dir = variables.find("OTSYNC_DATA_DIR");
  if (dir != variables.end() && !dir->second.empty()) return dir->second;
  auto home = variables.find("HOME");
  if (home != variables.end() && !home->second.empty()) return home->second + "/.otsync";
  return ".otsync";
}

Result<sync::TimeZone> DefaultJobTimeZone(const CliEnvironment& env) {
  auto variable = env.variables.find("TZ");
  if (variable == env.variables.end() || variable->second.empty()) {
    return sync::TimeZone::Shanghai();
  }
  std::string_view name = variable->second;
  if (name.front() == ':') name.remove_prefix(1);
  Result<sync::TimeZone> zone = sync::ParseTimeZone(name);
  if (!zone.ok()) {
    return Status::InvalidArgument("the TZ environment variable: " + zone.status().message() +
                                   "; name the zone of the script's times with --time-zone");
  }
  return zone;
}

int RunCli(const std::vector<std::string>& args, const CliEnvironment& env) {
  CLI::App app(
      "otsync: runs DataWorks and DataX sync jobs (the otsstream reader, the odps, "
      "stream and txtfile writers) and manages data sources.",
      "otsync");
  app.require_subcommand(1);
  std::string data_dir = DefaultDataDir(env.variables);
  app.add_option("--data-dir", data_dir,
                 "Where data sources and local state live (default: $OTSYNC_DATA_DIR or "
                 "~/.otsync)");

  RunArgs run;
  CLI::App* run_command = app.add_subcommand("run", "Run a job script (script mode or DataX job)");
  run_command->add_option("job", run.job_path, "The job script")->required();
  run_command->add_option("-p,--param", run.assignments,
                          "Set a ${variable}: name=value (repeatable; DataX's \"-Dname=value\" "
                          "too)");
  run_command->add_option("--data-dir", data_dir, "As the global --data-dir");
  run_command->add_option("--progress-file", run.progress_file,
                          "Write the progress as JSON lines to this file (for a scheduler)");
  run_command->add_option("--time-zone", run.time_zone,
                          "The zone of the script's time strings and dates (startTimeString, "
                          "endTimeString, date) and of the log's times: Asia/Shanghai, UTC, "
                          "+08:00, a tz database region (default: $TZ, else Asia/Shanghai)");

  DataSourceArgs source;
  CLI::App* datasource = app.add_subcommand("datasource", "Manage named data sources");
  datasource->require_subcommand(1);
  datasource->add_option("--data-dir", data_dir, "As the global --data-dir");
  CLI::App* add = datasource->add_subcommand("add", "Add (or with --replace, replace) a source");
  add->add_option("name", source.name,
                  "Letters, digits, underscores; begins with a letter; at most 60")
      ->required();
  add->add_option("--type", source.type, env.plugins.DataSourceTypeChoices())->required();
  add->add_option("--description", source.description, "Free text");
  AddFieldOptions(add, env.plugins, source);
  add->add_flag("--replace", source.replace, "Replace a source of the same name");
  datasource->add_subcommand("list", "List data sources (secrets masked)");
  CLI::App* show = datasource->add_subcommand("show", "Show one data source (secrets masked)");
  show->add_option("name", source.name, "The data source")->required();
  CLI::App* test = datasource->add_subcommand("test", "Make a real request to the data source");
  test->add_option("name", source.name, "The data source")->required();
  CLI::App* remove = datasource->add_subcommand("remove", "Remove a data source");
  remove->add_option("name", source.name, "The data source")->required();
  // CLI11 does not hand a subcommand's unknown options up to its parent: each takes --data-dir.
  for (CLI::App* command : datasource->get_subcommands([](CLI::App*) { return true; })) {
    command->add_option("--data-dir", data_dir, "As the global --data-dir");
  }

  // otsync warehouse ...: run by writers/odps/warehouse_cli.cc.
  odps::WarehouseCommandArgs warehouse_args;
  CLI::App* warehouse = app.add_subcommand(
      "warehouse", "Create, inspect, query and export tables of the local warehouse (odps)");
  warehouse->require_subcommand(1);
  auto add_warehouse_options = [&](CLI::App* command) {
    command->add_option("--datasource", warehouse_args.datasource,
                        "An odps data source (default: odps_first)");
    command->add_option("--data-dir", data_dir, "As the global --data-dir");
  };
  add_warehouse_options(warehouse);
  CLI::App* create_table = warehouse->add_subcommand(
      "create-table",
      "Create a table: \"person(id STRING, version BIGINT) PARTITIONED BY (pt STRING)\"");
  create_table
      ->add_option(
          "spec", warehouse_args.spec_words,
          "NAME(COLUMN TYPE, ...) [PARTITIONED BY (COLUMN TYPE, ...)]; types STRING, "
          "BIGINT, INT, DOUBLE, BOOLEAN, DATETIME, TIMESTAMP, DATE, DECIMAL(p,s), BINARY...")
      ->required();
  CLI::App* describe =
      warehouse->add_subcommand("describe", "Show a table's columns, row count and partitions");
  describe->add_option("table", warehouse_args.table, "The table")->required();
  CLI::App* partitions =
      warehouse->add_subcommand("partitions", "List a table's partitions, one per line");
  partitions->add_option("table", warehouse_args.table, "The table")->required();
  CLI::App* query = warehouse->add_subcommand("query", "Run SQL (DuckDB) and print the rows");
  query->add_option("sql", warehouse_args.sql, "The SQL; the last statement's rows are printed")
      ->required();
  query->add_option("--format", warehouse_args.format, "table (default), csv or json");
  query->footer(
      "A query may use 96MB of memory (spilling sorts and joins to disk beyond it); "
      "$OTSYNC_WAREHOUSE_MEMORY_LIMIT sets another limit (e.g. 1GB), as does SET "
      "memory_limit='1GB'; at the start of the SQL.");
  CLI::App* export_command = warehouse->add_subcommand(
      "export", "Write a table or one partition as Parquet: DIR/TABLE/pt=.../part-00000.parquet");
  export_command->add_option("table", warehouse_args.table, "The table")->required();
  export_command->add_option("--partition", warehouse_args.partition,
                             "Only this partition, e.g. pt=20171019 (default: all)");
  export_command->add_option("--to", warehouse_args.output_dir, "The output folder")->required();
  export_command->add_option("--compression", warehouse_args.compression,
                             "snappy (default), zstd, gzip, lz4, brotli or uncompressed");
  CLI::App* check = warehouse->add_subcommand(
      "check",
      "Verify the warehouse: every file of every table readable, the window ledger consistent "
      "with the rows");
  CLI::App* recover = warehouse->add_subcommand(
      "recover",
      "Go back to the newest good state of a damaged warehouse and list the windows to export "
      "again");
  CLI::App* import_file = warehouse->add_subcommand(
      "import-file",
      "Bring the tables, rows and committed windows of a single-file warehouse of an earlier "
      "otsync (warehouse.duckdb) into this warehouse; the file is left as it is");
  import_file->add_option("file", warehouse_args.file, "The warehouse.duckdb file")->required();
  for (CLI::App* command :
       {create_table, describe, partitions, query, export_command, check, recover, import_file}) {
    add_warehouse_options(command);
  }

  // Commands that run themselves when parsed leave their exit status here.
  std::optional<int> command_exit_status;
  schedule::AddParamsCommand(app, env.out, env.err, &command_exit_status);
  // Command groups in their own files set `selected` when one of their commands is parsed.
  std::function<int()> selected;
  AddTableCommands(app, data_dir, env, &selected);
  AddServeCommand(app, data_dir, env, &selected);
  AddScheduleCommands(app, data_dir, env, &selected);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error, env.out, env.err);
    return code == 0 ? kExitOk : kExitBadConfiguration;
  }
  if (command_exit_status.has_value()) return *command_exit_status;
  if (selected) return selected();
  if (run_command->parsed()) return RunCommand(run, data_dir, env);
  for (CLI::App* command : datasource->get_subcommands()) {
    return DataSourceCommand(command->get_name(), source, data_dir, env);
  }
  for (CLI::App* command : warehouse->get_subcommands()) {
    warehouse_args.command = command->get_name();
    return odps::RunWarehouseCommand(warehouse_args, data_dir, env.plugins, env.out, env.err);
  }
  return kExitBadConfiguration;
}

}  // namespace otsync::tools
