#include "tools/otsync/serve_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <iostream>
#include <memory>

#include "console/console_server.h"

namespace otsync::tools {
namespace {

// This binary's path: the instances the scheduler starts run the same otsync as the server.
// Without /proc, "otsync" (which posix_spawn then looks for in the working directory).
std::string OwnBinary() {
  char path[PATH_MAX];
  ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) return "otsync";
  return std::string(path, static_cast<size_t>(length));
}

}  // namespace

void AddServeCommand(CLI::App& app, std::string& data_dir, const CliEnvironment& env,
                     std::function<int()>* selected) {
  auto options = std::make_shared<console::ConsoleServerOptions>();
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Run the console and the scheduler: a JSON API (and web page) for tasks, instances, "
      "backfills, data sources and parameters");
  serve->add_option("--listen", options->listen, "HOST:PORT to listen on (default 127.0.0.1:8900)");
  serve->add_flag("--allow-remote", options->allow_remote,
                  "Allow a --listen address other machines can reach (plain HTTP)");
  serve->add_option("--allow-host", options->allow_hosts,
                    "A further host name browsers may use to reach the console (repeatable)");
  serve->add_option("--admin-password-file", options->admin_password_file,
                    "Set the admin password from this file's first line (mode 0600); without "
                    "it, the first start generates one");
  serve->add_option("--max-running", options->max_running,
                    "Task instances running at once (default 2, at most 256)");
  serve->add_option("--log-retention-days", options->log_retention_days,
                    "Days a finished instance's log is kept (default 30; 0 keeps them forever)");
  serve->add_option("--ui-dir", options->ui_dir,
                    "Serve the web page's files from this folder instead of the built-in copy "
                    "(development)");
  serve->add_option("--data-dir", data_dir, "As the global --data-dir");
  serve->callback([options, &data_dir, &env, selected] {
    *selected = [options, &data_dir, &env] {
      options->data_dir = data_dir;
      options->otsync_binary = OwnBinary();
      options->plugins = &env.plugins;
      options->clock = env.clock;
      options->out = &env.out;
      options->err = &env.err;
      options->out_is_terminal = &env.out == &std::cout && ::isatty(STDOUT_FILENO) == 1;
      return console::RunConsoleServer(*options);
    };
  });
}

}  // namespace otsync::tools
