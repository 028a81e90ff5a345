// otsync: the sync engine's command line (see tools/otsync/cli.h). This file decides which plugins
// the binary carries: a plugin in its own room adds one line to RegisterPlugins.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "base/kill_point.h"
#include "readers/otsstream/ots_datasource.h"
#include "readers/otsstream/otsstream_reader.h"
#include "sync/plugin_registry.h"
#include "tools/otsync/cli.h"
#include "writers/odps/odps_datasource.h"
#include "writers/odps/warehouse_cli.h"
#include "writers/stream/stream_writer.h"
#include "writers/txtfile/txtfile_writer.h"

namespace {

void RegisterPlugins(otsync::sync::PluginRegistry& plugins) {
  plugins.AddReader(otsync::readers::otsstream::OtsStreamReaderPlugin());
  plugins.AddWriter(otsync::odps::OdpsWriterPlugin());
  plugins.AddWriter(otsync::writers::StreamWriterPlugin());
  plugins.AddWriter(otsync::writers::TxtFileWriterPlugin());
  // In the order `otsync datasource add --help` lists their flags.
  plugins.AddDataSourceType(otsync::readers::otsstream::OtsDataSourceType());
  plugins.AddDataSourceType(otsync::odps::OdpsDataSourceType());
}

// The CLI's own variables (TZ: the zone of a run's time strings) and those the data-source types
// name (OTSYNC_ACCESS_KEY).
std::map<std::string, std::string> EnvironmentVariables(
    const otsync::sync::PluginRegistry& plugins) {
  std::vector<std::string> names = {"OTSYNC_DATA_DIR", "HOME", "TZ"};
  for (const otsync::sync::DataSourceType& type : plugins.data_source_types()) {
    for (const otsync::sync::DataSourceField& field : type.fields) {
      if (!field.environment_variable.empty()) names.push_back(field.environment_variable);
    }
  }
  std::map<std::string, std::string> variables;
  for (const std::string& name : names) {
    if (const char* value = std::getenv(name.c_str())) variables[name] = value;
  }
  return variables;
}

}  // namespace

int main(int argc, char** argv) {
  // Crash tests of a test build name the step to die at (base/kill_point.h).
  if (const char* point = std::getenv("OTSYNC_KILL_POINT"); point != nullptr && *point != '\0') {
    if (otsync::Status armed = otsync::ArmKillPointFromText(point); !armed.ok()) {
      std::cerr << "otsync: OTSYNC_KILL_POINT: " << armed.message() << "\n";
      return 2;
    }
  }
  otsync::sync::PluginRegistry plugins;
  RegisterPlugins(plugins);
  std::ios::sync_with_stdio(false);
  otsync::tools::CliEnvironment env{std::cout,
                                    std::cerr,
                                    plugins,
                                    nullptr,
                                    ::isatty(STDERR_FILENO) == 1,
                                    EnvironmentVariables(plugins)};
  winsize window{};
  if (env.err_is_terminal && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &window) == 0) {
    env.terminal_columns = window.ws_col;
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  int status = otsync::tools::RunCli(args, env);
  std::cout.flush();
  return status;
}
