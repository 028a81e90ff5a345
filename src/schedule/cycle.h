// A task's cycle: the wall-clock times of day, in the task's zone, at which its instances are
// scheduled (docs/scheduling.md, "Cycles"). Written as text, one form per kind:
//
//   minute N [HH:MM-HH:MM]   every N minutes (1-59) from the range's start up to its end,
//                            inclusive; the range defaults to 00:00-23:59
//   hour N [HH:MM-HH:MM]     every N hours (1-23) from the range's start up to its end
//   hours H,H,... :MM        at the chosen hours (0-23), at minute MM
//   day HH:MM                once a day
//   week D,D,... HH:MM       on the chosen weekdays (mon tue wed thu fri sat sun)
//   month D,D,... HH:MM      on the chosen days of the month (1-31; a month without the day
//                            has no instance that day)
//
// The times of a day restart at the range's start every day ("minute 7" runs at 23:55 and then
// at 00:00). A wall-clock time a daylight-saving change skips is moved forward by the gap, one it
// repeats is taken once, the earlier (sync::ToEpochSeconds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sync/local_time.h"

namespace otsync::schedule {

enum class CycleKind { kMinute, kHour, kDay, kWeek, kMonth };

struct TimeOfDay {
  int hour = 0;
  int minute = 0;

  int Minutes() const { return hour * 60 + minute; }
  bool operator==(const TimeOfDay&) const = default;
};

struct Cycle {
  CycleKind kind = CycleKind::kDay;
  // kMinute: minutes, kHour: hours between instances. 0 for kHour with chosen `hours`.
  int interval = 0;
  TimeOfDay range_start{0, 0};  // kMinute and kHour with an interval.
  TimeOfDay range_end{23, 59};  // Inclusive.
  std::vector<int> hours;       // kHour: the chosen hours, ascending.
  TimeOfDay at;                 // kDay, kWeek, kMonth; kHour with chosen hours uses its minute.
  std::vector<int> weekdays;    // kWeek: 1 Monday ... 7 Sunday, ascending.
  std::vector<int> month_days;  // kMonth: 1-31, ascending.

  bool operator==(const Cycle&) const = default;
};

// The text forms above; kInvalidArgument naming the part at fault.
Result<Cycle> ParseCycle(std::string_view text);
// The canonical text of `cycle` (ParseCycle(FormatCycle(c)) == c).
std::string FormatCycle(const Cycle& cycle);

std::string_view CycleKindName(CycleKind kind);  // "minute", "hour", "day", "week", "month"

// The first `count` scheduling times (epoch seconds) strictly after `after`, ascending.
std::vector<int64_t> NextSchedulingTimes(const Cycle& cycle, const sync::TimeZone& zone,
                                         int64_t after, size_t count);

// Every scheduling time in [from, to), ascending.
std::vector<int64_t> SchedulingTimesBetween(const Cycle& cycle, const sync::TimeZone& zone,
                                            int64_t from, int64_t to);

}  // namespace otsync::schedule
