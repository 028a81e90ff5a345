// The `otsync` command line, as a function so that tests run it in-process:
//
//   otsync run JOB [-p name=value]... [--data-dir DIR]
//   otsync datasource add NAME --type ots|odps ... | list | show NAME | test NAME | remove NAME
//   otsync warehouse create-table|describe|partitions|query|export ...
//   (writers/odps/warehouse_cli.h) otsync params resolve --at TIME [--tz ZONE] [--backfill-date
//   DATE] NAME=EXPRESSION...
//                                                                   (schedule/params_cli.h)
//   otsync table list|describe|create|enable-stream|put|get|scan|import ...  (table_cli.h)
//   otsync task|backfill|instance ...  (schedule_cli.h: clients of the running otsync serve)
//
// Exit status: 0 success; 1 the job (or command) failed; 2 bad configuration — a job script
// that does not parse or validate, an unknown data source, a bad plugin parameter or window,
// bad command-line arguments. Every message goes to `err` (rows of the stream writer to `out`),
// and none contains a secret.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "sync/local_time.h"
#include "sync/plugin_registry.h"

namespace otsync::tools {

enum ExitStatus : int { kExitOk = 0, kExitJobFailed = 1, kExitBadConfiguration = 2 };

struct CliEnvironment {
  std::ostream& out;
  std::ostream& err;
  const sync::PluginRegistry& plugins;
  std::shared_ptr<const Clock> clock;  // Null: the real clock.
  bool err_is_terminal = false;        // A live progress line instead of plain lines.
  // Environment variables the CLI reads: OTSYNC_DATA_DIR, HOME, TZ, and those the data-source
  // types name for their fields (OTSYNC_ACCESS_KEY).
  std::map<std::string, std::string> variables;
  // The width of the terminal `err` goes to; 0 when unknown (the live line then fits 80).
  int terminal_columns = 0;
};

// `args` excludes the program name.
int RunCli(const std::vector<std::string>& args, const CliEnvironment& env);

// The zone of a job script's yyyyMMddHHmmss and yyyyMMdd when `otsync run` is not given
// --time-zone: the TZ variable's (as a JVM takes its default zone from it; glibc's leading ':'
// allowed), else Asia/Shanghai, the zone DataWorks runs its jobs in. InvalidArgument naming TZ
// when it names no zone otsync knows.
Result<sync::TimeZone> DefaultJobTimeZone(const CliEnvironment& env);

// $OTSYNC_DATA_DIR, else $HOME/.otsync, else ./.otsync.
std::string DefaultDataDir(const std::map<std::string, std::string>& variables);

}  // namespace otsync::tools
