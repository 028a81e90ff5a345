#include "testing/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace otsync::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(10);

// An anonymous file (unlinked at once) for captured output; -1 on failure.
int OpenCaptureFile() {
  char path[] = "/tmp/otsync-child-XXXXXX";
  const int fd = mkostemp(path, O_CLOEXEC);
  if (fd >= 0) unlink(path);
  return fd;
}

int OpenOutputFile(const std::string& path) {
  return open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

std::string ReadAll(int fd) {
  std::string text;
  if (fd < 0) return text;
  char chunk[4096];
  off_t offset = 0;
  ssize_t n;
  while ((n = pread(fd, chunk, sizeof(chunk), offset)) > 0) {
    text.append(chunk, static_cast<size_t>(n));
    offset += n;
  }
  return text;
}

void CloseIfOpen(int fd) {
  if (fd >= 0) close(fd);
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::vector<std::string>& argv,
                                                          const ChildProcessOptions& options) {
  if (argv.empty()) return Status::InvalidArgument("ChildProcess: empty argv");
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry != nullptr; ++entry) env_strings.emplace_back(*entry);
  env_strings.insert(env_strings.end(), options.extra_env.begin(), options.extra_env.end());
  std::vector<char*> env;
  for (std::string& entry : env_strings) env.push_back(entry.data());
  env.push_back(nullptr);

  // The capture files stay open here to be read; the named files only in the child.
  const int out_capture = options.stdout_path.empty() ? OpenCaptureFile() : -1;
  const int err_capture = options.stderr_path.empty() ? OpenCaptureFile() : -1;
  const int out_fd =
      options.stdout_path.empty() ? out_capture : OpenOutputFile(options.stdout_path);
  const int err_fd =
      options.stderr_path.empty() ? err_capture : OpenOutputFile(options.stderr_path);
  const auto close_all = [&] {
    CloseIfOpen(out_fd);
    CloseIfOpen(err_fd);
  };
  if (out_fd < 0 || err_fd < 0) {
    close_all();
    return Status::IOError("ChildProcess: cannot open the output files of " + argv.front() + ": " +
                           std::strerror(errno));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    close_all();
    return Status::IOError("ChildProcess: cannot start " + argv.front() + ": " +
                           std::strerror(spawned));
  }
  if (out_fd != out_capture) close(out_fd);
  if (err_fd != err_capture) close(err_fd);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, out_capture, err_capture));
}

ChildProcess::~ChildProcess() {
  if (running()) Stop();
  CloseIfOpen(out_fd_);
  CloseIfOpen(err_fd_);
}

std::string ChildProcess::ReadOutput() const { return ReadAll(out_fd_); }
std::string ChildProcess::ReadError() const { return ReadAll(err_fd_); }

bool ChildProcess::Reap(bool block) {
  if (exit_.has_value()) return true;
  int status = 0;
  rusage usage{};
  const pid_t reaped = wait4(pid_, &status, block ? 0 : WNOHANG, &usage);
  if (reaped != pid_) return false;
  ChildExit child_exit;
  child_exit.signaled = WIFSIGNALED(status);
  child_exit.exit_status =
      child_exit.signaled ? 128 + WTERMSIG(status) : (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  child_exit.max_rss_kib = usage.ru_maxrss;
  exit_ = std::move(child_exit);
  return true;
}

Result<std::string> ChildProcess::WaitForOutputLine(std::string_view needle, Duration timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    const std::string output = ReadOutput();
    const size_t found = output.find(needle);
    if (found != std::string::npos) {
      const size_t end = output.find('\n', found);
      if (end != std::string::npos) {
        const size_t begin = output.rfind('\n', found);
        const size_t start = begin == std::string::npos ? 0 : begin + 1;
        return output.substr(start, end - start);
      }
    }
    if (Reap(false)) {
      return Status::Unavailable("the child exited with " + std::to_string(exit_->exit_status) +
                                 " before printing \"" + std::string(needle) +
                                 "\": " + ReadError());
    }
    if (Clock::now() >= deadline) {
      return Status(StatusCode::kTimeout,
                    "no line with \"" + std::string(needle) + "\" in time; output: " + output);
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Result<ChildExit> ChildProcess::Wait(std::optional<Duration> timeout) {
  if (!timeout.has_value()) {
    Reap(true);
  } else {
    const Clock::time_point deadline = Clock::now() + *timeout;
    while (!Reap(false)) {
      if (Clock::now() >= deadline) {
        Stop();
        return Status(StatusCode::kTimeout, "process " + std::to_string(pid_) + " timed out");
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }
  if (!exit_.has_value()) return Status::Internal("wait4 failed: " + std::string(strerror(errno)));
  ChildExit result = *exit_;
  result.out = ReadOutput();
  result.err = ReadError();
  return result;
}

void ChildProcess::Stop(Duration grace) {
  if (Reap(false)) return;
  kill(pid_, SIGTERM);
  const Clock::time_point deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (Reap(false)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  Reap(true);
}

Result<ChildExit> RunProcess(const std::vector<std::string>& argv, ChildProcess::Duration timeout,
                             const ChildProcessOptions& options) {
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<ChildProcess> child, ChildProcess::Start(argv, options));
  Result<ChildExit> exited = child->Wait(timeout);
  if (!exited.ok() && exited.status().code() == StatusCode::kTimeout) {
    return Status(StatusCode::kTimeout, "process timed out: " + argv.front());
  }
  return exited;
}

}  // namespace otsync::testing
