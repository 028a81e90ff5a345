#include "schedule/instance_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

extern char** environ;

namespace otsync::schedule {

Result<int64_t> ProcessLauncher::Start(const LaunchRequest& request) {
  if (request.argv.empty()) return Status::InvalidArgument("no program to start");
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, request.log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // Nothing else of the scheduler's process: descriptors opened without O_CLOEXEC (the HTTP
  // listener's sockets, for one) would otherwise live on in the child, keeping the server's port
  // bound after the server died.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  posix_spawnattr_setpgroup(&attributes, 0);
  // The scheduler's signal mask and dispositions are not the job's.
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGTERM);
  sigaddset(&default_signals, SIGINT);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  for (const std::string& argument : request.argv)
    argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int error = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    return Status::IOError("cannot start " + request.argv[0] + ": " + std::strerror(error));
  }
  return int64_t{pid};
}

std::optional<int> ProcessLauncher::Poll(int64_t pid) {
  int status = 0;
  pid_t waited = waitpid(static_cast<pid_t>(pid), &status, WNOHANG);
  if (waited == 0) return std::nullopt;
  if (waited < 0) return 255;  // Not our child any more: nothing to learn of it.
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return std::nullopt;
}

bool ProcessLauncher::HasEnded(int64_t pid) {
  siginfo_t info{};
  // WNOWAIT leaves the child a zombie for Poll to reap.
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return true;  // Not our child any more: Poll would say so at once.
  }
  return info.si_pid != 0;
}

void ProcessLauncher::Signal(int64_t pid, int signal) {
  if (pid > 0) kill(-static_cast<pid_t>(pid), signal);
}

bool ProcessLauncher::IsRunning(int64_t pid, std::string_view marker) {
  if (pid <= 0) return false;
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  if (!cmdline) return false;
  std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  // A zombie has an empty command line: it runs no more.
  return !text.empty() && text.find(marker) != std::string::npos;
}

std::vector<std::string> OtsyncRunArguments(
    const std::string& otsync_binary, const std::string& job_file, const std::string& data_dir,
    const std::string& progress_file, const std::string& time_zone,
    const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::vector<std::string> argv = {otsync_binary, "run",         job_file,
                                   "--data-dir",  data_dir,      "--progress-file",
                                   progress_file, "--time-zone", time_zone};
  for (const auto& [name, value] : parameters) {
    argv.push_back("-p");
    argv.push_back(name + "=" + value);
  }
  return argv;
}

std::string ExtractJobSummary(std::string_view log_tail) {
  std::vector<std::string_view> lines;
  size_t position = 0;
  while (position < log_tail.size()) {
    size_t end = log_tail.find('\n', position);
    if (end == std::string_view::npos) end = log_tail.size();
    std::string_view line = log_tail.substr(position, end - position);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // A live progress line rewritten in place keeps only its last state.
    if (size_t carriage = line.rfind('\r'); carriage != std::string_view::npos) {
      line.remove_prefix(carriage + 1);
    }
    if (!line.empty()) lines.push_back(line);
    position = end + 1;
  }
  auto join_from = [&](size_t first) {
    std::string text;
    for (size_t i = first; i < lines.size(); ++i) text += std::string(lines[i]) + "\n";
    return text;
  };
  for (size_t i = lines.size(); i-- > 0;) {
    if (lines[i].starts_with("Job start time") || lines[i].starts_with("Window ")) {
      return join_from(i);
    }
  }
  for (size_t i = lines.size(); i-- > 0;) {
    if (lines[i].starts_with("otsync:")) return std::string(lines[i]);
  }
  return lines.empty() ? std::string() : std::string(lines.back());
}

std::vector<std::string> ReadNewLines(const std::string& path, int64_t* offset) {
  std::vector<std::string> lines;
  std::string data = ReadFileRange(path, *offset, 1 << 20);
  size_t position = 0;
  while (true) {
    size_t end = data.find('\n', position);
    if (end == std::string::npos) break;
    lines.push_back(data.substr(position, end - position));
    position = end + 1;
  }
  *offset += static_cast<int64_t>(position);
  return lines;
}

std::string ReadFileRange(const std::string& path, int64_t offset, int64_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string data;
  data.resize(static_cast<size_t>(std::max<int64_t>(0, max_bytes)));
  size_t filled = 0;
  while (filled < data.size()) {
    ssize_t read = pread(fd, data.data() + filled, data.size() - filled,
                         static_cast<off_t>(offset + static_cast<int64_t>(filled)));
    if (read < 0 && errno == EINTR) continue;
    if (read <= 0) break;
    filled += static_cast<size_t>(read);
  }
  close(fd);
  data.resize(filled);
  return data;
}

int64_t FileSize(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return 0;
  return static_cast<int64_t>(info.st_size);
}

}  // namespace otsync::schedule
