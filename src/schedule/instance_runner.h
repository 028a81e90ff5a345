// Running one attempt of an instance as a child process: `otsync run <job file> --data-dir DIR
// --progress-file PATH -p name=value...`, its standard output and error appended to the
// instance's log file, the child leading a process group of its own so that a kill reaches
// everything it started.
//
// The launcher is an interface so that the scheduler's logic is tested with a fake one; the
// real one is ProcessLauncher.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace otsync::schedule {

struct LaunchRequest {
  std::vector<std::string> argv;  // argv[0] is the program's path.
  std::string log_path;           // Standard output and error are appended here.
};

class InstanceLauncher {
 public:
  virtual ~InstanceLauncher() = default;
  // Starts the child in a new process group whose id is its pid, and returns the pid.
  virtual Result<int64_t> Start(const LaunchRequest& request) = 0;
  // The exit status of a child this launcher started, once it ended (reaping it): its exit code,
  // or 128 + the signal that ended it. Empty while it runs.
  virtual std::optional<int> Poll(int64_t pid) = 0;
  // Whether that child has ended, so that Poll would return its status; reaps nothing.
  virtual bool HasEnded(int64_t pid) = 0;
  // Sends `signal` to the process group `pid` leads.
  virtual void Signal(int64_t pid, int signal) = 0;
  // Whether a process `pid` runs whose command line contains `marker` (a child of an earlier
  // scheduler process: not ours to wait for; the marker guards against a reused pid).
  virtual bool IsRunning(int64_t pid, std::string_view marker) = 0;
};

// posix_spawn, stdin from /dev/null, stdout and stderr appended to the log file.
class ProcessLauncher final : public InstanceLauncher {
 public:
  Result<int64_t> Start(const LaunchRequest& request) override;
  std::optional<int> Poll(int64_t pid) override;
  bool HasEnded(int64_t pid) override;
  void Signal(int64_t pid, int signal) override;
  bool IsRunning(int64_t pid, std::string_view marker) override;
};

// The argv of one attempt. `time_zone` is the task's: the run reads the values its parameters
// were resolved to (yyyyMMddHHmmss for startTimeString, ...) in the zone they were resolved in,
// whatever TZ the scheduler itself runs under.
std::vector<std::string> OtsyncRunArguments(
    const std::string& otsync_binary, const std::string& job_file, const std::string& data_dir,
    const std::string& progress_file, const std::string& time_zone,
    const std::vector<std::pair<std::string, std::string>>& parameters);

// The job summary from the end of a log: the summary block otsync prints after a job (from
// "Job start time" or "Window" on), else the last line starting with "otsync:" (the error),
// else the last line.
std::string ExtractJobSummary(std::string_view log_tail);

// Reads the complete lines a file gained since `*offset` and advances it past them.
std::vector<std::string> ReadNewLines(const std::string& path, int64_t* offset);

// Up to `max_bytes` of the file from `offset`; empty past its end or when it does not exist.
std::string ReadFileRange(const std::string& path, int64_t offset, int64_t max_bytes);

int64_t FileSize(const std::string& path);  // 0 when it does not exist.

}  // namespace otsync::schedule
