#include "console/console_server.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <mutex>
#include <optional>

#include "base/durable_file.h"
#include "console/console_api.h"
#include "console/console_credentials.h"
#include "console/console_page.h"
#include "console/datasource_routes.h"
#include "console/http_listener.h"
#include "console/params_routes.h"
#include "console/schedule_routes.h"
#include "console/serve_state_file.h"
#include "console/session_routes.h"
#include "console/source_table_routes.h"
#include "console/warehouse_routes.h"
#include "schedule/scheduler.h"
#include "sync/datasource_registry.h"

namespace otsync::console {
namespace {

constexpr int kMaxLogRetentionDays = 36'500;

constexpr int kExitOk = 0;
constexpr int kExitCannotStart = 1;
constexpr int kExitBadConfiguration = 2;

// Event streams hold a listener thread each while they last; the other threads answer requests.
constexpr int kListenerThreads = 16;
constexpr int kMaxEventStreams = 8;

int Fail(const ConsoleServerOptions& options, const Status& status, int exit_status) {
  *options.err << "otsync serve: " << status.message() << "\n";
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
                                 const ConsoleServerOptions& options) {
  const std::string change_hint =
      "To change it, restart with --admin-password-file FILE (mode 0600, the password on its "
      "first line).";
  if (options.out_is_terminal) {
    *options.out << "otsync serve: the console's admin password, shown this once (stored only "
                    "as a hash in "
                 << setup.path << "):\n\n    " << password << "\n\n"
                 << change_hint << "\n";
    return Status::OK();
  }
  const std::string path = ConsoleDir(options.data_dir) + "/initial-password";
  OTSYNC_RETURN_IF_ERROR(WriteFileAtomically(path, password + "\n", 0600));
  *options.out << "otsync serve: the console's admin password was generated and written to " << path
               << " (mode 0600; delete it once read). " << change_hint << "\n";
  return Status::OK();
}

// Every route of the console, in the order they are matched.
void AddConsoleRoutes(ConsoleApi& api, const ConsoleServerOptions& options,
                      schedule::Scheduler& scheduler, const std::shared_ptr<const Clock>& clock) {
  AddSessionRoutes(api);
  AddDataSourceRoutes(api.router(), options.data_dir, *options.plugins);
  AddSourceTableRoutes(api.router(), options.data_dir, *options.plugins);
  AddParamsRoutes(api.router(), clock);
  AddScheduleRoutes(api.router(), scheduler, clock, kMaxEventStreams);
  AddWarehouseRoutes(api.router(), options.data_dir, *options.plugins);
  AddPageRoutes(api.router(), options.ui_dir);
}

}  // namespace

int RunConsoleServer(const ConsoleServerOptions& options) {
  const std::string& data_dir = options.data_dir;
  Result<ListenAddress> listen = ParseListenAddress(options.listen);
  if (!listen.ok()) return Fail(options, listen.status(), kExitBadConfiguration);
  if (!IsLoopbackHost(listen->host) && !options.allow_remote) {
    return Fail(options,
                Status::InvalidArgument(
                    "refusing to listen on " + options.listen +
                    ": it is reachable from other machines, and the console speaks plain HTTP, "
                    "so its password and session cookies would cross the network unencrypted. "
                    "Listen on 127.0.0.1 (the default) and reach it through an SSH tunnel or a "
                    "TLS proxy, or pass --allow-remote on a network you trust"),
                kExitBadConfiguration);
  }
  if (options.max_running < 1 || options.max_running > schedule::kMaxRunningLimit) {
    return Fail(options,
                Status::InvalidArgument("--max-running: expected 1 to " +
                                        std::to_string(schedule::kMaxRunningLimit) + ", got " +
                                        std::to_string(options.max_running)),
                kExitBadConfiguration);
  }
  if (options.log_retention_days < 0 || options.log_retention_days > kMaxLogRetentionDays) {
    return Fail(options,
                Status::InvalidArgument("--log-retention-days: expected 0 (keep forever) to " +
                                        std::to_string(kMaxLogRetentionDays) + ", got " +
                                        std::to_string(options.log_retention_days)),
                kExitBadConfiguration);
  }
  std::optional<std::string> given_password;
  if (!options.admin_password_file.empty()) {
    Result<std::string> password = ReadAdminPasswordFile(options.admin_password_file);
    if (!password.ok()) return Fail(options, password.status(), kExitBadConfiguration);
    given_password = std::move(*password);
  }
  if (Result<sync::DataSourceRegistry> registry =
          sync::DataSourceRegistry::Open(data_dir, *options.plugins);
      !registry.ok()) {
    return Fail(options, registry.status(), kExitCannotStart);
  }
  if (Result<ServeState> running = FindRunningServer(data_dir); running.ok()) {
    return Fail(options,
                Status::AlreadyExists("otsync serve already runs for " + data_dir + " (pid " +
                                      std::to_string(running->pid) + ", " + running->url + ")"),
                kExitCannotStart);
  }

  Result<AdminPasswordSetup> setup = SetUpAdminPassword(data_dir, given_password);
  if (!setup.ok()) return Fail(options, setup.status(), kExitCannotStart);
  if (setup->generated_password.has_value()) {
    Status shown = AnnounceGeneratedPassword(*setup->generated_password, *setup, options);
    if (!shown.ok()) return Fail(options, shown, kExitCannotStart);
  } else if (setup->replaced) {
    *options.out << "otsync serve: the admin password was replaced by the one in "
                 << options.admin_password_file << "\n";
  }
  Result<std::string> hash = LoadAdminPasswordHash(data_dir);
  if (!hash.ok()) return Fail(options, hash.status(), kExitCannotStart);
  Result<std::string> cli_token = IssueCliToken(data_dir);
  if (!cli_token.ok()) return Fail(options, cli_token.status(), kExitCannotStart);

  std::shared_ptr<const Clock> clock = options.clock ? options.clock : DefaultClock();
  schedule::SchedulerOptions scheduler_options;
  scheduler_options.clock = clock;
  scheduler_options.otsync_binary = options.otsync_binary;
  scheduler_options.plugins = options.plugins;
  scheduler_options.max_running = options.max_running;
  scheduler_options.log_retention_micros =
      static_cast<int64_t>(options.log_retention_days) * 24 * 3600 * 1'000'000;
  Result<std::unique_ptr<schedule::Scheduler>> scheduler =
      schedule::Scheduler::Open(data_dir, scheduler_options);
  if (!scheduler.ok()) return Fail(options, scheduler.status(), kExitCannotStart);

  // SIGINT and SIGTERM are blocked in every thread (the listener's and the scheduler's threads
  // inherit the mask; the instances' children get a clear one) and taken by sigwait below.
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
  listener_options.threads = kListenerThreads;
  listener_options.log = [&options, &log_mutex](const std::string& line) {
    std::lock_guard lock(log_mutex);
    *options.err << "otsync serve: " << line << "\n";
    options.err->flush();
  };
  Result<std::unique_ptr<HttpListener>> listener = HttpListener::Bind(listener_options);
  if (!listener.ok()) {
    pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
    return Fail(options, listener.status(), kExitCannotStart);
  }
  const int port = (*listener)->port();
  ConsoleAuth auth(*hash, *cli_token, clock);
  ConsoleApi api(RequestOriginGuard(*listen, port, options.allow_hosts), &auth);
  AddConsoleRoutes(api, options, **scheduler, clock);
  (*listener)->Serve(&api);

  const std::string url = UrlOf(listen->host, port);
  ServeState state{::getpid(), url, listen->host + ":" + std::to_string(port)};
  Status started = WriteServeState(data_dir, state);
  if (started.ok()) {
    std::lock_guard lock(log_mutex);
    *options.out << "otsync serve: serving " << url << " (data dir " << data_dir << ")"
                 << std::endl;
  }
  if (started.ok()) started = (*scheduler)->Start();
  int signal_number = 0;
  if (started.ok()) sigwait(&stop_signals, &signal_number);
  // The listener first: it ends the event streams, which hold subscriptions of the scheduler.
  (*listener)->Stop();
  (*scheduler)->Stop();
  scheduler->reset();
  RemoveServeState(data_dir, state.pid);
  pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  if (!started.ok()) return Fail(options, started, kExitCannotStart);
  *options.out << "otsync serve: stopped (" << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
               << ")" << std::endl;
  return kExitOk;
}

}  // namespace otsync::console
