// The console server of `otsync serve`, whole: the admin password and the CLI token, the
// listener with every route (session, data sources, parameters, the scheduler's, the page), the
// scheduler of the data dir, serve.json, and the stop on SIGINT or SIGTERM
// (docs/console-api.md). The command line (src/tools/otsync/serve_command.cc) only parses its
// options and calls RunConsoleServer.
//
// Order of a run: refuse a second server for the data dir, set up the password, open the
// scheduler (which holds <data-dir>/schedule.lock), bind, serve, write serve.json, print
// "otsync serve: serving http://HOST:PORT (data dir DIR)", start the scheduler; on a stop signal:
// stop the listener (ending event streams), stop the scheduler (ending running children, their
// instances recorded waiting), remove serve.json, print "otsync serve: stopped (SIGTERM)".
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "schedule/scheduler.h"
#include "sync/plugin_registry.h"

namespace otsync::console {

struct ConsoleServerOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:8900";
  bool allow_remote = false;             // Allow a listen address other machines reach.
  std::vector<std::string> allow_hosts;  // Further Host names browsers may use.
  std::string admin_password_file;       // Empty: keep the stored password or generate one.
  std::string ui_dir;                    // Empty: the built-in page files.
  int max_running = 2;                   // Instances running at once.
  // Days a finished instance's log is kept (0: forever); see SchedulerOptions.
  int log_retention_days = static_cast<int>(schedule::kDefaultLogRetentionDays);
  std::string otsync_binary;  // The `otsync` the instances run.
  // The readers and writers of the otsync binary (data-source tests, task scripts); required.
  const sync::PluginRegistry* plugins = nullptr;
  std::shared_ptr<const Clock> clock;  // Null: the real clock.
  std::ostream* out = nullptr;         // Required: the serving line, a generated password.
  std::ostream* err = nullptr;         // Required: one line per request, errors.
  // Whether `out` is a terminal a person reads: a generated password is shown there, else
  // written to a 0600 file whose path is shown.
  bool out_is_terminal = false;
};

// Runs the server until SIGINT or SIGTERM. Returns the exit status: 0 after a clean stop, 2 for
// a bad option (a non-loopback address without allow_remote, a bad password file, a bad
// max_running), 1 when it cannot start (the address in use, a server already running for the
// data dir); the reason goes to `err` as "otsync serve: ...".
int RunConsoleServer(const ConsoleServerOptions& options);

}  // namespace otsync::console
