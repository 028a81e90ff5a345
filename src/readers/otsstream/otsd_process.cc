#include "readers/otsstream/otsd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace otsync::readers::otsstream {
namespace {

using Clock = std::chrono::steady_clock;

pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void StopProcess(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

// Reads from `fd` into `*buffer` until it holds `needle` + newline, EOF or the deadline.
bool ReadUntilLine(int fd, const std::string& needle, Clock::time_point deadline,
                   std::string* buffer) {
  while (Clock::now() < deadline) {
    const size_t found = buffer->find(needle);
    if (found != std::string::npos && buffer->find('\n', found) != std::string::npos) return true;
    pollfd poll_fd{fd, POLLIN, 0};
    if (poll(&poll_fd, 1, 100) <= 0) continue;
    char chunk[4096];
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer->append(chunk, static_cast<size_t>(n));
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<OtsdProcess>> OtsdProcess::Start(
    const std::string& binary, const std::vector<std::string>& extra_flags) {
  std::string pattern = (std::filesystem::temp_directory_path() / "otsstream-e2e-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Status::IOError("mkdtemp failed");
  std::vector<std::string> argv = {binary, "--listen=127.0.0.1:0", "--data-dir=" + pattern};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  int out_pipe[2];
  if (pipe(out_pipe) != 0) return Status::IOError("pipe failed");
  const std::string log_path = pattern + "/otsd.log";
  const int err_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const pid_t pid = Spawn(argv, out_pipe[1], err_fd);
  close(out_pipe[1]);
  close(err_fd);
  std::string output;
  const std::string marker = "otsd: serving ";
  const bool ready =
      ReadUntilLine(out_pipe[0], marker, Clock::now() + std::chrono::seconds(60), &output);
  close(out_pipe[0]);
  if (!ready) {
    StopProcess(pid);
    return Status::Unavailable("otsd did not start (see " + log_path + "): " + output);
  }
  const size_t begin = output.find(marker) + marker.size();
  const std::string endpoint = output.substr(begin, output.find('\n', begin) - begin);
  return std::unique_ptr<OtsdProcess>(new OtsdProcess(binary, pid, pattern, endpoint));
}

OtsdProcess::~OtsdProcess() {
  StopProcess(pid_);
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

Result<std::string> OtsdProcess::Admin(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {binary_, "admin"};
  if (!args.empty()) argv.push_back(args.front());
  argv.push_back("--endpoint=" + endpoint_);
  for (size_t i = 1; i < args.size(); ++i) argv.push_back(args[i]);
  OTSYNC_ASSIGN_OR_RETURN(ProcessOutput output, RunProcess(argv, 60));
  if (output.exit_status != 0) {
    return Status::Internal("otsd admin exited with " + std::to_string(output.exit_status) + ": " +
                            output.err);
  }
  return output.out;
}

Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, int timeout_seconds) {
  char out_path[] = "/tmp/otsstream-e2e-out-XXXXXX";
  char err_path[] = "/tmp/otsstream-e2e-err-XXXXXX";
  const int out_fd = mkstemp(out_path);
  const int err_fd = mkstemp(err_path);
  if (out_fd < 0 || err_fd < 0) return Status::IOError("mkstemp failed");
  const pid_t pid = Spawn(argv, out_fd, err_fd);
  ProcessOutput output;
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  bool exited = false;
  while (Clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!exited) StopProcess(pid);
  const auto slurp = [](int fd) {
    std::string text;
    lseek(fd, 0, SEEK_SET);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) text.append(chunk, static_cast<size_t>(n));
    close(fd);
    return text;
  };
  output.out = slurp(out_fd);
  output.err = slurp(err_fd);
  unlink(out_path);
  unlink(err_path);
  if (!exited) return Status(StatusCode::kTimeout, "process timed out: " + argv.front());
  output.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return output;
}

}  // namespace otsync::readers::otsstream
