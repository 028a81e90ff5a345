// scheduler_bench: what `otsync serve`'s scheduler costs per instance, beside the bare `otsync run`
// of the same window, and how many tasks one server keeps on schedule.
//
//   setup:     on a running otsd started with a negative --clock-offset (bench/run.sh: -30m, so a
//              record is stamped 30 minutes before it is written), --tables source tables with one
//              STRING PK and the stream on, and `otsync serve` started here as a child on a fresh
//              data dir (data source "otsstream" on this otsd, the warehouse table bench_out
//              partitioned by task and pt) with --max-running. From the start to the end a writer
//              thread puts one row (two attribute columns: 3 output rows) into every source table
//              each second, so every window of the load holds rows.
//   overhead:  one task `overhead` (day cycle: no scheduled instance comes during the run) over
//              its own table, prefilled with --overhead-records records; --overhead-runs times,
//              alternating: `POST /api/tasks/overhead/run` at a fixed scheduling time, polled
//              every 5 ms until the instance finished (request to observed finish), and the bare
//              `otsync run` of the very job file and -p values that instance ran with (spawn to
//              exit). Per-instance overhead = median(serve) - median(bare). The server's own
//              figures per instance: created -> started (the wait for the scheduler's tick and a
//              slot) and started -> finished.
//   load:      --tasks tasks, task i over source table i % --tables with its own status table,
//              into partition task=t<i>,pt=<scheduling minute> (truncate), on the cycle
//              `minute --cycle-minutes HH:MM-23:59` whose start minute is i % --offsets (the spread
//              DataWorks users give their minute tasks), window [t - 40 min, t - 35 min] in otsd's
//              stamps = the 5 minutes that ended 5 minutes before the scheduling time t, as
//              written. The load starts once the trickle writer has run --warmup-minutes (10: from
//              then on every window holds 5 minutes of rows). The server runs them for --minutes;
//              then no new instance is counted, the running ones get up to 3 minutes to end,
//              and every instance with a scheduling time in the load's interval is read back:
//              how many the cycles call for and how many exist, their states, the start delay
//              (started - scheduling time) as median, 99th percentile and max, the share started
//              within 10 s, the finish delay (finished - scheduling time: when the partition
//              lands) likewise, the largest of each per 5-minute bucket (a scheduler falling
//              behind shows a growing delay), the time each commit held the warehouse's commit
//              lock and waited for it per bucket (from the job summaries), and the CPU time of the
//              server process itself beside its children's.
//
// Timing is this program's own (std::chrono::steady_clock for the overhead, the server's
// recorded epoch milliseconds for the load). Output is a markdown report on stdout; progress goes
// to stderr.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "client/client.h"
#include "sync/local_time.h"
#include "testing/child_process.h"
#include "tools/otsync/serve_client.h"

namespace {

using otsync::Result;
using otsync::Status;
using otsync::bench::AddOtsdEndpointOptions;
using otsync::bench::Clock;
using otsync::bench::Fixed;
using otsync::bench::Median;
using otsync::bench::OtsdEndpoint;
using otsync::bench::ProcessCpu;
using otsync::bench::ProcessCpuTimes;
using otsync::bench::Seconds;
using otsync::bench::WriteAll;
using otsync::testing::ChildProcess;
using otsync::tools::ServeClient;
namespace client = otsync::client;
namespace wire = otsync::wire;
namespace sync = otsync::sync;

constexpr char kOverheadTable[] = "bench_overhead_src";
constexpr char kWarehouseTable[] =
    "bench_out(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING) "
    "PARTITIONED BY (task STRING, pt STRING)";

struct Flags {
  OtsdEndpoint otsd;
  std::string otsync;    // The otsync binary.
  std::string work_dir;  // Scratch space: the serve data dir and logs.
  int tasks = 500;
  int tables = 10;
  int cycle_minutes = 5;
  int offsets = 5;
  double minutes = 30;
  int max_running = 2;
  int overhead_runs = 10;
  int64_t overhead_records = 2'000;
  int clock_offset_minutes = -30;
  bool skip_overhead = false;
  bool skip_load = false;
  // Minutes the trickle writer runs before the load starts. A window holds the rows written 5 to
  // 10 minutes before its scheduling time, so with less than 10 the load's first instances read
  // empty or partly filled windows, cheaper than the rest for a reason other than history.
  double warmup_minutes = 10;
};

int Fail(const std::string& step, const Status& status) {
  std::cerr << "scheduler_bench: " << step << " failed: " << status.ToString() << "\n";
  return 1;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string SourceTable(int index) { return "bench_src_" + std::to_string(index); }

std::string TaskName(int index) {
  std::string digits = std::to_string(index);
  return "t" + std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') + digits;
}

// Reads "Warehouse lock held   : 4.6 ms (waited 0.3 ms for other commits)" of a job summary into
// seconds; false when the summary has no such line (the instance did not commit).
bool ParseLockLine(const std::string& summary, double* held, double* waited) {
  const size_t line = summary.find("Warehouse lock held");
  if (line == std::string::npos) return false;
  const size_t colon = summary.find(':', line);
  const size_t wait = summary.find("(waited ", line);
  if (colon == std::string::npos || wait == std::string::npos) return false;
  try {
    *held = std::stod(summary.substr(colon + 1)) / 1000.0;
    *waited = std::stod(summary.substr(wait + 8)) / 1000.0;
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

// Reads "Complete manifest         : written in 35.2 ms, after the lock ..." of a job summary into
// seconds; false when the summary has no such line (the instance's commit owed none).
bool ParseCompleteManifestLine(const std::string& summary, double* written) {
  const size_t line = summary.find("Complete manifest");
  if (line == std::string::npos) return false;
  const size_t in = summary.find("written in ", line);
  if (in == std::string::npos) return false;
  try {
    *written = std::stod(summary.substr(in + 11)) / 1000.0;
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

// "2025-11-01 10:35:00" in Asia/Shanghai, the wall clock the API takes.
std::string WallClock(int64_t epoch_millis) {
  const std::string compact = sync::FormatCompactDateTime(epoch_millis, sync::TimeZone::Shanghai());
  return compact.substr(0, 4) + "-" + compact.substr(4, 2) + "-" + compact.substr(6, 2) + " " +
         compact.substr(8, 2) + ":" + compact.substr(10, 2) + ":" + compact.substr(12, 2);
}

std::string LoadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// Runs otsync with `args`; fails with its standard error when it exits non-zero. The secret of
// otsd's development key travels in the environment, never on argv.
Status RunOtsync(const Flags& flags, std::vector<std::string> args,
                 const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), flags.otsync);
  otsync::testing::ChildProcessOptions options;
  options.extra_env = env;
  OTSYNC_ASSIGN_OR_RETURN(otsync::testing::ChildExit exit,
                          otsync::testing::RunProcess(args, std::chrono::minutes(2), options));
  if (exit.exit_status != 0) {
    return Status::Internal("otsync " + args[1] + " exited with " +
                            std::to_string(exit.exit_status) + ": " + exit.err);
  }
  return Status::OK();
}

std::string JobScript(const std::string& source_table, const std::string& status_table,
                      const std::string& partition) {
  nlohmann::json job = {{"type", "job"},
                        {"version", "1.0"},
                        {"configuration",
                         {{"reader",
                           {{"plugin", "otsstream"},
                            {"parameter",
                             {{"datasource", "otsstream"},
                              {"dataTable", source_table},
                              {"startTimeString", "${startTime}"},
                              {"endTimeString", "${endTime}"},
                              {"statusTable", status_table},
                              {"maxRetries", 30},
                              {"isExportSequenceInfo", false}}}}},
                          {"writer",
                           {{"plugin", "odps"},
                            {"parameter",
                             {{"datasource", "odps_first"},
                              {"table", "bench_out"},
                              {"truncate", true},
                              {"partition", partition},
                              {"column", {"id", "colname", "version", "colvalue", "optype"}}}}}},
                          {"setting", {{"speed", {{"throttle", false}, {"concurrent", 1}}}}}}}};
  return job.dump(2);
}

Status CreateSourceTable(client::Client& ots, const std::string& name) {
  wire::TableDescription table;
  table.name = name;
  table.primary_key = {{"id", wire::PrimaryKeyType::kString, false}};
  table.stream.enabled = true;
  table.stream.expiration_hours = 24;
  return ots.CreateTable(table);
}

wire::RowWrite MakeWrite(const std::string& key, int64_t i) {
  wire::RowWrite write;
  write.type = wire::WriteType::kPut;
  write.row.primary_key = {{"id", wire::Value::String(key)}};
  write.row.cells = {
      {"name", wire::Value::String(otsync::bench::Filler(i, 20)), std::nullopt},
      {"age", wire::Value::Integer(18 + i % 70), std::nullopt},
  };
  return write;
}

// Puts one row into every source table each second until stopped.
class TrickleWriter {
 public:
  TrickleWriter(const Flags& flags, client::Client& ots) : flags_(flags), ots_(ots) {}
  ~TrickleWriter() { Stop(); }

  void Start() {
    thread_ = std::thread([this] {
      int64_t round = 0;
      while (!stop_.load()) {
        const Clock::time_point next = Clock::now() + std::chrono::seconds(1);
        for (int t = 0; t < flags_.tables; ++t) {
          std::vector<wire::TableWrites> tables(1);
          tables[0].table_name = SourceTable(t);
          tables[0].rows.push_back(MakeWrite("r" + std::to_string(round), round));
          if (WriteAll(ots_, tables).ok()) {
            written_.fetch_add(1);
          } else {
            failed_.fetch_add(1);
          }
        }
        ++round;
        while (!stop_.load() && Clock::now() < next) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    });
  }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  int64_t written() const { return written_.load(); }
  int64_t failed() const { return failed_.load(); }

 private:
  const Flags& flags_;
  client::Client& ots_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> written_{0};
  std::atomic<int64_t> failed_{0};
};

// `otsync serve` on a fresh data dir, its client, and its process.
struct Server {
  std::string data_dir;
  std::unique_ptr<ChildProcess> process;
  std::optional<ServeClient> api;
};

Result<Server> StartServer(const Flags& flags) {
  Server server;
  server.data_dir = flags.work_dir + "/serve";
  std::filesystem::remove_all(server.data_dir);
  std::filesystem::create_directories(server.data_dir);
  OTSYNC_RETURN_IF_ERROR(
      RunOtsync(flags,
                {"datasource", "add", "otsstream", "--data-dir", server.data_dir, "--type", "ots",
                 "--endpoint", flags.otsd.url, "--instance", flags.otsd.instance, "--access-id",
                 flags.otsd.access_key_id, "--replace"},
                {"OTSYNC_ACCESS_KEY=" + flags.otsd.AccessKeySecret()}));
  OTSYNC_RETURN_IF_ERROR(RunOtsync(
      flags, {"warehouse", "create-table", "--data-dir", server.data_dir, kWarehouseTable}));
  otsync::testing::ChildProcessOptions options;
  options.stderr_path = flags.work_dir + "/serve.err";
  OTSYNC_ASSIGN_OR_RETURN(
      server.process,
      ChildProcess::Start({flags.otsync, "serve", "--listen", "127.0.0.1:0", "--data-dir",
                           server.data_dir, "--max-running", std::to_string(flags.max_running)},
                          options));
  OTSYNC_RETURN_IF_ERROR(
      server.process->WaitForOutputLine("otsync serve: serving", std::chrono::seconds(30))
          .status());
  OTSYNC_ASSIGN_OR_RETURN(ServeClient api, ServeClient::Connect(server.data_dir));
  server.api.emplace(std::move(api));
  return server;
}

bool Finished(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "killed";
}

// The overhead phase's medians.
struct Overhead {
  double serve_seconds = 0;       // Request to observed finish.
  double bare_seconds = 0;        // Spawn to exit of the same job and values.
  double created_to_started = 0;  // The server's record.
  double started_to_finished = 0;
};

Result<Overhead> MeasureOverhead(const Flags& flags, client::Client& ots, Server& server) {
  OTSYNC_RETURN_IF_ERROR(CreateSourceTable(ots, kOverheadTable));
  constexpr int64_t kBatch = 200;
  for (int64_t first = 0; first < flags.overhead_records; first += kBatch) {
    std::vector<wire::TableWrites> tables(1);
    tables[0].table_name = kOverheadTable;
    for (int64_t i = first; i < std::min(flags.overhead_records, first + kBatch); ++i) {
      tables[0].rows.push_back(MakeWrite("o" + std::to_string(i), i));
    }
    OTSYNC_RETURN_IF_ERROR(WriteAll(ots, tables));
  }
  // The records are stamped 30 minutes ago: [t - 45 min, t - 5 min] holds them all.
  nlohmann::json task = {
      {"name", "overhead"},
      {"script", JobScript(kOverheadTable, "bench_overhead_status", "task=overhead,pt=${pt}")},
      {"parameters",
       "startTime=$[yyyymmddhh24miss-45/24/60] endTime=$[yyyymmddhh24miss-5/24/60] "
       "pt=$[hh24miss]"},
      {"cycle", "day 03:00"},
      {"timeZone", "Asia/Shanghai"},
      {"retryCount", 0}};
  OTSYNC_RETURN_IF_ERROR(server.api->Post("/api/tasks", task).status());
  // Each run its own scheduling time, a second apart, so its own partition: a window already
  // committed to a partition is recognised and not read again, which would time nothing.
  const int64_t first_at_millis = NowMillis() - 600'000;
  std::vector<double> serve_seconds, bare_seconds, waits, runs;
  for (int run = 0; run < flags.overhead_runs; ++run) {
    const std::string at = WallClock(first_at_millis + int64_t{1000} * run);
    const Clock::time_point start = Clock::now();
    OTSYNC_ASSIGN_OR_RETURN(nlohmann::json instance,
                            server.api->Post("/api/tasks/overhead/run", {{"at", at}}));
    const std::string path = "/api/instances/" + std::to_string(instance.at("id").get<int64_t>());
    while (!Finished(instance.at("state").get<std::string>())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      OTSYNC_ASSIGN_OR_RETURN(instance, server.api->Get(path));
    }
    serve_seconds.push_back(Seconds(Clock::now() - start));
    if (instance.at("state") != "succeeded" ||
        instance.value("summary", std::string()).find("already committed") != std::string::npos) {
      return Status::Internal("overhead instance " + path + " ended " +
                              instance.at("state").get<std::string>() + ": " +
                              instance.value("summary", ""));
    }
    waits.push_back(static_cast<double>(instance.at("startedMillis").get<int64_t>() -
                                        instance.at("createdMillis").get<int64_t>()) /
                    1000.0);
    runs.push_back(static_cast<double>(instance.at("finishedMillis").get<int64_t>() -
                                       instance.at("startedMillis").get<int64_t>()) /
                   1000.0);
    // The bare run: the job file the instance ran, with its -p values but its own partition.
    std::vector<std::string> argv = {flags.otsync, "run",
                                     server.data_dir + "/jobs/overhead/" +
                                         std::to_string(instance.at("id").get<int64_t>()) + ".json",
                                     "--data-dir", server.data_dir};
    for (const nlohmann::json& value : instance.at("parameters")) {
      argv.push_back("-p");
      const std::string name = value.at("name").get<std::string>();
      argv.push_back(name + "=" + (name == "pt" ? "bare" : "") +
                     value.at("value").get<std::string>());
    }
    const Clock::time_point bare_start = Clock::now();
    OTSYNC_ASSIGN_OR_RETURN(otsync::testing::ChildExit exit,
                            otsync::testing::RunProcess(argv, std::chrono::minutes(2)));
    bare_seconds.push_back(Seconds(Clock::now() - bare_start));
    if (exit.exit_status != 0 || exit.out.find("already committed") != std::string::npos) {
      return Status::Internal("the bare otsync run exited with " +
                              std::to_string(exit.exit_status) + ": " + exit.err);
    }
    std::cerr << "scheduler_bench: overhead run " << run + 1 << ": serve "
              << Fixed(serve_seconds.back(), 3) << " s, bare " << Fixed(bare_seconds.back(), 3)
              << " s\n";
  }
  return Overhead{Median(serve_seconds), Median(bare_seconds), Median(waits), Median(runs)};
}

// The scheduling times (epoch seconds) of task `index`'s cycle in (from, to].
std::vector<int64_t> ExpectedTimes(const Flags& flags, int index, int64_t from, int64_t to) {
  std::vector<int64_t> times;
  const int64_t offset_seconds = 60LL * (index % flags.offsets);
  const int64_t period = 60LL * flags.cycle_minutes;
  // Shanghai is UTC+8 without daylight saving, and the cycle restarts each day at its start
  // minute: within a day the times are start + k * period.
  constexpr int64_t kZoneSeconds = 8 * 3600;
  for (int64_t t = from + 1; t <= to; ++t) {
    const int64_t of_day = (t + kZoneSeconds) % 86400;
    if (of_day >= offset_seconds && (of_day - offset_seconds) % period == 0 &&
        of_day <= 23 * 3600 + 59 * 60) {
      times.push_back(t);
    }
  }
  return times;
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = static_cast<size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

int RunLoad(const Flags& flags, Server& server) {
  for (int i = 0; i < flags.tasks; ++i) {
    const int start_minute = i % flags.offsets;
    nlohmann::json task = {
        {"name", TaskName(i)},
        {"script", JobScript(SourceTable(i % flags.tables), "bench_status_" + TaskName(i),
                             "task=" + TaskName(i) + ",pt=${pt}")},
        {"parameters",
         "startTime=$[yyyymmddhh24miss-40/24/60] endTime=$[yyyymmddhh24miss-35/24/60] "
         "pt=$[yyyymmddhh24mi]"},
        {"cycle", "minute " + std::to_string(flags.cycle_minutes) + " 00:0" +
                      std::to_string(start_minute) + "-23:59"},
        {"timeZone", "Asia/Shanghai"},
        {"retryCount", 0}};
    if (Result<nlohmann::json> created = server.api->Post("/api/tasks", task); !created.ok()) {
      return Fail("creating task " + TaskName(i), created.status());
    }
  }
  // A task's first instance is the first cycle time after its creation: count from here.
  const int64_t from = NowMillis() / 1000;
  const int64_t to = from + static_cast<int64_t>(flags.minutes * 60);
  std::cerr << "scheduler_bench: " << flags.tasks << " tasks created; load until "
            << WallClock(to * 1000) << " (Asia/Shanghai)\n";
  const ProcessCpuTimes cpu_start = ProcessCpu(server.process->pid());
  const std::string load_start = LoadAverage();
  while (NowMillis() / 1000 < to) std::this_thread::sleep_for(std::chrono::seconds(1));
  const ProcessCpuTimes cpu_end = ProcessCpu(server.process->pid());
  const std::string load_end = LoadAverage();
  for (int i = 0; i < flags.tasks; ++i) {
    if (Status frozen = server.api->Post("/api/tasks/" + TaskName(i) + "/freeze", {}).status();
        !frozen.ok()) {
      return Fail("freezing " + TaskName(i), frozen);
    }
  }
  // The running ones end; the frozen waiting ones are the backlog.
  const Clock::time_point drain_deadline = Clock::now() + std::chrono::minutes(3);
  while (Clock::now() < drain_deadline) {
    Result<nlohmann::json> running =
        server.api->Get("/api/instances", {{"state", "running"}, {"limit", "10000"}});
    if (!running.ok()) return Fail("listing running instances", running.status());
    if (running->at("instances").empty()) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }

  int64_t expected = 0, found = 0, succeeded = 0, failed = 0, unfinished = 0, within_10s = 0;
  std::vector<double> delays, durations, finish_delays;
  std::map<int64_t, double> worst_by_bucket;         // 5-minute bucket -> largest start delay.
  std::map<int64_t, double> worst_finish_by_bucket;  // 5-minute bucket -> largest finish delay.
  // From the job summary's "Warehouse lock held" line: how long each commit held the warehouse's
  // commit lock and waited for it, in seconds, per 5-minute bucket.
  std::map<int64_t, std::vector<double>> lock_held_by_bucket, lock_waited_by_bucket;
  // From its "Complete manifest" line: the commits that wrote the complete manifest their
  // version was owed (after the lock), and how long that took.
  std::map<int64_t, std::vector<double>> complete_manifest_by_bucket;
  std::string first_failure;
  for (int i = 0; i < flags.tasks; ++i) {
    const std::vector<int64_t> times = ExpectedTimes(flags, i, from, to);
    expected += static_cast<int64_t>(times.size());
    Result<nlohmann::json> listed =
        server.api->Get("/api/instances", {{"task", TaskName(i)}, {"limit", "10000"}});
    if (!listed.ok()) return Fail("listing instances of " + TaskName(i), listed.status());
    for (const nlohmann::json& instance : listed->at("instances")) {
      const int64_t scheduled = instance.at("schedulingEpoch").get<int64_t>();
      if (instance.at("kind") != "scheduled" || scheduled <= from || scheduled > to) continue;
      ++found;
      const std::string state = instance.at("state").get<std::string>();
      if (state == "succeeded") {
        ++succeeded;
      } else if (state == "failed" || state == "killed") {
        ++failed;
        if (first_failure.empty()) {
          first_failure = TaskName(i) + ": " + instance.value("summary", std::string());
        }
      } else {
        ++unfinished;
      }
      if (double held = 0, waited = 0;
          ParseLockLine(instance.value("summary", std::string()), &held, &waited)) {
        lock_held_by_bucket[(scheduled - from) / 300].push_back(held);
        lock_waited_by_bucket[(scheduled - from) / 300].push_back(waited);
      }
      if (double written = 0;
          ParseCompleteManifestLine(instance.value("summary", std::string()), &written)) {
        complete_manifest_by_bucket[(scheduled - from) / 300].push_back(written);
      }
      if (instance.at("startedMillis").is_null()) continue;
      const double delay =
          static_cast<double>(instance.at("startedMillis").get<int64_t>() - scheduled * 1000) /
          1000.0;
      delays.push_back(delay);
      if (delay <= 10.0) ++within_10s;
      double& worst = worst_by_bucket[(scheduled - from) / 300];
      worst = std::max(worst, delay);
      if (!instance.at("finishedMillis").is_null()) {
        const int64_t finished = instance.at("finishedMillis").get<int64_t>();
        durations.push_back(
            static_cast<double>(finished - instance.at("startedMillis").get<int64_t>()) / 1000.0);
        const double finish_delay = static_cast<double>(finished - scheduled * 1000) / 1000.0;
        finish_delays.push_back(finish_delay);
        double& worst_finish = worst_finish_by_bucket[(scheduled - from) / 300];
        worst_finish = std::max(worst_finish, finish_delay);
      }
    }
  }

  const double seconds = static_cast<double>(to - from);
  std::cout << "\n## Scheduler load: " << flags.tasks << " tasks, `minute " << flags.cycle_minutes
            << "` cycles over " << flags.offsets << " start minutes, " << Fixed(flags.minutes, 0)
            << " minutes, --max-running " << flags.max_running << "\n\n";
  std::cout << "- load average at the start of the load " << load_start << ", at its end "
            << load_end << "\n";
  std::cout << "| figure | value |\n|---|---|\n";
  std::cout << "| instances the cycles call for | " << expected << " |\n";
  std::cout << "| instances generated | " << found << " |\n";
  std::cout << "| succeeded / failed / not finished | " << succeeded << " / " << failed << " / "
            << unfinished << " |\n";
  std::cout << "| started within 10 s of the scheduling time | " << within_10s << " of " << found
            << " (" << Fixed(found ? 100.0 * within_10s / found : 0, 1) << " %) |\n";
  std::cout << "| start delay median / p99 / max | " << Fixed(Percentile(delays, 0.5), 2) << " / "
            << Fixed(Percentile(delays, 0.99), 2) << " / " << Fixed(Percentile(delays, 1.0), 2)
            << " s |\n";
  std::cout << "| instance run time (started to finished) median / p99 | "
            << Fixed(Percentile(durations, 0.5), 3) << " / "
            << Fixed(Percentile(durations, 0.99), 3) << " s |\n";
  std::cout << "| finish delay (scheduling time to finished) median / p99 / max | "
            << Fixed(Percentile(finish_delays, 0.5), 2) << " / "
            << Fixed(Percentile(finish_delays, 0.99), 2) << " / "
            << Fixed(Percentile(finish_delays, 1.0), 2) << " s |\n";
  std::cout << "| largest start delay per 5-minute bucket | ";
  for (const auto& [bucket, worst] : worst_by_bucket) std::cout << Fixed(worst, 1) << " ";
  std::cout << "s |\n";
  std::cout << "| largest finish delay per 5-minute bucket | ";
  for (const auto& [bucket, worst] : worst_finish_by_bucket) std::cout << Fixed(worst, 1) << " ";
  std::cout << "s |\n";
  auto per_bucket = [](const std::map<int64_t, std::vector<double>>& buckets, double share) {
    std::string text;
    for (const auto& [bucket, values] : buckets) {
      text += Fixed(Percentile(values, share) * 1000, 1) + " ";
    }
    return text + "ms";
  };
  std::cout << "| warehouse commit lock held, median per 5-minute bucket | "
            << per_bucket(lock_held_by_bucket, 0.5) << " |\n";
  std::cout << "| warehouse commit lock held, max per 5-minute bucket | "
            << per_bucket(lock_held_by_bucket, 1.0) << " |\n";
  std::cout << "| wait for the commit lock, median per 5-minute bucket | "
            << per_bucket(lock_waited_by_bucket, 0.5) << " |\n";
  std::cout << "| wait for the commit lock, max per 5-minute bucket | "
            << per_bucket(lock_waited_by_bucket, 1.0) << " |\n";
  std::cout << "| complete manifests written (after the lock) per 5-minute bucket | ";
  for (const auto& [bucket, values] : lock_held_by_bucket) {
    auto written = complete_manifest_by_bucket.find(bucket);
    std::cout << (written == complete_manifest_by_bucket.end() ? 0 : written->second.size()) << " ";
  }
  std::cout << "|\n";
  std::cout << "| complete manifest write, median per 5-minute bucket | "
            << per_bucket(complete_manifest_by_bucket, 0.5) << " |\n";
  std::cout << "| CPU of the server process itself | " << Fixed(cpu_end.own - cpu_start.own, 1)
            << " s (" << Fixed(100.0 * (cpu_end.own - cpu_start.own) / seconds, 2)
            << " % of one core) |\n";
  std::cout << "| CPU of its children (the instances) | "
            << Fixed(cpu_end.children - cpu_start.children, 1) << " s ("
            << Fixed(100.0 * (cpu_end.children - cpu_start.children) / seconds, 1)
            << " % of one core) |\n";
  if (!first_failure.empty()) std::cout << "\nFirst failure: " << first_failure << "\n";
  return (failed == 0 && found == expected) ? 0 : 1;
}

int Run(const Flags& flags) {
  Result<std::unique_ptr<client::Client>> ots = client::Client::Create(flags.otsd.ClientOptions(2));
  if (!ots.ok()) return Fail("connecting to otsd", ots.status());
  for (int t = 0; t < flags.tables; ++t) {
    if (Status status = CreateSourceTable(**ots, SourceTable(t)); !status.ok()) {
      return Fail("CreateTable " + SourceTable(t), status);
    }
  }
  TrickleWriter writer(flags, **ots);
  writer.Start();
  const Clock::time_point writing_since = Clock::now();
  Result<Server> server = StartServer(flags);
  if (!server.ok()) return Fail("starting otsync serve", server.status());

  int status = 0;
  if (!flags.skip_overhead) {
    Result<Overhead> overhead = MeasureOverhead(flags, **ots, *server);
    if (!overhead.ok()) return Fail("overhead", overhead.status());
    std::cout << "\n## Per-instance overhead (" << flags.overhead_runs << " runs each, "
              << flags.overhead_records << " records = " << 3 * flags.overhead_records
              << " output rows per run, medians)\n\n";
    std::cout << "| measure | seconds | ratio to the bare run |\n|---|---|---|\n";
    std::cout << "| bare `otsync run` of the same job file and values (spawn to exit) | "
              << Fixed(overhead->bare_seconds, 3) << " | 1.00 |\n";
    std::cout << "| through `otsync serve`: run request to observed finish | "
              << Fixed(overhead->serve_seconds, 3) << " | "
              << Fixed(overhead->serve_seconds / overhead->bare_seconds, 2) << " |\n";
    std::cout << "| of which created to started (server's record) | "
              << Fixed(overhead->created_to_started, 3) << " | |\n";
    std::cout << "| of which started to finished (server's record) | "
              << Fixed(overhead->started_to_finished, 3) << " | |\n";
    std::cout << "| overhead per instance (serve - bare) | "
              << Fixed(overhead->serve_seconds - overhead->bare_seconds, 3) << " | |\n";
  }
  if (!flags.skip_load) {
    const auto load_from =
        writing_since + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(flags.warmup_minutes * 60));
    if (Clock::now() < load_from) {
      std::cerr << "scheduler_bench: writing for " << flags.warmup_minutes
                << " minutes before the load, so that its first windows hold rows\n";
      std::this_thread::sleep_until(load_from);
    }
    status = RunLoad(flags, *server);
  }
  writer.Stop();
  std::cout << "\nTrickle writes: " << writer.written() << " rows, " << writer.failed()
            << " failed.\n";
  server->process->Stop(std::chrono::seconds(20));
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "The scheduler's per-instance overhead beside the bare otsync run, and how many tasks "
      "one otsync serve keeps on schedule (markdown report on stdout)"};
  Flags flags;
  AddOtsdEndpointOptions(app, &flags.otsd, "otsd URL (otsd started with --clock-offset=-30m)");
  app.add_option("--otsync", flags.otsync, "the otsync binary")->required();
  app.add_option("--work-dir", flags.work_dir, "scratch directory")->required();
  app.add_option("--tasks", flags.tasks, "tasks of the load")->capture_default_str();
  app.add_option("--tables", flags.tables, "source tables the tasks share")->capture_default_str();
  app.add_option("--cycle-minutes", flags.cycle_minutes, "the tasks' minute cycle (1-59)")
      ->capture_default_str();
  app.add_option("--offsets", flags.offsets, "start minutes the cycles spread over (1-10)")
      ->capture_default_str();
  app.add_option("--minutes", flags.minutes, "length of the load")->capture_default_str();
  app.add_option("--max-running", flags.max_running, "otsync serve --max-running")
      ->capture_default_str();
  app.add_option("--overhead-runs", flags.overhead_runs)->capture_default_str();
  app.add_option("--overhead-records", flags.overhead_records)->capture_default_str();
  app.add_option("--clock-offset-minutes", flags.clock_offset_minutes,
                 "otsd's --clock-offset in minutes (must be -30)")
      ->capture_default_str();
  app.add_flag("--skip-overhead", flags.skip_overhead);
  app.add_flag("--skip-load", flags.skip_load);
  app.add_option("--warmup-minutes", flags.warmup_minutes,
                 "minutes of trickle writes before the load starts")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (flags.tasks < 1 || flags.tables < 1 || flags.cycle_minutes < 1 || flags.cycle_minutes > 59 ||
      flags.offsets < 1 || flags.offsets > 10 || flags.minutes <= 0 || flags.max_running < 1 ||
      flags.overhead_runs < 1 || flags.overhead_records < 1 || flags.warmup_minutes < 0) {
    std::cerr << "scheduler_bench: a numeric flag is out of range (see --help)\n";
    return 2;
  }
  if (flags.clock_offset_minutes != -30) {
    std::cerr << "scheduler_bench: the windows assume otsd's --clock-offset=-30m\n";
    return 2;
  }
  std::cout << "# otsync scheduler benchmark\n\n- machine: " << std::thread::hardware_concurrency()
            << " cores; load average at start: " << LoadAverage() << "\n";
  return Run(flags);
}
