// The scheduler's objects as the console API's JSON (docs/console-api.md, "Scheduling"): task
// views and forms, instance views, previews, log chunks, backfill requests, plans and starts,
// progress events. Field names are camelCase; a scheduling time is shown as the wall clock of
// the task's zone beside its epoch seconds; the progress object of `otsync run --progress-file`
// (snake_case) is passed on with its keys in camelCase.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "schedule/scheduler.h"
#include "sync/local_time.h"

namespace otsync::console {

// "dirty_limit_records" -> "dirtyLimitRecords".
std::string CamelCase(std::string_view snake_case);

// A progress line as an object with camelCase keys (recursively); null when `progress` is empty
// or not a JSON object.
nlohmann::json ProgressView(std::string_view progress);

// The script's secrets masked (script_secrets.h).
nlohmann::json TaskView(const schedule::Task& task);

// The task a form describes. With `stored` (an update) absent fields keep its values, and a
// masked secret in the script keeps the stored one; without it (a create) "name", "script" and
// "cycle" are required and the rest take the Task defaults. kInvalidArgument naming the field.
// The name's and the task's own rules are checked on save.
Result<schedule::Task> TaskFromForm(const nlohmann::json& form, const schedule::Task* stored);

nlohmann::json ResolvedInstanceView(const schedule::ResolvedInstance& resolved,
                                    const sync::TimeZone& zone);

// `zone` is the task's (the instance shows its times on that wall clock).
nlohmann::json InstanceView(const schedule::Instance& instance, const sync::TimeZone& zone);

nlohmann::json LogChunkView(const schedule::LogChunk& chunk);

// What a progress event carries: {"id", "task", "state", "progress"}.
nlohmann::json InstanceEventView(const schedule::InstanceEvent& event);

// `object[key]` as a time: a "YYYY-MM-DD HH:MM:SS" string read in `zone`, or an integer of epoch
// seconds; nullopt when absent or null; kInvalidArgument naming the key otherwise.
Result<std::optional<int64_t>> TimeField(const nlohmann::json& object, std::string_view key,
                                         const sync::TimeZone& zone);

// The "parameters" of a run now: a string in the task's grammar ("name=value name2=value2"), or
// an object {"name": "value"} written into that grammar; "" when absent or null. kInvalidArgument
// naming the parameter (a value with a space or an empty one) or the field.
Result<std::string> CustomParametersField(const nlohmann::json& object);

// A backfill request ({"task", "from", "to"} or {"task", "firstBusinessDate",
// "lastBusinessDate"}, "parallelism", "reprocess"); `zone` (the task's) reads wall-clock times.
// The scheduler checks the range itself.
Result<schedule::BackfillRequest> BackfillRequestFromJson(const nlohmann::json& body,
                                                          const sync::TimeZone& zone);

nlohmann::json BackfillPlanView(const schedule::BackfillPlan& plan, const sync::TimeZone& zone);
nlohmann::json BackfillStartedView(const schedule::BackfillStarted& started,
                                   const sync::TimeZone& zone);
// A backfill and how far it got: its instances' ids and their count per state.
nlohmann::json BackfillView(const schedule::Backfill& backfill,
                            const std::vector<schedule::Instance>& instances,
                            const sync::TimeZone& zone);

}  // namespace otsync::console
