// A scheduled task: a named job script run on a cycle with DataWorks scheduling parameters, and
// the checks a task passes before it is saved (docs/scheduling.md, "Tasks").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "schedule/cycle.h"
#include "schedule/instance_times.h"
#include "sync/plugin_registry.h"

namespace otsync::schedule {

// Whether a person may rerun a finished instance (automatic retries are separate).
enum class RerunPolicy { kAlways, kAfterFailure, kNever };

std::string_view RerunPolicyName(RerunPolicy policy);  // "always", "after-failure", "never"
Result<RerunPolicy> ParseRerunPolicy(std::string_view text);

struct Task {
  std::string name;        // Letters, digits, '_', '-' and '.', at most 64; unique.
  std::string script;      // The job script's text: script mode or a DataX job file.
  std::string parameters;  // "name1=expr1 name2=expr2", as DataWorks writes them.
  Cycle cycle;
  std::string time_zone = "Asia/Shanghai";
  RerunPolicy rerun_policy = RerunPolicy::kAlways;
  int retry_count = 3;                   // Automatic retries after a failed attempt, 0-10.
  int64_t retry_interval_seconds = 120;  // Between a failed attempt and the next, 0-86400.
  bool self_dependent = false;  // An instance waits until its task's previous one succeeded.
  bool frozen = false;          // Its instances wait until the task is unfrozen.

  bool operator==(const Task&) const = default;
};

// One instance's values, fixed when the instance is generated.
struct ResolvedInstance {
  int64_t scheduling_time = 0;  // Epoch seconds.
  std::string business_date;    // yyyymmdd.
  // The -p values the instance runs with: the task's parameters in order, then
  // bdp.system.bizdate and bdp.system.cyctime of the instance unless a parameter names them.
  std::vector<std::pair<std::string, std::string>> values;
  std::string reader_plugin;
  // The otsstream reader's window [start, end), epoch millis; unset for other readers.
  std::optional<int64_t> window_start_millis;
  std::optional<int64_t> window_end_millis;
  std::vector<std::string> script_warnings;  // Accepted-but-ignored keys of the job script.
};

// The zone named by `task.time_zone`.
Result<sync::TimeZone> TaskZone(const Task& task);

// Resolves the task's parameters for `times`, substitutes them into the job script and reads it
// as `otsync run` would (sync/job_script.h). kInvalidArgument names the parameter or the key of
// the script at fault. `plugins` are the readers and writers the script may name.
// `custom_parameters` (the task's grammar, "name=expr ...", usually constants) replace the
// expressions of the task's parameters of those names, keeping their place; besides the task's
// own parameters only bdp.system.bizdate and bdp.system.cyctime may be named (kInvalidArgument
// "parameter NAME: ..." otherwise).
Result<ResolvedInstance> ResolveInstance(const Task& task, const InstanceTimes& times,
                                         const sync::PluginRegistry& plugins,
                                         std::string_view custom_parameters = {});

struct TaskCheckOptions {
  // The readers and writers the task's script may name (the otsync binary's set); required.
  const sync::PluginRegistry* plugins = nullptr;
  int64_t now_seconds = 0;  // The next instance is the first scheduled after this.
  // How long the source table's stream keeps records (Tablestore's default: 24 hours).
  int64_t stream_retention_seconds = 24 * 3600;
};

// Everything a task must satisfy to be saved; the warnings of an acceptable task (a daily cycle
// of an otsstream task, the job script's accepted-but-ignored keys). For a task whose reader is
// `otsstream`: a week or month cycle is refused; the next instance's window must end at least
// 5 minutes before its scheduling time and start no earlier than scheduling time - retention +
// 10 minutes, else it is refused naming the end or the start.
Result<std::vector<std::string>> ValidateTask(const Task& task, const TaskCheckOptions& options);

// Letters, digits, '_', '-' and '.', 1-64 characters, not starting with '.' or '-'.
bool IsValidTaskName(std::string_view name);

}  // namespace otsync::schedule
