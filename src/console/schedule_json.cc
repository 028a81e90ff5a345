#include "console/schedule_json.h"

#include <cctype>
#include <cstdio>
#include <initializer_list>

#include "console/json_body.h"
#include "console/script_secrets.h"
#include "schedule/instance_times.h"

namespace otsync::console {
namespace {

// A moment the scheduler records in microseconds, as epoch milliseconds; null when not yet.
nlohmann::json MillisOrNull(int64_t micros) {
  return micros == 0 ? nlohmann::json(nullptr) : nlohmann::json(micros / 1000);
}

std::string WallClock(int64_t epoch_seconds, const sync::TimeZone& zone) {
  return schedule::FormatWallClockTime(sync::ToCivilTime(epoch_seconds, zone));
}

// The wall clock of an instant in milliseconds, with ".mmm" when they are not zero.
std::string WallClockMillis(int64_t epoch_millis, const sync::TimeZone& zone) {
  int64_t seconds = epoch_millis / 1000;
  int64_t millis = epoch_millis % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::string text = WallClock(seconds, zone);
  if (millis != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof(fraction), ".%03d", static_cast<int>(millis));
    text += fraction;
  }
  return text;
}

nlohmann::json NameValues(const std::vector<std::pair<std::string, std::string>>& values) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, value] : values) list.push_back({{"name", name}, {"value", value}});
  return list;
}

void AddWindow(nlohmann::json& view, const std::optional<int64_t>& start,
               const std::optional<int64_t>& end, const sync::TimeZone& zone) {
  view["windowStart"] = start ? nlohmann::json(WallClockMillis(*start, zone)) : nullptr;
  view["windowEnd"] = end ? nlohmann::json(WallClockMillis(*end, zone)) : nullptr;
  view["windowStartMillis"] = start ? nlohmann::json(*start) : nullptr;
  view["windowEndMillis"] = end ? nlohmann::json(*end) : nullptr;
}

nlohmann::json CamelCaseKeys(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) object[CamelCase(key)] = CamelCaseKeys(item);
    return object;
  }
  if (value.is_array()) {
    nlohmann::json array = nlohmann::json::array();
    for (const nlohmann::json& item : value) array.push_back(CamelCaseKeys(item));
    return array;
  }
  return value;
}

// kInvalidArgument naming the first key of `object` not in `known`.
Status RefuseUnknownFields(const nlohmann::json& object, std::initializer_list<const char*> known,
                           std::string_view what) {
  for (const auto& [key, value] : object.items()) {
    bool found = false;
    for (const char* name : known) found = found || key == name;
    if (!found) {
      std::string names;
      for (const char* name : known) names += std::string(names.empty() ? "" : ", ") + name;
      return Status::InvalidArgument(key + ": not a field of " + std::string(what) +
                                     " (the fields: " + names + ")");
    }
  }
  return Status::OK();
}

Result<std::optional<std::string>> OptionalString(const nlohmann::json& object,
                                                  std::string_view key) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::optional<std::string>();
  OTSYNC_ASSIGN_OR_RETURN(std::string value, StringField(object, key));
  return std::optional<std::string>(std::move(value));
}

Status Required(std::string_view key) {
  return Status::InvalidArgument(std::string(key) + ": required to create a task");
}

Status BusinessDateField(std::string_view key, const std::string& value) {
  if (value.empty()) return Status::InvalidArgument(std::string(key) + ": required");
  Result<sync::CivilTime> date = schedule::ParseBusinessDate(value);
  return date.ok() ? Status::OK() : date.status().WithContext(key);
}

}  // namespace

std::string CamelCase(std::string_view snake_case) {
  std::string camel;
  bool upper_next = false;
  for (char c : snake_case) {
    if (c == '_' && !camel.empty()) {
      upper_next = true;
      continue;
    }
    camel.push_back(upper_next ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                               : c);
    upper_next = false;
  }
  return camel;
}

nlohmann::json ProgressView(std::string_view progress) {
  if (progress.empty()) return nullptr;
  nlohmann::json parsed = nlohmann::json::parse(progress, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return nullptr;
  return CamelCaseKeys(parsed);
}

nlohmann::json TaskView(const schedule::Task& task) {
  return {{"name", task.name},
          {"script", MaskScriptSecrets(task.script)},
          {"parameters", task.parameters},
          {"cycle", schedule::FormatCycle(task.cycle)},
          {"timeZone", task.time_zone},
          {"rerunPolicy", std::string(schedule::RerunPolicyName(task.rerun_policy))},
          {"retryCount", task.retry_count},
          {"retryIntervalSeconds", task.retry_interval_seconds},
          {"selfDependent", task.self_dependent},
          {"frozen", task.frozen}};
}

Result<schedule::Task> TaskFromForm(const nlohmann::json& form, const schedule::Task* stored) {
  OTSYNC_RETURN_IF_ERROR(
      RefuseUnknownFields(form,
                          {"name", "script", "parameters", "cycle", "timeZone", "rerunPolicy",
                           "retryCount", "retryIntervalSeconds", "selfDependent", "frozen"},
                          "a task"));
  schedule::Task task = stored != nullptr ? *stored : schedule::Task();
  OTSYNC_ASSIGN_OR_RETURN(task.name, StringField(form, "name", task.name));
  if (task.name.empty()) return Required("name");

  auto script = form.find("script");
  if (script != form.end() && script->is_object()) {
    task.script = script->dump(2);
  } else {
    OTSYNC_ASSIGN_OR_RETURN(task.script, StringField(form, "script", task.script));
  }
  if (task.script.empty()) return Required("script");
  OTSYNC_ASSIGN_OR_RETURN(task.script,
                          RestoreScriptSecrets(task.script, stored ? stored->script : ""));

  OTSYNC_ASSIGN_OR_RETURN(task.parameters, StringField(form, "parameters", task.parameters));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> cycle, OptionalString(form, "cycle"));
  if (cycle.has_value()) {
    Result<schedule::Cycle> parsed = schedule::ParseCycle(*cycle);
    if (!parsed.ok()) return parsed.status().WithContext("cycle");
    task.cycle = *parsed;
  } else if (stored == nullptr) {
    return Required("cycle");
  }
  OTSYNC_ASSIGN_OR_RETURN(task.time_zone, StringField(form, "timeZone", task.time_zone));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> policy, OptionalString(form, "rerunPolicy"));
  if (policy.has_value()) {
    Result<schedule::RerunPolicy> parsed = schedule::ParseRerunPolicy(*policy);
    if (!parsed.ok()) return parsed.status().WithContext("rerunPolicy");
    task.rerun_policy = *parsed;
  }
  OTSYNC_ASSIGN_OR_RETURN(int64_t retry_count,
                          IntegerField(form, "retryCount", task.retry_count, 0, 10));
  task.retry_count = static_cast<int>(retry_count);
  OTSYNC_ASSIGN_OR_RETURN(
      task.retry_interval_seconds,
      IntegerField(form, "retryIntervalSeconds", task.retry_interval_seconds, 0, 86400));
  OTSYNC_ASSIGN_OR_RETURN(task.self_dependent,
                          BoolField(form, "selfDependent", task.self_dependent));
  OTSYNC_ASSIGN_OR_RETURN(task.frozen, BoolField(form, "frozen", task.frozen));
  return task;
}

nlohmann::json ResolvedInstanceView(const schedule::ResolvedInstance& resolved,
                                    const sync::TimeZone& zone) {
  nlohmann::json view = {{"schedulingTime", WallClock(resolved.scheduling_time, zone)},
                         {"schedulingEpoch", resolved.scheduling_time},
                         {"businessDate", resolved.business_date},
                         {"values", NameValues(resolved.values)},
                         {"readerPlugin", resolved.reader_plugin}};
  AddWindow(view, resolved.window_start_millis, resolved.window_end_millis, zone);
  view["warnings"] = resolved.script_warnings;
  return view;
}

nlohmann::json InstanceView(const schedule::Instance& instance, const sync::TimeZone& zone) {
  const bool running = instance.state == schedule::InstanceState::kRunning;
  nlohmann::json view = {{"id", instance.id},
                         {"task", instance.task},
                         {"kind", std::string(schedule::InstanceKindName(instance.kind))},
                         {"state", std::string(schedule::InstanceStateName(instance.state))},
                         {"schedulingTime", WallClock(instance.scheduling_time, zone)},
                         {"schedulingEpoch", instance.scheduling_time},
                         {"zone", zone.name},
                         {"businessDate", instance.business_date},
                         {"parameters", NameValues(instance.parameters)}};
  AddWindow(view, instance.window_start_millis, instance.window_end_millis, zone);
  view["attempt"] = instance.attempt;
  view["pid"] = running && instance.pid != 0 ? nlohmann::json(instance.pid) : nullptr;
  view["createdMillis"] = MillisOrNull(instance.created_micros);
  view["startedMillis"] = MillisOrNull(instance.started_micros);
  view["finishedMillis"] = MillisOrNull(instance.finished_micros);
  view["killRequested"] = running && instance.kill_requested_micros != 0;
  view["exitStatus"] = instance.exit_status ? nlohmann::json(*instance.exit_status) : nullptr;
  view["summary"] = instance.summary;
  view["customParameters"] = instance.custom_parameters;
  view["progress"] = ProgressView(instance.progress);
  view["backfillId"] = instance.backfill_id ? nlohmann::json(*instance.backfill_id) : nullptr;
  view["logPath"] = instance.log_path;
  return view;
}

nlohmann::json LogChunkView(const schedule::LogChunk& chunk) {
  return {{"data", chunk.data},
          {"offset", chunk.offset},
          {"nextOffset", chunk.next_offset},
          {"size", chunk.size},
          {"finished", chunk.finished}};
}

nlohmann::json InstanceEventView(const schedule::InstanceEvent& event) {
  return {{"id", event.instance_id},
          {"task", event.task},
          {"state", std::string(schedule::InstanceStateName(event.state))},
          {"progress", ProgressView(event.progress)}};
}

Result<std::optional<int64_t>> TimeField(const nlohmann::json& object, std::string_view key,
                                         const sync::TimeZone& zone) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::optional<int64_t>();
  if (found->is_number_integer()) return std::optional<int64_t>(found->get<int64_t>());
  if (!found->is_string()) {
    return Status::InvalidArgument(std::string(key) +
                                   ": expected \"YYYY-MM-DD HH:MM:SS\" or epoch seconds");
  }
  Result<sync::CivilTime> time = schedule::ParseWallClockTime(found->get<std::string>());
  if (!time.ok()) return time.status().WithContext(key);
  return std::optional<int64_t>(sync::ToEpochSeconds(*time, zone));
}

Result<std::string> CustomParametersField(const nlohmann::json& object) {
  auto found = object.find("parameters");
  if (found == object.end() || found->is_null()) return std::string();
  if (found->is_string()) return found->get<std::string>();
  if (!found->is_object()) {
    return Status::InvalidArgument(
        "parameters: expected \"name=value name2=value2\" or an object of name: value");
  }
  std::string text;
  for (const auto& [name, value] : found->items()) {
    if (!value.is_string()) {
      return Status::InvalidArgument("parameter " + name + ": expected a string value");
    }
    const std::string& written = value.get_ref<const std::string&>();
    if (written.empty() || written.find(' ') != std::string::npos) {
      return Status::InvalidArgument("parameter " + name +
                                     ": a value must be non-empty and contain no space");
    }
    text += (text.empty() ? "" : " ") + name + "=" + written;
  }
  return text;
}

Result<schedule::BackfillRequest> BackfillRequestFromJson(const nlohmann::json& body,
                                                          const sync::TimeZone& zone) {
  OTSYNC_RETURN_IF_ERROR(RefuseUnknownFields(
      body,
      {"task", "from", "to", "firstBusinessDate", "lastBusinessDate", "parallelism", "reprocess"},
      "a backfill"));
  schedule::BackfillRequest request;
  OTSYNC_ASSIGN_OR_RETURN(request.task, StringField(body, "task"));
  if (request.task.empty()) return Status::InvalidArgument("task: required");
  OTSYNC_ASSIGN_OR_RETURN(request.from, TimeField(body, "from", zone));
  OTSYNC_ASSIGN_OR_RETURN(request.to, TimeField(body, "to", zone));
  OTSYNC_ASSIGN_OR_RETURN(request.first_business_date, StringField(body, "firstBusinessDate"));
  OTSYNC_ASSIGN_OR_RETURN(request.last_business_date, StringField(body, "lastBusinessDate"));
  const bool by_time = request.from.has_value() || request.to.has_value();
  const bool by_date = !request.first_business_date.empty() || !request.last_business_date.empty();
  if (by_time && by_date) {
    return Status::InvalidArgument(
        "give either from and to, or firstBusinessDate and lastBusinessDate, not both");
  }
  if (!by_time && !by_date) {
    return Status::InvalidArgument(
        "a backfill needs a range: from and to (scheduling times), or firstBusinessDate and "
        "lastBusinessDate");
  }
  if (by_time && !request.from.has_value()) return Status::InvalidArgument("from: required");
  if (by_time && !request.to.has_value()) return Status::InvalidArgument("to: required");
  if (by_date) {
    OTSYNC_RETURN_IF_ERROR(BusinessDateField("firstBusinessDate", request.first_business_date));
    OTSYNC_RETURN_IF_ERROR(BusinessDateField("lastBusinessDate", request.last_business_date));
  }
  OTSYNC_ASSIGN_OR_RETURN(int64_t parallelism, IntegerField(body, "parallelism", 1, 1, 64));
  request.parallelism = static_cast<int>(parallelism);
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> reprocess, OptionalString(body, "reprocess"));
  if (reprocess.has_value()) {
    Result<schedule::ReprocessPolicy> parsed = schedule::ParseReprocessPolicy(*reprocess);
    if (!parsed.ok()) return parsed.status().WithContext("reprocess");
    request.reprocess = *parsed;
  }
  return request;
}

nlohmann::json BackfillPlanView(const schedule::BackfillPlan& plan, const sync::TimeZone& zone) {
  nlohmann::json instances = nlohmann::json::array();
  for (const schedule::PlannedInstance& planned : plan.instances) {
    nlohmann::json view = ResolvedInstanceView(planned.values, zone);
    view["runs"] = planned.runs;
    view["existingInstance"] =
        planned.existing_instance ? nlohmann::json(*planned.existing_instance) : nullptr;
    view["note"] = planned.note;
    instances.push_back(std::move(view));
  }
  return {{"task", plan.task},
          {"zone", zone.name},
          {"from", WallClock(plan.from, zone)},
          {"to", WallClock(plan.to, zone)},
          {"fromEpoch", plan.from},
          {"toEpoch", plan.to},
          {"instances", std::move(instances)}};
}

namespace {

nlohmann::json BackfillObject(const schedule::Backfill& backfill, const sync::TimeZone& zone) {
  return {{"id", backfill.id},
          {"task", backfill.task},
          {"from", WallClock(backfill.from, zone)},
          {"to", WallClock(backfill.to, zone)},
          {"fromEpoch", backfill.from},
          {"toEpoch", backfill.to},
          {"parallelism", backfill.parallelism},
          {"reprocess", std::string(schedule::ReprocessPolicyName(backfill.reprocess))},
          {"createdMillis", MillisOrNull(backfill.created_micros)}};
}

}  // namespace

nlohmann::json BackfillStartedView(const schedule::BackfillStarted& started,
                                   const sync::TimeZone& zone) {
  return {{"backfill", BackfillObject(started.backfill, zone)},
          {"instanceIds", started.instance_ids}};
}

nlohmann::json BackfillView(const schedule::Backfill& backfill,
                            const std::vector<schedule::Instance>& instances,
                            const sync::TimeZone& zone) {
  nlohmann::json counts = nlohmann::json::object();
  for (schedule::InstanceState state :
       {schedule::InstanceState::kWaiting, schedule::InstanceState::kRunning,
        schedule::InstanceState::kSucceeded, schedule::InstanceState::kFailed,
        schedule::InstanceState::kKilled, schedule::InstanceState::kFrozen}) {
    counts[std::string(schedule::InstanceStateName(state))] = 0;
  }
  std::vector<int64_t> ids;
  bool finished = true;
  for (const schedule::Instance& instance : instances) {
    ids.push_back(instance.id);
    counts[std::string(schedule::InstanceStateName(instance.state))] =
        counts[std::string(schedule::InstanceStateName(instance.state))].get<int64_t>() + 1;
    finished = finished && (instance.state == schedule::InstanceState::kSucceeded ||
                            instance.state == schedule::InstanceState::kFailed ||
                            instance.state == schedule::InstanceState::kKilled);
  }
  return {{"backfill", BackfillObject(backfill, zone)},
          {"instanceIds", ids},
          {"states", counts},
          {"finished", finished}};
}

}  // namespace otsync::console
