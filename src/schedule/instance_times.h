// The two time baselines every parameter of an instance is computed from (docs/scheduling.md):
// the scheduling time, when the instance is planned to run (fixed when the instance is made,
// whatever time it actually starts), and the business date, the day before the scheduled date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "sync/local_time.h"

namespace otsync::schedule {

struct InstanceTimes {
  sync::TimeZone zone;            // The scheduling time is a wall-clock time in this zone.
  int64_t scheduling_time = 0;    // Epoch seconds.
  sync::CivilTime business_date;  // A date; its time of day is 00:00:00.
  // The scheduler's identifiers behind $jobid (workflow), $nodeid (task) and $taskid (instance);
  // empty outside a scheduled instance.
  std::optional<std::string> job_id;
  std::optional<std::string> node_id;
  std::optional<std::string> task_id;
};

// An instance planned for `scheduling_time`: its business date is the day before the date of
// `scheduling_time` in `zone`.
InstanceTimes ScheduledInstance(int64_t scheduling_time, sync::TimeZone zone);

// A backfill instance for the chosen `business_date` (its time of day ignored) of a task that
// runs at `time_of_day` (its date ignored): the scheduling time is the day after the business
// date at that time of day, so choosing 2025-03-15 for a task of 00:00 schedules 2025-03-16
// 00:00:00.
InstanceTimes BackfillInstance(const sync::CivilTime& business_date,
                               const sync::CivilTime& time_of_day, sync::TimeZone zone);

// "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD HH:MM" (seconds 0), a 'T' allowed for the space: a
// wall-clock time as a person writes one. Every field in range (sync::IsValidCivilTime).
Result<sync::CivilTime> ParseWallClockTime(std::string_view text);

// "YYYYMMDD", a business date as DataWorks writes one.
Result<sync::CivilTime> ParseBusinessDate(std::string_view text);

// The forms the two parsers above read: "YYYY-MM-DD HH:MM:SS" and "YYYYMMDD".
std::string FormatWallClockTime(const sync::CivilTime& time);
std::string FormatBusinessDate(const sync::CivilTime& date);

}  // namespace otsync::schedule
