#include "schedule/task.h"

#include <algorithm>

#include "readers/otsstream/otsstream_reader_spec.h"
#include "schedule/parameter_list.h"
#include "sync/job_script.h"

namespace otsync::schedule {
namespace {

constexpr int64_t kEndMarginMillis = 5 * 60 * 1000;     // The seed: end >= 5 minutes ago.
constexpr int64_t kStartMarginMillis = 10 * 60 * 1000;  // start > run - retention + 10 minutes.

std::string WallClock(int64_t epoch_seconds, const sync::TimeZone& zone) {
  return FormatWallClockTime(sync::ToCivilTime(epoch_seconds, zone));
}

bool Names(const std::vector<std::pair<std::string, std::string>>& values, std::string_view name) {
  return std::any_of(values.begin(), values.end(),
                     [&](const auto& value) { return value.first == name; });
}

Status CheckOtsStreamWindow(const Task& task, const ResolvedInstance& next,
                            const sync::TimeZone& zone, const TaskCheckOptions& options) {
  const int64_t scheduled_millis = next.scheduling_time * 1000;
  const std::string window = "[" + sync::FormatCompactDateTime(*next.window_start_millis, zone) +
                             ", " + sync::FormatCompactDateTime(*next.window_end_millis, zone) +
                             ")";
  const std::string instance = "the next instance, scheduled " +
                               WallClock(next.scheduling_time, zone) + " " + zone.name +
                               ", reads the window " + window;
  if (*next.window_end_millis > scheduled_millis - kEndMarginMillis) {
    return Status::InvalidArgument(
        instance +
        ": its end (endTime) must be at least 5 minutes before the scheduling time, since the "
        "stream can be read only up to 5 minutes ago (e.g. endTime=$[yyyymmddhh24miss-5/24/60])");
  }
  const int64_t earliest =
      scheduled_millis - options.stream_retention_seconds * 1000 + kStartMarginMillis;
  if (*next.window_start_millis < earliest) {
    return Status::InvalidArgument(instance + ": its start (startTime) must be no earlier than " +
                                   sync::FormatCompactDateTime(earliest, zone) +
                                   ", the scheduling time less the stream's " + "retention (" +
                                   std::to_string(options.stream_retention_seconds / 3600) +
                                   " h) plus 10 minutes; older records may already be gone");
  }
  return Status::OK();
}

// The task's parameters with the expressions of `custom` put in place of theirs.
Result<std::vector<Parameter>> WithCustomParameters(const Task& task, std::string_view custom) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<Parameter> parameters, ParseParameterList(task.parameters));
  if (custom.find_first_not_of(' ') == std::string_view::npos) return parameters;
  OTSYNC_ASSIGN_OR_RETURN(std::vector<Parameter> replacements, ParseParameterList(custom));
  for (Parameter& replacement : replacements) {
    auto same_name = [&](const Parameter& p) { return p.name == replacement.name; };
    if (auto found = std::find_if(parameters.begin(), parameters.end(), same_name);
        found != parameters.end()) {
      found->expression = std::move(replacement.expression);
    } else if (replacement.name == "bdp.system.bizdate" ||
               replacement.name == "bdp.system.cyctime") {
      parameters.push_back(std::move(replacement));
    } else {
      std::string known;
      for (const Parameter& parameter : parameters) {
        known += (known.empty() ? "" : ", ") + parameter.name;
      }
      return Status::InvalidArgument(
          "parameter " + replacement.name + ": task '" + task.name + "' has no such parameter (" +
          (known.empty() ? std::string("it has none") : "its parameters: " + known) +
          "; bdp.system.bizdate and bdp.system.cyctime may also be given)");
    }
  }
  return parameters;
}

}  // namespace

std::string_view RerunPolicyName(RerunPolicy policy) {
  switch (policy) {
    case RerunPolicy::kAlways:
      return "always";
    case RerunPolicy::kAfterFailure:
      return "after-failure";
    case RerunPolicy::kNever:
      return "never";
  }
  return "always";
}

Result<RerunPolicy> ParseRerunPolicy(std::string_view text) {
  for (RerunPolicy policy :
       {RerunPolicy::kAlways, RerunPolicy::kAfterFailure, RerunPolicy::kNever}) {
    if (text == RerunPolicyName(policy)) return policy;
  }
  return Status::InvalidArgument("rerun policy '" + std::string(text) +
                                 "': expected always, after-failure or never");
}

bool IsValidTaskName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

Result<sync::TimeZone> TaskZone(const Task& task) {
  Result<sync::TimeZone> zone = sync::ParseTimeZone(task.time_zone);
  if (!zone.ok()) return zone.status().WithContext("time zone");
  return zone;
}

Result<ResolvedInstance> ResolveInstance(const Task& task, const InstanceTimes& times,
                                         const sync::PluginRegistry& plugins,
                                         std::string_view custom_parameters) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<Parameter> parameters,
                          WithCustomParameters(task, custom_parameters));
  ResolvedInstance resolved;
  resolved.scheduling_time = times.scheduling_time;
  resolved.business_date = FormatBusinessDate(times.business_date);
  OTSYNC_ASSIGN_OR_RETURN(resolved.values, ResolveParameters(parameters, times));
  if (!Names(resolved.values, "bdp.system.bizdate")) {
    resolved.values.emplace_back("bdp.system.bizdate", resolved.business_date);
  }
  if (!Names(resolved.values, "bdp.system.cyctime")) {
    resolved.values.emplace_back(
        "bdp.system.cyctime",
        sync::FormatCompactDateTime(times.scheduling_time * 1000, times.zone));
  }
  sync::JobScriptOptions options;
  options.variables = {resolved.values.begin(), resolved.values.end()};
  options.time_zone = times.zone;
  options.plugins = &plugins;
  Result<sync::JobSpec> job = sync::ParseJobScript(task.script, options);
  if (!job.ok()) return job.status().WithContext("job script");
  resolved.reader_plugin = job->reader.plugin;
  resolved.script_warnings = job->warnings;
  if (const auto* otsstream =
          job->reader.parameters.As<readers::otsstream::OtsStreamReaderSpec>()) {
    resolved.window_start_millis = otsstream->start_timestamp_millis;
    resolved.window_end_millis = otsstream->end_timestamp_millis;
  }
  return resolved;
}

Result<std::vector<std::string>> ValidateTask(const Task& task, const TaskCheckOptions& options) {
  if (!IsValidTaskName(task.name)) {
    return Status::InvalidArgument("task name '" + task.name +
                                   "': expected 1-64 letters, digits, '_', '-' or '.', not "
                                   "starting with '.' or '-'");
  }
  if (task.retry_count < 0 || task.retry_count > 10) {
    return Status::InvalidArgument("retries: expected 0 to 10, got " +
                                   std::to_string(task.retry_count));
  }
  if (task.retry_interval_seconds < 0 || task.retry_interval_seconds > 86'400) {
    return Status::InvalidArgument("retry interval: expected 0 to 86400 seconds, got " +
                                   std::to_string(task.retry_interval_seconds));
  }
  Result<Cycle> cycle = ParseCycle(FormatCycle(task.cycle));
  if (!cycle.ok()) return cycle.status();
  if (*cycle != task.cycle) {
    return Status::InvalidArgument("cycle '" + FormatCycle(task.cycle) + "' is out of range");
  }
  if (options.plugins == nullptr) {
    return Status::Internal("checking a task needs the registry of readers and writers");
  }
  OTSYNC_ASSIGN_OR_RETURN(sync::TimeZone zone, TaskZone(task));
  std::vector<int64_t> next = NextSchedulingTimes(task.cycle, zone, options.now_seconds, 1);
  if (next.empty()) return Status::InvalidArgument("the cycle schedules no instance");

  InstanceTimes times = ScheduledInstance(next.front(), zone);
  times.job_id = times.node_id = task.name;
  times.task_id = "0";
  OTSYNC_ASSIGN_OR_RETURN(ResolvedInstance resolved,
                          ResolveInstance(task, times, *options.plugins));

  std::vector<std::string> warnings = resolved.script_warnings;
  if (resolved.reader_plugin == "otsstream") {
    if (task.cycle.kind == CycleKind::kWeek || task.cycle.kind == CycleKind::kMonth) {
      return Status::InvalidArgument(
          "a " + std::string(CycleKindName(task.cycle.kind)) +
          " cycle is not supported for the otsstream reader: the stream keeps changes only for "
          "its retention (24 hours by default), so a window of a week or a month cannot be read; "
          "use a minute or hour cycle");
    }
    if (task.cycle.kind == CycleKind::kDay) {
      warnings.push_back(
          "a daily cycle may lose data with the otsstream reader: a day's window reaches back to "
          "the edge of the stream's retention (24 hours by default), and an instance that starts "
          "late finds its oldest changes gone; a minute or hour cycle is safer");
    }
    OTSYNC_RETURN_IF_ERROR(CheckOtsStreamWindow(task, resolved, zone, options));
  }
  return warnings;
}

}  // namespace otsync::schedule
