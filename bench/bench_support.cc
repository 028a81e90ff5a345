#include "bench_support.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace otsync::bench {

std::string OtsdEndpoint::AccessKeySecret() const {
  const char* secret = std::getenv("OTSYNC_ACCESS_KEY_SECRET");
  return secret != nullptr ? secret : "otsync-local-secret";
}

client::ClientOptions OtsdEndpoint::ClientOptions(size_t connections) const {
  client::ClientOptions options;
  options.endpoint = url;
  options.instance = instance;
  options.credentials.access_key_id = access_key_id;
  options.credentials.access_key_secret = AccessKeySecret();
  options.max_idle_connections = connections;
  return options;
}

CLI::Option* AddOtsdEndpointOptions(CLI::App& app, OtsdEndpoint* otsd,
                                    const std::string& endpoint_help) {
  CLI::Option* endpoint = app.add_option("--endpoint", otsd->url, endpoint_help);
  app.add_option("--instance", otsd->instance)->capture_default_str();
  app.add_option("--access-key-id", otsd->access_key_id)->capture_default_str();
  return endpoint;
}

double Seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

Result<double> RunBatches(int64_t batches, int threads,
                          const std::function<Status(int64_t batch_index)>& work) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<Status> errors(threads);
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int64_t b = next++; b < batches && !failed; b = next++) {
        Status status = work(b);
        if (!status.ok()) {
          errors[t] = status;
          failed = true;
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  const double elapsed = Seconds(Clock::now() - start);
  for (const Status& error : errors) {
    if (!error.ok()) return error;
  }
  return elapsed;
}

Status WriteAll(client::Client& ots, const std::vector<wire::TableWrites>& tables) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<std::vector<wire::RowWriteOutcome>> outcomes,
                          ots.BatchWriteRow(tables));
  for (const std::vector<wire::RowWriteOutcome>& table : outcomes) {
    for (const wire::RowWriteOutcome& outcome : table) {
      if (!outcome.status.ok()) return outcome.status.WithContext("BatchWriteRow row");
    }
  }
  return Status::OK();
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

std::string Filler(uint64_t seed, size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string text(length, ' ');
  for (size_t i = 0; i < length; ++i) {
    seed = Mix(seed + i);
    text[i] = kAlphabet[seed % (sizeof(kAlphabet) - 1)];
  }
  return text;
}

ProcessCpuTimes ProcessCpu(int pid) {
  ProcessCpuTimes times;
  if (pid <= 0) return times;
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');  // The command name may hold spaces.
  if (close == std::string::npos) return times;
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> values;
  for (std::string value; fields >> value;) values.push_back(value);
  // After the name: state is field 3, so utime (14) .. cstime (17) are values[11..14].
  if (values.size() < 15) return times;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  times.own = (std::stod(values[11]) + std::stod(values[12])) / ticks;
  times.children = (std::stod(values[13]) + std::stod(values[14])) / ticks;
  return times;
}

int64_t ProcessStatusKib(int pid, std::string_view field) {
  if (pid < 0) return -1;
  std::ifstream status("/proc/" + (pid == 0 ? std::string("self") : std::to_string(pid)) +
                       "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.size() > field.size() && line.starts_with(field) && line[field.size()] == ':') {
      return std::strtoll(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

double OwnCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double WaitUntilQuiet(int other_pid, double timeout_seconds) {
  using Clock = std::chrono::steady_clock;
  constexpr auto kWindow = std::chrono::milliseconds(250);
  constexpr double kQuietShare = 0.05;
  const Clock::time_point start = Clock::now();
  while (true) {
    const double own_before = OwnCpuSeconds();
    const double other_before = ProcessCpu(other_pid).own;
    const Clock::time_point window_start = Clock::now();
    std::this_thread::sleep_for(kWindow);
    const double window = std::chrono::duration<double>(Clock::now() - window_start).count();
    const bool quiet = OwnCpuSeconds() - own_before <= kQuietShare * window &&
                       ProcessCpu(other_pid).own - other_before <= kQuietShare * window;
    const double waited = std::chrono::duration<double>(Clock::now() - start).count();
    if (quiet || waited >= timeout_seconds) return waited;
  }
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string Rate(double per_second) {
  const std::string digits = std::to_string(static_cast<long long>(per_second + 0.5));
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

std::string Fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

}  // namespace otsync::bench
