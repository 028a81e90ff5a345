#include "tools/otsync/schedule_flags.h"

#include <cctype>
#include <cstdio>
#include <optional>
#include <regex>

#include "schedule/cycle.h"
#include "schedule/instance_times.h"
#include "schedule/parameter_list.h"

namespace otsync::tools {
namespace {

constexpr char kCycleForms[] =
    "expected one of: '5m' or 'every 5 minutes [from HH:MM to HH:MM]', '2h' or 'every 2 hours "
    "[from HH:MM to HH:MM]', 'at :MM on hours H,H', 'daily at HH:MM', 'weekly on mon,fri at "
    "HH:MM', 'monthly on 1,15 at HH:MM', or the scheduler's form ('minute 5 08:00-20:00', "
    "'hours 1,13 :30', 'day 02:00', ...)";

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool IsNumber(const std::string& word) {
  return !word.empty() && word.size() <= 4 &&
         word.find_first_not_of("0123456789") == std::string::npos;
}

// The scheduler's text for a readable spelling; the text itself when it is none (ParseCycle
// judges it then).
std::string CanonicalCycleText(std::string_view text) {
  std::vector<std::string> w = Words(text);
  auto range_after = [&](size_t at) -> std::optional<std::string> {
    if (w.size() == at) return std::string();
    if (w.size() == at + 4 && w[at] == "from" && w[at + 2] == "to") {
      return " " + w[at + 1] + "-" + w[at + 3];
    }
    return std::nullopt;
  };
  static const std::regex kShort(R"(^(\d{1,2})([mh])$)");
  std::smatch match;
  if (!w.empty() && std::regex_match(w[0], match, kShort)) {
    std::string kind = match[2] == "m" ? "minute " : "hour ";
    if (w.size() == 1) return kind + match[1].str();
    if (w.size() == 2) return kind + match[1].str() + " " + w[1];
  }
  if (w.size() >= 2 && w[0] == "every") {
    size_t unit = IsNumber(w[1]) ? 2 : 1;
    std::string count = unit == 2 ? w[1] : "1";
    if (w.size() > unit) {
      const std::string& name = w[unit];
      std::string kind = name == "minute" || name == "minutes" ? "minute"
                         : name == "hour" || name == "hours"   ? "hour"
                                                               : "";
      if (!kind.empty()) {
        if (std::optional<std::string> range = range_after(unit + 1)) {
          return kind + " " + count + *range;
        }
      }
    }
  }
  if (w.size() == 5 && w[0] == "at" && w[1].starts_with(':') && w[2] == "on" && w[3] == "hours") {
    return "hours " + w[4] + " " + w[1];
  }
  if (w.size() == 3 && w[0] == "daily" && w[1] == "at") return "day " + w[2];
  if (w.size() == 5 && (w[0] == "weekly" || w[0] == "monthly") && w[1] == "on" && w[3] == "at") {
    return std::string(w[0] == "weekly" ? "week " : "month ") + w[2] + " " + w[4];
  }
  std::string joined;
  for (const std::string& word : w) joined += (joined.empty() ? "" : " ") + word;
  return joined;
}

}  // namespace

Result<std::string> CycleFromFlag(std::string_view text) {
  if (Words(text).empty())
    return Status::InvalidArgument("--cycle: empty; " + std::string(kCycleForms));
  Result<schedule::Cycle> cycle = schedule::ParseCycle(CanonicalCycleText(text));
  if (!cycle.ok()) {
    return Status::InvalidArgument("--cycle: " + cycle.status().message() + "; " + kCycleForms);
  }
  return schedule::FormatCycle(*cycle);
}

Result<std::string> ParametersFromFlags(const std::vector<std::string>& assignments,
                                        const std::string& list) {
  std::string joined = list;
  for (const std::string& assignment : assignments) {
    Result<schedule::Parameter> parameter = schedule::ParseParameterAssignment(assignment);
    if (!parameter.ok()) {
      return Status::InvalidArgument("--param '" + assignment +
                                     "': " + parameter.status().message());
    }
    if (parameter->expression.find_first_of(" \t\n") != std::string::npos) {
      return Status::InvalidArgument(
          "--param '" + assignment + "': parameter " + parameter->name +
          ": an expression may not contain a space (DataWorks allows none; use two parameters "
          "and put the space where they are used)");
    }
    if (!joined.empty()) joined += ' ';
    joined += assignment;
  }
  Result<std::vector<schedule::Parameter>> parsed = schedule::ParseParameterList(joined);
  if (!parsed.ok()) {
    return Status::InvalidArgument(std::string(assignments.empty() ? "--params" : "--param") +
                                   ": " + parsed.status().message());
  }
  return joined;
}

Result<std::string> SchedulingTimeFromFlag(std::string_view flag, std::string_view text) {
  Result<sync::CivilTime> time = schedule::ParseWallClockTime(text);
  if (!time.ok()) {
    return Status::InvalidArgument(std::string(flag) + " '" + std::string(text) +
                                   "': expected 'YYYY-MM-DD HH:MM[:SS]', a date and time of day "
                                   "that exist (the task's time zone)");
  }
  char canonical[64];
  std::snprintf(canonical, sizeof(canonical), "%04d-%02u-%02u %02d:%02d:%02d", time->year,
                time->month, time->day, time->hour, time->minute, time->second);
  return std::string(canonical);
}

Result<BusinessDateRange> BusinessDatesFromFlag(std::string_view text) {
  static const std::regex kRange(R"(^(\d{8})(\.\.(\d{8}))?$)");
  const std::string given(text);
  std::smatch match;
  if (!std::regex_match(given, match, kRange)) {
    return Status::InvalidArgument("--business-dates '" + given +
                                   "': expected FIRST..LAST as yyyymmdd..yyyymmdd (both "
                                   "included), or one yyyymmdd");
  }
  BusinessDateRange range{match[1], match[3].matched ? match[3].str() : match[1].str()};
  if (range.last < range.first) {
    return Status::InvalidArgument("--business-dates '" + given + "': " + range.last +
                                   " is before " + range.first);
  }
  return range;
}

}  // namespace otsync::tools
