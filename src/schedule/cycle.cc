#include "schedule/cycle.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>

#include "schedule/calendar_arithmetic.h"

namespace otsync::schedule {
namespace {

constexpr std::string_view kWeekdayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t position = 0;
  while (position < text.size()) {
    while (position < text.size() && text[position] == ' ') ++position;
    size_t end = text.find(' ', position);
    if (end == std::string_view::npos) end = text.size();
    if (end > position) words.push_back(text.substr(position, end - position));
    position = end;
  }
  return words;
}

std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t position = 0;
  while (true) {
    size_t end = text.find(',', position);
    parts.push_back(text.substr(position, end == std::string_view::npos ? end : end - position));
    if (end == std::string_view::npos) return parts;
    position = end + 1;
  }
}

std::optional<int> Number(std::string_view text, int low, int high) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < low ||
      value > high) {
    return std::nullopt;
  }
  return value;
}

Status Invalid(std::string_view text, const std::string& why) {
  return Status::InvalidArgument("cycle '" + std::string(text) + "': " + why);
}

// "HH:MM".
std::optional<TimeOfDay> ParseTimeOfDay(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  std::optional<int> hour = Number(text.substr(0, 2), 0, 23);
  std::optional<int> minute = Number(text.substr(3, 2), 0, 59);
  if (!hour || !minute) return std::nullopt;
  return TimeOfDay{*hour, *minute};
}

std::string FormatTimeOfDay(const TimeOfDay& time) {
  char text[8];
  std::snprintf(text, sizeof(text), "%02d:%02d", time.hour, time.minute);
  return text;
}

// Numbers or names separated by commas, each in [low, high], sorted and without repeats.
Result<std::vector<int>> ParseList(std::string_view whole, std::string_view text, int low, int high,
                                   std::string_view what, bool weekday_names) {
  std::set<int> values;
  for (std::string_view part : SplitCommas(text)) {
    std::optional<int> value;
    if (weekday_names) {
      for (int i = 0; i < 7; ++i) {
        if (part == kWeekdayNames[i]) value = i + 1;
      }
    } else {
      value = Number(part, low, high);
    }
    if (!value) {
      return Invalid(whole, "'" + std::string(part) + "' is not " + std::string(what));
    }
    values.insert(*value);
  }
  return std::vector<int>(values.begin(), values.end());
}

std::string JoinNumbers(const std::vector<int>& values) {
  std::string text;
  for (int value : values) text += (text.empty() ? "" : ",") + std::to_string(value);
  return text;
}

Result<Cycle> ParseRangeCycle(std::string_view text, const std::vector<std::string_view>& words,
                              CycleKind kind) {
  Cycle cycle;
  cycle.kind = kind;
  const int max_interval = kind == CycleKind::kMinute ? 59 : 23;
  std::optional<int> interval = Number(words[1], 1, max_interval);
  if (!interval) {
    return Invalid(text, "the interval '" + std::string(words[1]) + "' is not a number from 1 to " +
                             std::to_string(max_interval));
  }
  cycle.interval = *interval;
  if (words.size() == 3) {
    std::string_view range = words[2];
    size_t dash = range.find('-');
    std::optional<TimeOfDay> start, end;
    if (dash != std::string_view::npos) {
      start = ParseTimeOfDay(range.substr(0, dash));
      end = ParseTimeOfDay(range.substr(dash + 1));
    }
    if (!start || !end) {
      return Invalid(text,
                     "expected a time-of-day range HH:MM-HH:MM, got '" + std::string(range) + "'");
    }
    if (end->Minutes() < start->Minutes()) {
      return Invalid(text, "the range ends before it starts");
    }
    cycle.range_start = *start;
    cycle.range_end = *end;
  }
  return cycle;
}

// The wall-clock times of `date` (its time of day ignored) at which `cycle` schedules.
std::vector<TimeOfDay> TimesOfDay(const Cycle& cycle, const sync::CivilTime& date) {
  std::vector<TimeOfDay> times;
  switch (cycle.kind) {
    case CycleKind::kMinute:
    case CycleKind::kHour: {
      if (cycle.kind == CycleKind::kHour && cycle.interval == 0) {
        for (int hour : cycle.hours) times.push_back({hour, cycle.at.minute});
        break;
      }
      const int step = cycle.kind == CycleKind::kMinute ? cycle.interval : cycle.interval * 60;
      for (int minutes = cycle.range_start.Minutes(); minutes <= cycle.range_end.Minutes();
           minutes += std::max(step, 1)) {
        times.push_back({minutes / 60, minutes % 60});
      }
      break;
    }
    case CycleKind::kDay:
      times.push_back(cycle.at);
      break;
    case CycleKind::kWeek: {
      std::chrono::weekday weekday{std::chrono::sys_days{
          std::chrono::year_month_day{std::chrono::year{date.year}, std::chrono::month{date.month},
                                      std::chrono::day{date.day}}}};
      int iso = static_cast<int>(weekday.iso_encoding());
      if (std::binary_search(cycle.weekdays.begin(), cycle.weekdays.end(), iso)) {
        times.push_back(cycle.at);
      }
      break;
    }
    case CycleKind::kMonth:
      if (std::binary_search(cycle.month_days.begin(), cycle.month_days.end(),
                             static_cast<int>(date.day))) {
        times.push_back(cycle.at);
      }
      break;
  }
  return times;
}

// Calls `emit(time)` for the scheduling times of the dates from `first` on, in order, until it
// returns false or `max_days` dates were looked at.
template <typename Emit>
void ForEachTime(const Cycle& cycle, const sync::TimeZone& zone, sync::CivilTime first,
                 int64_t max_days, Emit emit) {
  sync::CivilTime date{first.year, first.month, first.day, 0, 0, 0};
  int64_t previous = INT64_MIN;
  for (int64_t day = 0; day < max_days; ++day, date = AddDays(date, 1)) {
    for (const TimeOfDay& time : TimesOfDay(cycle, date)) {
      sync::CivilTime wall{date.year, date.month, date.day, time.hour, time.minute, 0};
      int64_t instant = sync::ToEpochSeconds(wall, zone);
      // A time moved forward out of a skipped hour can meet the next one: keep each once.
      if (instant <= previous) continue;
      previous = instant;
      if (!emit(instant)) return;
    }
  }
}

// Dates looked at for the next time: every day of the month 1-31 comes within a year, so this
// bounds only a cycle built without any day (an empty list) or by hand.
constexpr int64_t kMaxSearchDays = 8 * 366 + 2;

}  // namespace

std::string_view CycleKindName(CycleKind kind) {
  switch (kind) {
    case CycleKind::kMinute:
      return "minute";
    case CycleKind::kHour:
      return "hour";
    case CycleKind::kDay:
      return "day";
    case CycleKind::kWeek:
      return "week";
    case CycleKind::kMonth:
      return "month";
  }
  return "day";
}

Result<Cycle> ParseCycle(std::string_view text) {
  std::vector<std::string_view> words = SplitWords(text);
  if (words.empty())
    return Invalid(text, "empty; expected minute, hour, hours, day, week or month");
  std::string_view kind = words[0];
  if (kind == "minute" || kind == "hour") {
    if (words.size() < 2 || words.size() > 3) {
      return Invalid(text, "expected '" + std::string(kind) + " N [HH:MM-HH:MM]'");
    }
    return ParseRangeCycle(text, words, kind == "minute" ? CycleKind::kMinute : CycleKind::kHour);
  }
  if (kind == "hours") {
    if (words.size() != 3 || words[2].size() != 3 || words[2][0] != ':') {
      return Invalid(text, "expected 'hours H,H,... :MM'");
    }
    Cycle cycle;
    cycle.kind = CycleKind::kHour;
    OTSYNC_ASSIGN_OR_RETURN(cycle.hours,
                            ParseList(text, words[1], 0, 23, "an hour from 0 to 23", false));
    std::optional<int> minute = Number(words[2].substr(1), 0, 59);
    if (!minute) return Invalid(text, "expected the minute as :MM");
    cycle.at = {0, *minute};
    return cycle;
  }
  Cycle cycle;
  std::string_view at_text;
  if (kind == "day") {
    if (words.size() != 2) return Invalid(text, "expected 'day HH:MM'");
    cycle.kind = CycleKind::kDay;
    at_text = words[1];
  } else if (kind == "week" || kind == "month") {
    if (words.size() != 3)
      return Invalid(text, "expected '" + std::string(kind) + " D,D,... HH:MM'");
    at_text = words[2];
    if (kind == "week") {
      cycle.kind = CycleKind::kWeek;
      OTSYNC_ASSIGN_OR_RETURN(cycle.weekdays,
                              ParseList(text, words[1], 1, 7, "a weekday (mon ... sun)", true));
    } else {
      cycle.kind = CycleKind::kMonth;
      OTSYNC_ASSIGN_OR_RETURN(cycle.month_days,
                              ParseList(text, words[1], 1, 31, "a day of the month (1-31)", false));
    }
  } else {
    return Invalid(text, "unknown kind '" + std::string(kind) +
                             "'; expected minute, hour, hours, day, week or month");
  }
  std::optional<TimeOfDay> at = ParseTimeOfDay(at_text);
  if (!at) return Invalid(text, "expected a time of day HH:MM, got '" + std::string(at_text) + "'");
  cycle.at = *at;
  return cycle;
}

std::string FormatCycle(const Cycle& cycle) {
  switch (cycle.kind) {
    case CycleKind::kMinute:
    case CycleKind::kHour:
      if (cycle.kind == CycleKind::kHour && cycle.interval == 0) {
        char minute[8];
        std::snprintf(minute, sizeof(minute), ":%02d", cycle.at.minute);
        return "hours " + JoinNumbers(cycle.hours) + " " + minute;
      }
      return std::string(CycleKindName(cycle.kind)) + " " + std::to_string(cycle.interval) + " " +
             FormatTimeOfDay(cycle.range_start) + "-" + FormatTimeOfDay(cycle.range_end);
    case CycleKind::kDay:
      return "day " + FormatTimeOfDay(cycle.at);
    case CycleKind::kWeek: {
      std::string days;
      for (int day : cycle.weekdays) {
        days += (days.empty() ? "" : ",") + std::string(kWeekdayNames[day - 1]);
      }
      return "week " + days + " " + FormatTimeOfDay(cycle.at);
    }
    case CycleKind::kMonth:
      return "month " + JoinNumbers(cycle.month_days) + " " + FormatTimeOfDay(cycle.at);
  }
  return "";
}

std::vector<int64_t> NextSchedulingTimes(const Cycle& cycle, const sync::TimeZone& zone,
                                         int64_t after, size_t count) {
  std::vector<int64_t> times;
  if (count == 0) return times;
  // From the day before: a time moved forward out of a skipped hour may land after `after`.
  sync::CivilTime first = AddDays(sync::ToCivilTime(after, zone), -1);
  ForEachTime(cycle, zone, first, kMaxSearchDays, [&](int64_t time) {
    if (time > after) times.push_back(time);
    return times.size() < count;
  });
  return times;
}

std::vector<int64_t> SchedulingTimesBetween(const Cycle& cycle, const sync::TimeZone& zone,
                                            int64_t from, int64_t to) {
  std::vector<int64_t> times;
  if (to <= from) return times;
  sync::CivilTime first = AddDays(sync::ToCivilTime(from, zone), -1);
  const int64_t days = (to - from) / 86'400 + 3;
  ForEachTime(cycle, zone, first, days, [&](int64_t time) {
    if (time >= to) return false;
    if (time >= from) times.push_back(time);
    return true;
  });
  return times;
}

}  // namespace otsync::schedule
