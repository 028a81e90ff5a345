#include "schedule/parameter_expression.h"

#include <cstdio>

#include "schedule/calendar_arithmetic.h"
#include "schedule/time_pattern.h"

namespace otsync::schedule {
namespace {

// Bounds that keep every intermediate date inside what std::chrono represents.
constexpr int64_t kMaxFactor = 1'000'000;
constexpr int64_t kMaxMonths = 12 * 9999;
constexpr int kFirstYear = 1;
constexpr int kLastYear = 9999;

// Offsets of $[...]: calendar days, then elapsed seconds.
struct SchedulingOffset {
  int64_t days = 0;
  int64_t seconds = 0;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

// digits ('*' digits)*, e.g. "7*2", read from `text` at `*position`.
Result<int64_t> ReadProduct(std::string_view text, size_t* position) {
  int64_t product = 1;
  while (true) {
    size_t start = *position;
    int64_t factor = 0;
    while (*position < text.size() && IsDigit(text[*position]) && factor <= kMaxFactor) {
      factor = factor * 10 + (text[(*position)++] - '0');
    }
    if (*position == start) return Status::InvalidArgument("expected a number");
    product *= factor;
    if (factor > kMaxFactor || product > kMaxFactor) {
      return Status::InvalidArgument("the offset is larger than " + std::to_string(kMaxFactor));
    }
    if (*position >= text.size() || text[*position] != '*') return product;
    ++*position;
  }
}

// [+-] product, read from `text` at `*position`.
Result<int64_t> ReadSignedProduct(std::string_view text, size_t* position) {
  if (*position >= text.size() || (text[*position] != '+' && text[*position] != '-')) {
    return Status::InvalidArgument("expected + or -");
  }
  int64_t sign = text[(*position)++] == '-' ? -1 : 1;
  OTSYNC_ASSIGN_OR_RETURN(int64_t value, ReadProduct(text, position));
  return sign * value;
}

Status CheckYear(const sync::CivilTime& time) {
  if (time.year < kFirstYear || time.year > kLastYear) {
    return Status::InvalidArgument("the result falls outside the years 0001 to 9999");
  }
  return Status::OK();
}

std::string CompactDate(const sync::CivilTime& time) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%04d%02u%02u", time.year, time.month, time.day);
  return buffer;
}

std::string CompactDateTime(const sync::CivilTime& time) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%04d%02u%02u%02d%02d%02d", time.year, time.month, time.day,
                time.hour, time.minute, time.second);
  return buffer;
}

sync::CivilTime SchedulingCivilTime(const InstanceTimes& times) {
  return sync::ToCivilTime(times.scheduling_time, times.zone);
}

// ${...}: `body` is what stands between the braces.
Result<std::string> ResolveBusinessDate(std::string_view body, const InstanceTimes& times) {
  if (body == "bdp.system.bizdate") return CompactDate(times.business_date);
  if (body == "bdp.system.cyctime") return CompactDateTime(SchedulingCivilTime(times));
  size_t consumed = 0;
  OTSYNC_ASSIGN_OR_RETURN(TimePattern pattern, TimePattern::Parse(body, &consumed));
  if (pattern.HasTimeOfDay()) {
    return Status::InvalidArgument(
        "the business date has no time of day: hh24, hh, mi and ss need $[...]");
  }
  sync::CivilTime date = times.business_date;
  if (consumed < body.size()) {
    std::string_view offset_text = body.substr(consumed);
    size_t position = 0;
    Result<int64_t> offset = ReadSignedProduct(offset_text, &position);
    if (!offset.ok() || position != offset_text.size()) {
      return Status::InvalidArgument(
          "offset " + Quote(offset_text) +
          " is not understood: ${...} takes one whole number, +N, -N or -N*M, in days (in "
          "months without dd, in years without mm); hours and minutes need $[...]");
    }
    if (pattern.Has(TimePattern::Field::kDay)) {
      date = AddDays(date, *offset);
    } else if (*offset > kMaxMonths / 12 || *offset < -kMaxMonths / 12) {
      return Status::InvalidArgument("the result falls outside the years 0001 to 9999");
    } else if (pattern.Has(TimePattern::Field::kMonth)) {
      date = AddMonths(date, *offset);
    } else {
      date = AddMonths(date, *offset * 12);
    }
  }
  OTSYNC_RETURN_IF_ERROR(CheckYear(date));
  return pattern.Format(date);
}

Result<SchedulingOffset> ParseSchedulingOffsets(std::string_view text) {
  SchedulingOffset offset;
  size_t position = 0;
  while (position < text.size()) {
    OTSYNC_ASSIGN_OR_RETURN(int64_t value, ReadSignedProduct(text, &position));
    if (text.substr(position).starts_with("/24/60")) {
      offset.seconds += value * 60;
      position += 6;
    } else if (text.substr(position).starts_with("/24")) {
      offset.seconds += value * 3600;
      position += 3;
    } else {
      offset.days += value;
    }
  }
  return offset;
}

// $[add_months(pattern,N)]: `arguments` is what stands between the parentheses.
Result<std::string> ResolveAddMonths(std::string_view arguments, const InstanceTimes& times) {
  Status usage = Status::InvalidArgument(
      "add_months takes a pattern and a number of months: add_months(yyyymmdd,-1)");
  size_t comma = arguments.rfind(',');
  if (comma == std::string_view::npos) return usage;
  std::string_view pattern_text = arguments.substr(0, comma);
  std::string_view months_text = arguments.substr(comma + 1);
  size_t consumed = 0;
  OTSYNC_ASSIGN_OR_RETURN(TimePattern pattern, TimePattern::Parse(pattern_text, &consumed));
  if (consumed != pattern_text.size()) return usage;
  size_t position = 0;
  bool signed_number = !months_text.empty() && (months_text[0] == '+' || months_text[0] == '-');
  Result<int64_t> months = signed_number ? ReadSignedProduct(months_text, &position)
                                         : ReadProduct(months_text, &position);
  if (!months.ok() || position != months_text.size()) return usage;
  if (*months > kMaxMonths || *months < -kMaxMonths) {
    return Status::InvalidArgument("the result falls outside the years 0001 to 9999");
  }
  sync::CivilTime moved = AddMonths(SchedulingCivilTime(times), *months);
  OTSYNC_RETURN_IF_ERROR(CheckYear(moved));
  return pattern.Format(moved);
}

// $[...]: `body` is what stands between the brackets.
Result<std::string> ResolveSchedulingTime(std::string_view body, const InstanceTimes& times) {
  constexpr std::string_view kAddMonths = "add_months(";
  if (body.starts_with(kAddMonths)) {
    if (!body.ends_with(")")) {
      return Status::InvalidArgument("add_months( is not closed with ')'");
    }
    return ResolveAddMonths(body.substr(kAddMonths.size(), body.size() - kAddMonths.size() - 1),
                            times);
  }
  size_t consumed = 0;
  OTSYNC_ASSIGN_OR_RETURN(TimePattern pattern, TimePattern::Parse(body, &consumed));
  Result<SchedulingOffset> offset = ParseSchedulingOffsets(body.substr(consumed));
  if (!offset.ok()) {
    return Status::InvalidArgument(
        "offset " + Quote(body.substr(consumed)) +
        " is not understood: $[...] takes terms +N or -N (days), N/24 (hours) and N/24/60 "
        "(minutes), e.g. $[yyyymmdd-1-1/24]; months need add_months");
  }
  sync::CivilTime moved = AddDays(SchedulingCivilTime(times), offset->days);
  OTSYNC_RETURN_IF_ERROR(CheckYear(moved));
  int64_t instant = sync::ToEpochSeconds(moved, times.zone) + offset->seconds;
  sync::CivilTime result = sync::ToCivilTime(instant, times.zone);
  OTSYNC_RETURN_IF_ERROR(CheckYear(result));
  return pattern.Format(result);
}

Result<std::string> ResolveIdentifier(const std::optional<std::string>& value,
                                      std::string_view name) {
  if (!value.has_value()) {
    return Status::InvalidArgument("$" + std::string(name) +
                                   " has no value here: only a scheduled instance has one");
  }
  return *value;
}

Result<std::string> ResolveBuiltIn(std::string_view name, const InstanceTimes& times) {
  sync::CivilTime scheduled = SchedulingCivilTime(times);
  if (name == "bizdate") return CompactDate(times.business_date);
  if (name == "cyctime") return CompactDateTime(scheduled);
  if (name == "gmtdate") return CompactDate(scheduled);
  if (name == "bizmonth") {
    // DataWorks: the business date's month, less one when it is the scheduled date's month;
    // either way the month before the scheduled date's.
    sync::CivilTime month = AddMonths(sync::CivilTime{scheduled.year, scheduled.month, 1}, -1);
    OTSYNC_RETURN_IF_ERROR(CheckYear(month));
    return CompactDate(month).substr(0, 6);
  }
  if (name == "jobid") return ResolveIdentifier(times.job_id, name);
  if (name == "nodeid") return ResolveIdentifier(times.node_id, name);
  if (name == "taskid") return ResolveIdentifier(times.task_id, name);
  return Status::InvalidArgument("unknown built-in $" + std::string(name) +
                                 "; the built-ins are $bizdate, $bizmonth, $cyctime, $gmtdate, "
                                 "$jobid, $nodeid and $taskid");
}

Status WithContext(std::string_view part, const Status& status) {
  return Status::InvalidArgument(std::string(part) + ": " + status.message());
}

}  // namespace

Result<std::string> ResolveExpression(std::string_view expression, const InstanceTimes& times) {
  if (expression.find_first_of(" \t\r\n") != std::string_view::npos) {
    return Status::InvalidArgument(
        "the expression contains a space, which DataWorks does not allow; to write a date and a "
        "time apart, use two parameters and put the space where they are used");
  }
  if (expression.find('=') != std::string_view::npos) {
    return Status::InvalidArgument("the expression contains '=', which DataWorks does not allow");
  }
  std::string value;
  size_t position = 0;
  while (position < expression.size()) {
    size_t dollar = expression.find('$', position);
    if (dollar == std::string_view::npos || dollar + 1 == expression.size()) {
      value.append(expression.substr(position));
      break;
    }
    value.append(expression.substr(position, dollar - position));
    char opener = expression[dollar + 1];
    if (opener == '{' || opener == '[') {
      char closer = opener == '{' ? '}' : ']';
      size_t close = expression.find(closer, dollar + 2);
      if (close == std::string_view::npos) {
        return Status::InvalidArgument(Quote(expression.substr(dollar)) + ": '$" +
                                       std::string(1, opener) + "' is not closed with '" +
                                       std::string(1, closer) + "'");
      }
      std::string_view part = expression.substr(dollar, close + 1 - dollar);
      std::string_view body = expression.substr(dollar + 2, close - dollar - 2);
      Result<std::string> resolved =
          opener == '{' ? ResolveBusinessDate(body, times) : ResolveSchedulingTime(body, times);
      if (!resolved.ok()) return WithContext(part, resolved.status());
      value.append(*resolved);
      position = close + 1;
    } else if (IsLetter(opener)) {
      size_t end = dollar + 1;
      while (end < expression.size() && IsLetter(expression[end])) ++end;
      Result<std::string> resolved =
          ResolveBuiltIn(expression.substr(dollar + 1, end - dollar - 1), times);
      if (!resolved.ok()) return resolved.status();
      value.append(*resolved);
      position = end;
    } else {
      value.push_back('$');
      position = dollar + 1;
    }
  }
  return value;
}

}  // namespace otsync::schedule
