// What every benchmark program shares: deterministic row content, the parallel loader that
// fills otsd, the steady clock they time with, and the report's number formats.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "client/client.h"
#include "wire/operations.h"

namespace otsync::bench {

using Clock = std::chrono::steady_clock;

// The otsd a benchmark talks to. The secret is not a flag: OTSYNC_ACCESS_KEY_SECRET, else otsd's
// documented development secret.
struct OtsdEndpoint {
  std::string url;
  std::string instance = "local";
  std::string access_key_id = "otsync-local-id";

  std::string AccessKeySecret() const;
  // Options for a client of this otsd keeping `connections` idle connections.
  client::ClientOptions ClientOptions(size_t connections) const;
};

// --endpoint (described by `endpoint_help`), --instance and --access-key-id.
CLI::Option* AddOtsdEndpointOptions(CLI::App& app, OtsdEndpoint* otsd,
                                    const std::string& endpoint_help);

double Seconds(Clock::duration duration);

// Runs `work(batch_index)` for every batch index in [0, batches) on `threads` threads; returns
// the wall time, or the first error (the other threads then take no more batches).
Result<double> RunBatches(int64_t batches, int threads,
                          const std::function<Status(int64_t batch_index)>& work);

// One BatchWriteRow of `tables` (the writes of one table each); a row-level failure is the error.
// The request's rows are read where they are: a timed caller makes them before its timer.
Status WriteAll(client::Client& ots, const std::vector<wire::TableWrites>& tables);

// A fixed bijective mix so that keys arrive in no particular order, as real ids do.
uint64_t Mix(uint64_t x);

// `length` characters of [a-z0-9] determined by `seed`.
std::string Filler(uint64_t seed, size_t length);

// The CPU seconds (user + system) of process `pid` itself and of its reaped children, from
// /proc/<pid>/stat; zeros when the process is unknown.
struct ProcessCpuTimes {
  double own = 0;
  double children = 0;
};
ProcessCpuTimes ProcessCpu(int pid);

// The CPU seconds (user + system) of the calling process.
double OwnCpuSeconds();

// Waits until neither this process nor process `other_pid` (0: none) uses more than a twentieth
// of a core over a quarter of a second — RocksDB flushing or compacting what the last phase
// wrote, in either — or until `timeout_seconds` have passed. A phase timed right after another
// would otherwise share the cores with the background work the other left. Returns the seconds
// waited.
double WaitUntilQuiet(int other_pid, double timeout_seconds = 30);

// A memory figure of /proc/<pid>/status in KiB ("VmRSS", "VmHWM", ...; `pid` 0: the calling
// process); -1 when the process or the field is unknown.
int64_t ProcessStatusKib(int pid, std::string_view field);

// REQUIRED: `values` is not empty.
double Median(std::vector<double> values);

// 1234567.8 -> "1,234,568".
std::string Rate(double per_second);

// `value` with `decimals` digits after the point.
std::string Fixed(double value, int decimals);

}  // namespace otsync::bench
