// A launcher that starts nothing, for the scheduler's logic under a manual clock: it records
// every start and signal, and a test says when a "child" exits (Exit). SIGTERM ends a child
// unless `ignore_term`; SIGKILL always does. IsRunning answers for the pids in `orphans`.
#pragma once

#include <signal.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schedule/instance_runner.h"

namespace otsync::schedule {

class FakeLauncher final : public InstanceLauncher {
 public:
  Result<int64_t> Start(const LaunchRequest& request) override {
    std::lock_guard lock(mutex_);
    int64_t pid = next_pid_++;
    started.push_back({pid, request});
    return pid;
  }
  std::optional<int> Poll(int64_t pid) override {
    std::lock_guard lock(mutex_);
    auto it = exits_.find(pid);
    if (it == exits_.end()) return std::nullopt;
    int status = it->second;
    exits_.erase(it);
    return status;
  }
  bool HasEnded(int64_t pid) override {
    std::lock_guard lock(mutex_);
    return exits_.count(pid) > 0;
  }
  void Signal(int64_t pid, int signal) override {
    std::lock_guard lock(mutex_);
    signals.push_back({pid, signal});
    orphans.erase(pid);
    if (signal == SIGKILL || (signal == SIGTERM && !ignore_term)) exits_[pid] = 128 + signal;
  }
  bool IsRunning(int64_t pid, std::string_view marker) override {
    std::lock_guard lock(mutex_);
    return orphans.count(pid) > 0;
  }
  void Exit(int64_t pid, int status) {
    std::lock_guard lock(mutex_);
    exits_[pid] = status;
  }
  // The value after `flag` in the argv of the `index`th start.
  std::string Argument(size_t index, const std::string& flag) const {
    const std::vector<std::string>& argv = started.at(index).second.argv;
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == flag) return argv[i + 1];
    }
    return "";
  }
  std::vector<std::string> Parameters(size_t index) const {
    std::vector<std::string> values;
    const std::vector<std::string>& argv = started.at(index).second.argv;
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == "-p") values.push_back(argv[i + 1]);
    }
    return values;
  }

  std::vector<std::pair<int64_t, LaunchRequest>> started;
  std::vector<std::pair<int64_t, int>> signals;
  std::set<int64_t> orphans;
  bool ignore_term = false;

 private:
  std::mutex mutex_;
  int64_t next_pid_ = 1000;
  std::map<int64_t, int> exits_;
};

}  // namespace otsync::schedule
