// otsd: the local Tablestore-compatible server. The command-line contract (shared with the
// e2e tests and the demo) is in `otsd --help`; once ready it prints exactly one line,
// "otsd: serving http://HOST:PORT", to stdout. Logs go to stderr. SIGINT/SIGTERM stop it (exit 0).
// `otsd admin ...` is the admin client instead (tools/otsd_admin.h). In a build with kill points
// (base/kill_point.h), OTSD_KILL_POINT=NAME[:HIT] makes otsd SIGKILL itself at that step.
#include <google/protobuf/stubs/logging.h>
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/heap_retention.h"
#include "base/kill_point.h"
#include "server/authenticator.h"
#include "server/credentials.h"
#include "server/fault_front.h"
#include "server/fault_plan.h"
#include "server/http_server.h"
#include "server/ots_service.h"
#include "server/request_dispatcher.h"
#include "store/store.h"
#include "tools/otsd_admin.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct ListenAddress {
  std::string host;
  int port = 0;
};

std::optional<ListenAddress> ParseListenAddress(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  ListenAddress address;
  address.host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  address.port = std::stoi(port);
  if (address.port > 65535) return std::nullopt;
  return address;
}

// "64m", "1g", "512k", "4096", "0": digits and an optional unit (k, m, g: KiB, MiB, GiB).
std::optional<int64_t> ParseByteSize(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  const int64_t amount = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  if (unit.empty()) return amount;
  if (unit == "k") return amount << 10;
  if (unit == "m") return amount << 20;
  if (unit == "g") return amount << 30;
  return std::nullopt;
}

// The byte size a size flag (`name`, e.g. "--min-free-space") holds, or the usage error.
otsync::Result<int64_t> ByteSizeFlag(const std::string& name, const std::string& text) {
  const std::optional<int64_t> size = ParseByteSize(text);
  if (!size) {
    return otsync::Status::InvalidArgument(name + ": expected a size such as 64m, 1g or 0, got \"" +
                                           text + "\"");
  }
  return *size;
}

// "-10m", "30s", "2h", "1d", "500ms", "0": an optional sign, digits, a unit (ms, s, m, h, d).
std::optional<int64_t> ParseDurationMicros(const std::string& text) {
  size_t position = 0;
  int64_t sign = 1;
  if (position < text.size() && (text[position] == '-' || text[position] == '+')) {
    sign = text[position] == '-' ? -1 : 1;
    ++position;
  }
  const size_t digits_begin = position;
  while (position < text.size() && std::isdigit(static_cast<unsigned char>(text[position]))) {
    ++position;
  }
  const size_t digit_count = position - digits_begin;
  if (digit_count == 0 || digit_count > 12) return std::nullopt;
  const int64_t amount = std::stoll(text.substr(digits_begin, digit_count));
  const std::string unit = text.substr(position);
  int64_t micros_per_unit = 0;
  if (unit == "ms") {
    micros_per_unit = 1000;
  } else if (unit == "s") {
    micros_per_unit = 1000 * 1000;
  } else if (unit == "m") {
    micros_per_unit = int64_t{60} * 1000 * 1000;
  } else if (unit == "h") {
    micros_per_unit = int64_t{3600} * 1000 * 1000;
  } else if (unit == "d") {
    micros_per_unit = int64_t{86400} * 1000 * 1000;
  } else if (unit.empty() && amount == 0) {
    micros_per_unit = 1;
  } else {
    return std::nullopt;
  }
  return sign * amount * micros_per_unit;
}

struct Flags {
  std::string listen = "127.0.0.1:8800";
  std::string data_dir;
  std::string credentials_file;
  std::string clock_offset = "0";
  double clock_speed = 1.0;
  std::string min_free_space = "64m";
  std::string reserved_space = "64m";
  std::string durability = "wal";
  std::string trim_interval = "60s";
  std::string stream_enabling_period = "0";
  int threads = 16;
  std::string request_timeout = "30s";
  std::string io_timeout = "5s";
  bool no_auth = false;
  bool no_stream_read_ahead = false;
  bool no_range_read_ahead = false;
  bool fault_injection = false;
  std::string fault_plan;
};

int UsageError(const std::string& message) {
  std::fprintf(stderr, "otsd: %s\nRun 'otsd --help' for the flags.\n", message.c_str());
  return kExitUsage;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "otsd: %s\n", message.c_str());
  return kExitFailure;
}

// libprotobuf logs an ERROR line for every request whose string field holds invalid UTF-8 (the
// request is then refused or answered as usual, so the line says nothing the client does not
// hear). A client sending such requests in a loop would flood the log; at most one protobuf line
// is written per minute, with the number left out since the last one. FATAL lines always pass.
void RateLimitedProtobufLog(google::protobuf::LogLevel level, const char* filename, int line,
                            const std::string& message) {
  static std::atomic<int64_t> next_allowed_seconds{0};
  static std::atomic<int64_t> suppressed{0};
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t allowed = next_allowed_seconds.load();
  if (level != google::protobuf::LOGLEVEL_FATAL &&
      (now < allowed || !next_allowed_seconds.compare_exchange_strong(allowed, now + 60))) {
    suppressed.fetch_add(1);
    return;
  }
  const int64_t left_out = suppressed.exchange(0);
  std::fprintf(stderr, "otsd: libprotobuf %s:%d: %s%s\n", filename, line, message.c_str(),
               left_out > 0 ? (" (" + std::to_string(left_out) +
                               " protobuf log lines left out since the previous one)")
                                  .c_str()
                            : "");
}

// The command line: fills `*flags`, or returns the exit status when otsd should stop here
// (--help: 0, bad flags: 2).
std::optional<int> ParseCommandLine(int argc, char** argv, Flags* flags) {
  CLI::App app(
      "otsd: a local Tablestore (OTS) compatible server. It speaks the service's HTTP + protobuf "
      "protocol, so the official SDKs work against it unchanged, and keeps its data in RocksDB.\n"
      "Once ready it prints one line to stdout: \"otsd: serving http://HOST:PORT\".\n"
      "SIGINT or SIGTERM stops it cleanly. Exit status: 0 stopped, 1 failed, 2 bad flags.",
      "otsd");
  app.add_option("--listen", flags->listen,
                 "host:port to listen on; port 0 picks a free port. Binds to loopback unless "
                 "told otherwise.")
      ->capture_default_str();
  app.add_option("--data-dir", flags->data_dir,
                 "Directory of the RocksDB database; created when missing. Required.");
  app.add_option("--credentials", flags->credentials_file,
                 "JSON file with instances, access keys and admin keys: "
                 "{\"instances\": [\"local\"], \"access_keys\": [{\"id\": ..., \"secret\": ..., "
                 "\"instances\": [\"local\"]}], \"admin_keys\": [{\"id\": ..., \"secret\": ...}]}. "
                 "Without it otsd uses the built-in development credentials: instance \"local\", "
                 "access key id \"otsync-local-id\" and admin key id \"admin-id\" with their "
                 "documented development secrets, for local use only.");
  app.add_option("--clock-offset", flags->clock_offset,
                 "Shift the clock that stamps cell versions and stream records, e.g. -10m, 30s, "
                 "2h, 1d, 500ms (request dates are still checked against the real clock).")
      ->capture_default_str();
  app.add_option("--clock-speed", flags->clock_speed,
                 "For soak tests: the clock of --clock-offset runs this many times as fast as the "
                 "real one from otsd's start (between 0.01 and 1000), so that a stream's "
                 "retention, whole hours, passes in less time; 1 is the real pace.")
      ->capture_default_str();
  app.add_option("--min-free-space", flags->min_free_space,
                 "Writes are refused (503, the disk is full) while the data directory's file "
                 "system has less free space than this, e.g. 64m, 1g, 512k; reads go on, and "
                 "writes resume once space is freed. 0 turns the check off.")
      ->capture_default_str();
  app.add_option("--reserved-space", flags->reserved_space,
                 "Space otsd holds in its data directory (a file, otsd-reserved-space) and gives "
                 "to the writes under way when another process fills the disk faster than the "
                 "free-space check sees; writes are then refused until there is room to hold it "
                 "again. 0: no reserve.")
      ->capture_default_str();
  app.add_option("--durability", flags->durability,
                 "wal: an acknowledged write survives a crash of otsd (kill -9); sync: also "
                 "fsync every write, surviving a machine crash.")
      ->capture_default_str();
  app.add_option(
         "--threads", flags->threads,
         "Worker threads kept ready to serve connections (at least 1). Each open keep-alive "
         "connection holds one; the pool grows beyond this number (up to 512) while more "
         "connections are open.")
      ->capture_default_str();
  app.add_option("--request-timeout", flags->request_timeout,
                 "How long a client may take to send one request, head and body, from its first "
                 "byte; a slower one is disconnected, so that slow clients cannot keep the worker "
                 "threads from others, e.g. 30s.")
      ->capture_default_str();
  app.add_option("--io-timeout", flags->io_timeout,
                 "The longest pause allowed to a client while it sends a request or takes a "
                 "reply, e.g. 5s.")
      ->capture_default_str();
  app.add_option("--trim-interval", flags->trim_interval,
                 "How often expired stream records are trimmed (real time), e.g. 60s, 10m; 0 "
                 "turns the background pass off ('otsd admin trim' still runs one).")
      ->capture_default_str();
  app.add_option("--stream-enabling-period", flags->stream_enabling_period,
                 "How long DescribeStream reports a newly enabled stream as STREAM_ENABLING "
                 "before STREAM_ACTIVE, as the service does for a moment, e.g. 2s; 0 = ACTIVE "
                 "at once. Records are written from the start either way.")
      ->capture_default_str();
  app.footer(
      "Admin operations (stream split/merge, trim now), signed with an admin key: "
      "'otsd admin --help'.\n");
  app.add_flag("--no-auth", flags->no_auth,
               "Skip signature, content-MD5, date and access-key checks. Requests still name a "
               "known instance in x-ots-instancename. Admin operations are then refused: they "
               "need a verified admin signature.");
  app.add_flag("--no-stream-read-ahead", flags->no_stream_read_ahead,
               "Do not prepare a stream reader's next GetStreamRecord answer in the background "
               "after a full one (the answers are the same; this only costs the overlap).");
  app.add_flag("--no-range-read-ahead", flags->no_range_read_ahead,
               "Do not prepare a scan's next GetRange page in the background (a prepared page is "
               "served only when no write happened since it was read, and never for a table "
               "with a TTL; this only costs the overlap).");
  app.add_flag("--fault-injection", flags->fault_injection,
               "For tests of clients: serve through a fault front that can answer the next "
               "requests of an API with 503 OTSServerBusy, hang or drop the connection, or "
               "flip a byte of the answer's body, armed by "
               "the admin operation _otsd/admin/InjectFaults (admin-signed). Off by default.");
  app.add_option("--fault-plan", flags->fault_plan,
                 "A fault plan armed from the start (implies --fault-injection), as JSON: "
                 "{\"seed\": 1, \"faults\": [{\"api\": \"GetStreamRecord\", \"kind\": "
                 "\"busy|hang|drop|corrupt\", \"count\": 3, \"skip\": 0, \"probability\": 1.0, "
                 "\"hang_ms\": 2000}]}.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return 0;
  } catch (const CLI::ParseError& error) {
    return UsageError(error.what());
  }
  return std::nullopt;
}

// The flags checked and turned into values.
struct Settings {
  ListenAddress listen;
  int64_t min_free_bytes = 0;
  int64_t reserved_bytes = 0;
  int64_t clock_offset_micros = 0;
  int64_t trim_interval_micros = 0;
  int64_t stream_enabling_period_micros = 0;
  int64_t request_timeout_micros = 0;
  int64_t io_timeout_micros = 0;
  // Faults need a front between the clients and the listener; without the flags there is none.
  bool fault_injection = false;
  std::optional<otsync::server::FaultPlan> fault_plan;
};

// Checks every flag; the error is the usage message naming the flag.
otsync::Result<Settings> CheckFlags(const Flags& flags) {
  using otsync::Status;
  Settings settings;
  if (flags.data_dir.empty()) return Status::InvalidArgument("--data-dir is required");
  const std::optional<ListenAddress> listen = ParseListenAddress(flags.listen);
  if (!listen) {
    return Status::InvalidArgument("--listen: expected host:port, got \"" + flags.listen + "\"");
  }
  settings.listen = *listen;
  const std::optional<int64_t> clock_offset = ParseDurationMicros(flags.clock_offset);
  if (!clock_offset) {
    return Status::InvalidArgument("--clock-offset: expected a duration such as -10m, got \"" +
                                   flags.clock_offset + "\"");
  }
  settings.clock_offset_micros = *clock_offset;
  OTSYNC_ASSIGN_OR_RETURN(settings.min_free_bytes,
                          ByteSizeFlag("--min-free-space", flags.min_free_space));
  OTSYNC_ASSIGN_OR_RETURN(settings.reserved_bytes,
                          ByteSizeFlag("--reserved-space", flags.reserved_space));
  if (!(flags.clock_speed >= 0.01 && flags.clock_speed <= 1000)) {
    return Status::InvalidArgument("--clock-speed: expected a number between 0.01 and 1000, got " +
                                   std::to_string(flags.clock_speed));
  }
  if (flags.durability != "wal" && flags.durability != "sync") {
    return Status::InvalidArgument("--durability: expected wal or sync, got \"" + flags.durability +
                                   "\"");
  }
  const std::optional<int64_t> trim_interval = ParseDurationMicros(flags.trim_interval);
  if (!trim_interval || *trim_interval < 0) {
    return Status::InvalidArgument("--trim-interval: expected a duration such as 60s, got \"" +
                                   flags.trim_interval + "\"");
  }
  settings.trim_interval_micros = *trim_interval;
  const std::optional<int64_t> request_timeout = ParseDurationMicros(flags.request_timeout);
  if (!request_timeout || *request_timeout < 1000 || *request_timeout > int64_t{3600} * 1000000) {
    return Status::InvalidArgument(
        "--request-timeout: expected a duration from 1ms to 1h such as 30s, got \"" +
        flags.request_timeout + "\"");
  }
  settings.request_timeout_micros = *request_timeout;
  const std::optional<int64_t> io_timeout = ParseDurationMicros(flags.io_timeout);
  if (!io_timeout || *io_timeout < 1000 || *io_timeout > int64_t{3600} * 1000000) {
    return Status::InvalidArgument(
        "--io-timeout: expected a duration from 1ms to 1h such as 5s, got \"" + flags.io_timeout +
        "\"");
  }
  settings.io_timeout_micros = *io_timeout;
  const std::optional<int64_t> stream_enabling_period =
      ParseDurationMicros(flags.stream_enabling_period);
  if (!stream_enabling_period || *stream_enabling_period < 0) {
    return Status::InvalidArgument(
        "--stream-enabling-period: expected a duration such as 2s, got \"" +
        flags.stream_enabling_period + "\"");
  }
  settings.stream_enabling_period_micros = *stream_enabling_period;
  if (flags.threads < 1 || flags.threads > 1024) {
    return Status::InvalidArgument("--threads: expected 1 to 1024, got " +
                                   std::to_string(flags.threads));
  }
  settings.fault_injection = flags.fault_injection || !flags.fault_plan.empty();
  if (!flags.fault_plan.empty()) {
    otsync::Result<otsync::server::FaultPlan> plan =
        otsync::server::ParseFaultPlan(flags.fault_plan);
    if (!plan.ok()) return Status::InvalidArgument("--fault-plan: " + plan.status().message());
    settings.fault_plan = std::move(plan).value();
  }
  return settings;
}

// --credentials, or the development credentials (said on stderr) without it.
otsync::Result<otsync::server::Credentials> LoadCredentials(const Flags& flags) {
  if (!flags.credentials_file.empty()) {
    return otsync::server::LoadCredentialsFile(flags.credentials_file);
  }
  std::fprintf(stderr,
               "otsd: no --credentials given; using the built-in development credentials "
               "(instance \"local\", access key id \"otsync-local-id\")\n");
  return otsync::server::DevelopmentCredentials();
}

otsync::Result<std::unique_ptr<otsync::store::Store>> OpenStore(const Flags& flags,
                                                                const Settings& settings) {
  using otsync::Status;
  std::error_code error;
  std::filesystem::create_directories(flags.data_dir, error);
  if (error) {
    return Status::IOError("cannot create --data-dir " + flags.data_dir + ": " + error.message());
  }
  otsync::store::StoreOptions options;
  options.path = flags.data_dir;
  options.clock =
      std::make_shared<otsync::SystemClock>(settings.clock_offset_micros, flags.clock_speed);
  options.sync_writes = flags.durability == "sync";
  options.min_free_bytes = settings.min_free_bytes;
  options.reserved_bytes = settings.reserved_bytes;
  options.trim_interval = std::chrono::milliseconds(settings.trim_interval_micros / 1000);
  options.stream_enabling_period =
      std::chrono::microseconds(settings.stream_enabling_period_micros);
  otsync::Result<std::unique_ptr<otsync::store::Store>> store = otsync::store::Store::Open(options);
  if (!store.ok()) return Status::IOError("cannot open the store: " + store.status().ToString());
  return store;
}

// Everything that serves requests, built in order and stopped in reverse: the service, its HTTP
// listener and, with fault injection, the front before it.
class Serving {
 public:
  // Starts serving `store` on the --listen address (behind the fault front when
  // settings.fault_injection: the listener then takes a private loopback port).
  static otsync::Result<std::unique_ptr<Serving>> Start(const Flags& flags, Settings settings,
                                                        otsync::server::Credentials credentials,
                                                        otsync::store::Store* store) {
    using namespace otsync;
    std::unique_ptr<Serving> serving(new Serving());
    if (settings.fault_plan) serving->fault_injector_.Arm(std::move(*settings.fault_plan));
    server::AuthOptions auth_options;
    auth_options.verify = !flags.no_auth;
    serving->authenticator_ = std::make_unique<server::Authenticator>(std::move(credentials),
                                                                      DefaultClock(), auth_options);
    server::DispatcherOptions dispatcher_options;
    if (flags.no_stream_read_ahead) dispatcher_options.stream_read_ahead = nullptr;
    if (flags.no_range_read_ahead) dispatcher_options.range_read_ahead = nullptr;
    server::RequestDispatcher dispatcher = server::MakeDefaultDispatcher(dispatcher_options);
    if (settings.fault_injection) {
      server::RegisterFaultInjectionHandlers(&dispatcher, &serving->fault_injector_);
    }
    serving->service_ = std::make_unique<server::OtsService>(store, serving->authenticator_.get(),
                                                             std::move(dispatcher), DefaultClock());

    server::HttpServerOptions http_options;
    http_options.host = settings.listen.host;
    http_options.port = settings.listen.port;
    if (settings.fault_injection) {
      http_options.host = "127.0.0.1";
      http_options.port = 0;
    }
    http_options.threads = flags.threads;
    http_options.request_timeout_millis = static_cast<int>(settings.request_timeout_micros / 1000);
    http_options.io_timeout_millis = static_cast<int>(settings.io_timeout_micros / 1000);
    OTSYNC_ASSIGN_OR_RETURN(serving->http_,
                            server::HttpServer::Start(http_options, serving->service_.get()));
    serving->port_ = serving->http_->port();
    if (settings.fault_injection) {
      OTSYNC_ASSIGN_OR_RETURN(
          serving->fault_front_,
          server::FaultFront::Start(settings.listen.host, settings.listen.port, "127.0.0.1",
                                    serving->http_->port(), &serving->fault_injector_));
      serving->port_ = serving->fault_front_->port();
      std::fprintf(stderr, "otsd: fault injection on (%zu rules armed)\n",
                   serving->fault_injector_.rule_count());
    }
    return serving;
  }

  int port() const { return port_; }

  void Stop() {
    if (fault_front_) fault_front_->Stop();
    http_->Stop();
  }

 private:
  Serving() = default;

  otsync::server::FaultInjector fault_injector_;
  std::unique_ptr<otsync::server::Authenticator> authenticator_;
  std::unique_ptr<otsync::server::OtsService> service_;
  std::unique_ptr<otsync::server::HttpServer> http_;
  std::unique_ptr<otsync::server::FaultFront> fault_front_;
  int port_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace otsync;
  if (argc > 1 && std::string_view(argv[1]) == "admin") {
    return tools::RunAdminCommand(argc - 1, argv + 1);
  }

  // A page of GetRange or GetStreamRecord allocates and frees a few MiB; glibc's defaults would
  // map and unmap it for every request (base/heap_retention.h). For builds on glibc's malloc
  // (OTSYNC_TCMALLOC off): under tcmalloc (src/tools/CMakeLists.txt), which keeps freed memory in
  // its own caches, or under a sanitizer's allocator the call changes nothing.
  RetainFreedHeap(/*trim_threshold_bytes=*/32 << 20, /*mmap_threshold_bytes=*/16 << 20);
  google::protobuf::SetLogHandler(&RateLimitedProtobufLog);
  // Crash tests of a test build name the step to die at (base/kill_point.h): "NAME" or
  // "NAME:HIT". A build without kill points refuses to start with it (exit 2) rather than run a
  // crash trial that can never crash.
  if (const char* point = std::getenv("OTSD_KILL_POINT"); point != nullptr && *point != '\0') {
    if (Status armed = ArmKillPointFromText(point); !armed.ok()) {
      return UsageError("OTSD_KILL_POINT: " + armed.message());
    }
  }

  Flags flags;
  if (std::optional<int> exit_status = ParseCommandLine(argc, argv, &flags)) return *exit_status;
  Result<Settings> settings = CheckFlags(flags);
  if (!settings.ok()) return UsageError(settings.status().message());
  Result<server::Credentials> credentials = LoadCredentials(flags);
  if (!credentials.ok()) return Fail(credentials.status().message());

  // Signals are taken by sigwait below; every thread started from here on inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Result<std::unique_ptr<store::Store>> store = OpenStore(flags, *settings);
  if (!store.ok()) return Fail(store.status().message());
  Result<std::unique_ptr<Serving>> serving =
      Serving::Start(flags, *settings, std::move(credentials).value(), store->get());
  if (!serving.ok()) return Fail(serving.status().message());

  std::fprintf(stderr, "otsd: data directory %s, durability %s, authentication %s\n",
               flags.data_dir.c_str(), flags.durability.c_str(), flags.no_auth ? "off" : "on");
  std::printf("otsd: serving http://%s:%d\n", settings->listen.host.c_str(), (*serving)->port());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::fprintf(stderr, "otsd: stopping on signal %d\n", signal_number);
  (*serving)->Stop();
  return 0;
}
