// A child process of a test or a benchmark: started from an argv, its standard output and error
// captured (or sent to files), waited for with a deadline, stopped with SIGTERM then SIGKILL.
// The child is never left behind: destruction stops one still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace otsync::testing {

struct ChildProcessOptions {
  // Where standard output and error go: empty = captured (read with ReadOutput / ReadError,
  // returned by Wait); otherwise this file, created or truncated (mode 0644).
  std::string stdout_path;
  std::string stderr_path;
  // "NAME=value" entries added to (after) this process's environment.
  std::vector<std::string> extra_env;
};

// How a child ended.
struct ChildExit {
  int exit_status = -1;  // The exit code, or 128 + the signal's number when a signal ended it.
  bool signaled = false;
  int64_t max_rss_kib = 0;  // The child's peak resident set (wait4's ru_maxrss).
  std::string out;          // Captured standard output (empty when it went to a file).
  std::string err;          // Captured standard error (likewise).
};

class ChildProcess {
 public:
  using Duration = std::chrono::steady_clock::duration;

  // Starts `argv` (argv[0] a path; no PATH search). Errors: argv empty, the program not
  // startable, no room for the capture files.
  static Result<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                     const ChildProcessOptions& options = {});
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return !exit_.has_value(); }

  // Everything captured so far.
  std::string ReadOutput() const;
  std::string ReadError() const;

  // Waits until captured standard output holds a whole line containing `needle` and returns
  // that line without its newline. Errors: kTimeout after `timeout`; Unavailable when the child
  // exits first (with what it wrote to standard error).
  Result<std::string> WaitForOutputLine(std::string_view needle, Duration timeout);

  // Waits for the child to exit. After `timeout` (none: forever) the child is stopped and the
  // answer is kTimeout. Once the child has exited, every call returns the same ChildExit.
  Result<ChildExit> Wait(std::optional<Duration> timeout = std::nullopt);

  // SIGTERM, at most `grace` for it to exit, then SIGKILL; reaps the child.
  void Stop(Duration grace = std::chrono::seconds(10));

 private:
  ChildProcess(pid_t pid, int out_fd, int err_fd) : pid_(pid), out_fd_(out_fd), err_fd_(err_fd) {}

  // Reaps the child if it has exited (or, with `block`, when it exits). True once reaped.
  bool Reap(bool block);

  pid_t pid_;
  int out_fd_;  // The capture file of standard output, or -1.
  int err_fd_;  // Likewise for standard error.
  std::optional<ChildExit> exit_;
};

// Runs `argv` to completion (at most `timeout`) with options.extra_env, capturing its output.
// Errors: as ChildProcess::Start, and kTimeout (the child is stopped).
Result<ChildExit> RunProcess(const std::vector<std::string>& argv, ChildProcess::Duration timeout,
                             const ChildProcessOptions& options = {});

}  // namespace otsync::testing
