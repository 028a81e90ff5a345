#include "tools/otsync/serve_command.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <mutex>

#include "base/durable_file.h"
#include "console/console_api.h"
#include "console/console_credentials.h"
#include "console/console_page.h"
#include "console/datasource_routes.h"
#include "console/http_listener.h"
#include "console/params_routes.h"
#include "console/serve_state_file.h"
#include "console/session_routes.h"
#include "sync/datasource_registry.h"

namespace otsync::tools {
namespace {

// The console room provides the server; this file only parses the command and starts it.
using console::AddDataSourceRoutes;
using console::AddPageRoutes;
using console::AddParamsRoutes;
using console::AddSessionRoutes;
using console::AdminPasswordSetup;
using console::ConsoleApi;
using console::ConsoleAuth;
using console::ConsoleDir;
using console::FindRunningServer;
using console::HttpListener;
using console::HttpListenerOptions;
using console::IsLoopbackHost;
using console::IssueCliToken;
using console::ListenAddress;
using console::LoadAdminPasswordHash;
using console::ParseListenAddress;
using console::ReadAdminPasswordFile;
using console::RemoveServeState;
using console::RequestOriginGuard;
using console::ServeState;
using console::SetUpAdminPassword;
using console::WriteServeState;

struct ServeArgs {
  std::string listen = "127.0.0.1:8900";
  bool allow_remote = false;
  std::vector<std::string> allow_hosts;
  std::string admin_password_file;
  std::string ui_dir;
};

int Fail(const CliEnvironment& env, const Status& status, int exit_status) {
  env.err << "otsync serve: " << status.message() << "\n";
  return exit_status;
}

std::string UrlOf(const std::string& host, int port) {
  std::string shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host;
  if (shown.find(':') != std::string::npos) shown = "[" + shown + "]";
  return "http://" + shown + ":" + std::to_string(port);
}

// Shows a generated admin password once: on the terminal, or, when standard output goes
// elsewhere (a log file), in a 0600 file whose path is printed instead.
Status AnnounceGeneratedPassword(const std::string& password, const AdminPasswordSetup& setup,
                                 const std::string& data_dir, const CliEnvironment& env) {
  const std::string change_hint =
      "To change it, restart with --admin-password-file FILE (mode 0600, the password on its "
      "first line).";
  if (&env.out == &std::cout && ::isatty(STDOUT_FILENO) == 1) {
    env.out << "otsync serve: the console's admin password, shown this once (stored only as a "
               "hash in "
            << setup.path << "):\n\n    " << password << "\n\n"
            << change_hint << "\n";
    return Status::OK();
  }
  const std::string path = ConsoleDir(data_dir) + "/initial-password";
  OTSYNC_RETURN_IF_ERROR(WriteFileAtomically(path, password + "\n", 0600));
  env.out << "otsync serve: the console's admin password was generated and written to " << path
          << " (mode 0600; delete it once read). " << change_hint << "\n";
  return Status::OK();
}

int RunServe(const ServeArgs& args, const std::string& data_dir, const CliEnvironment& env) {
  Result<ListenAddress> listen = ParseListenAddress(args.listen);
  if (!listen.ok()) return Fail(env, listen.status(), kExitBadConfiguration);
  if (!IsLoopbackHost(listen->host) && !args.allow_remote) {
    return Fail(env,
                Status::InvalidArgument(
                    "refusing to listen on " + args.listen +
                    ": it is reachable from other machines, and the console speaks plain HTTP, "
                    "so its password and session cookies would cross the network unencrypted. "
                    "Listen on 127.0.0.1 (the default) and reach it through an SSH tunnel or a "
                    "TLS proxy, or pass --allow-remote on a network you trust"),
                kExitBadConfiguration);
  }
  std::optional<std::string> given_password;
  if (!args.admin_password_file.empty()) {
    Result<std::string> password = ReadAdminPasswordFile(args.admin_password_file);
    if (!password.ok()) return Fail(env, password.status(), kExitBadConfiguration);
    given_password = std::move(*password);
  }
  if (Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir);
      !registry.ok()) {
    return Fail(env, registry.status(), kExitJobFailed);
  }
  if (Result<ServeState> running = FindRunningServer(data_dir); running.ok()) {
    return Fail(env,
                Status::AlreadyExists("otsync serve already runs for " + data_dir + " (pid " +
                                      std::to_string(running->pid) + ", " + running->url + ")"),
                kExitJobFailed);
  }

  Result<AdminPasswordSetup> setup = SetUpAdminPassword(data_dir, given_password);
  if (!setup.ok()) return Fail(env, setup.status(), kExitJobFailed);
  if (setup->generated_password.has_value()) {
    Status shown = AnnounceGeneratedPassword(*setup->generated_password, *setup, data_dir, env);
    if (!shown.ok()) return Fail(env, shown, kExitJobFailed);
  } else if (setup->replaced) {
    env.out << "otsync serve: the admin password was replaced by the one in "
            << args.admin_password_file << "\n";
  }
  Result<std::string> hash = LoadAdminPasswordHash(data_dir);
  if (!hash.ok()) return Fail(env, hash.status(), kExitJobFailed);
  Result<std::string> cli_token = IssueCliToken(data_dir);
  if (!cli_token.ok()) return Fail(env, cli_token.status(), kExitJobFailed);

  // SIGINT and SIGTERM are blocked in every thread (the listener's threads inherit the mask) and
  // taken by sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigset_t previous_mask;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous_mask);

  std::mutex log_mutex;
  HttpListenerOptions listener_options;
  listener_options.host = listen->host;
  listener_options.port = listen->port;
  listener_options.log = [&env, &log_mutex](const std::string& line) {
    std::lock_guard lock(log_mutex);
    env.err << "otsync serve: " << line << "\n";
    env.err.flush();
  };
  Result<std::unique_ptr<HttpListener>> listener = HttpListener::Bind(listener_options);
  if (!listener.ok()) {
    pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
    return Fail(env, listener.status(), kExitJobFailed);
  }
  const int port = (*listener)->port();
  std::shared_ptr<const Clock> clock = env.clock ? env.clock : DefaultClock();
  ConsoleAuth auth(*hash, *cli_token, clock);
  ConsoleApi api(RequestOriginGuard(*listen, port, args.allow_hosts), &auth);
  AddSessionRoutes(api);
  AddDataSourceRoutes(api.router(), data_dir, env.plugins);
  AddParamsRoutes(api.router(), clock);
  AddPageRoutes(api.router(), args.ui_dir);
  // The scheduler's routes (tasks, instances, backfill, progress events) join here.
  (*listener)->Serve(&api);

  const std::string url = UrlOf(listen->host, port);
  ServeState state{::getpid(), url, listen->host + ":" + std::to_string(port)};
  if (Status written = WriteServeState(data_dir, state); !written.ok()) {
    (*listener)->Stop();
    pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
    return Fail(env, written, kExitJobFailed);
  }
  {
    std::lock_guard lock(log_mutex);
    env.out << "otsync serve: serving " << url << " (data dir " << data_dir << ")" << std::endl;
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*listener)->Stop();
  RemoveServeState(data_dir, state.pid);
  pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  env.out << "otsync serve: stopped (" << (signal_number == SIGINT ? "SIGINT" : "SIGTERM") << ")"
          << std::endl;
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, std::string& data_dir, const CliEnvironment& env,
                     std::function<int()>* selected) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the console: a JSON API (and web page) for data sources and parameters");
  serve->add_option("--listen", args->listen, "HOST:PORT to listen on (default 127.0.0.1:8900)");
  serve->add_flag("--allow-remote", args->allow_remote,
                  "Allow a --listen address other machines can reach (plain HTTP)");
  serve->add_option("--allow-host", args->allow_hosts,
                    "A further host name browsers may use to reach the console (repeatable)");
  serve->add_option("--admin-password-file", args->admin_password_file,
                    "Set the admin password from this file's first line (mode 0600); without "
                    "it, the first start generates one");
  serve->add_option("--ui-dir", args->ui_dir,
                    "Serve the web page's files from this folder instead of the built-in copy "
                    "(development)");
  serve->add_option("--data-dir", data_dir, "As the global --data-dir");
  serve->callback([args, &data_dir, &env, selected] {
    *selected = [args, &data_dir, &env] { return RunServe(*args, data_dir, env); };
  });
}

}  // namespace otsync::tools
