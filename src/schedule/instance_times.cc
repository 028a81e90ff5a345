#include "schedule/instance_times.h"

#include <charconv>
#include <cstdio>
#include <utility>

#include "schedule/calendar_arithmetic.h"

namespace otsync::schedule {
namespace {

sync::CivilTime DateOnly(const sync::CivilTime& time) {
  return sync::CivilTime{time.year, time.month, time.day, 0, 0, 0};
}

// The number written at `text[start, start + length)`, all digits, or -1.
int DigitsAt(std::string_view text, size_t start, size_t length) {
  int value = 0;
  std::string_view digits = text.substr(start, length);
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return error == std::errc() && end == digits.data() + digits.size() ? value : -1;
}

}  // namespace

Result<sync::CivilTime> ParseWallClockTime(std::string_view text) {
  Status invalid = Status::InvalidArgument("'" + std::string(text) +
                                           "' is not a time: expected YYYY-MM-DD HH:MM[:SS]");
  const bool with_seconds = text.size() == 19;
  if ((text.size() != 16 && !with_seconds) || text[4] != '-' || text[7] != '-' ||
      (text[10] != ' ' && text[10] != 'T') || text[13] != ':' ||
      (with_seconds && text[16] != ':')) {
    return invalid;
  }
  sync::CivilTime time{DigitsAt(text, 0, 4),
                       static_cast<unsigned>(DigitsAt(text, 5, 2)),
                       static_cast<unsigned>(DigitsAt(text, 8, 2)),
                       DigitsAt(text, 11, 2),
                       DigitsAt(text, 14, 2),
                       with_seconds ? DigitsAt(text, 17, 2) : 0};
  if (time.year < 1 || !sync::IsValidCivilTime(time)) return invalid;
  return time;
}

Result<sync::CivilTime> ParseBusinessDate(std::string_view text) {
  Status invalid =
      Status::InvalidArgument("'" + std::string(text) + "' is not a date: expected YYYYMMDD");
  if (text.size() != 8) return invalid;
  sync::CivilTime date{DigitsAt(text, 0, 4),
                       static_cast<unsigned>(DigitsAt(text, 4, 2)),
                       static_cast<unsigned>(DigitsAt(text, 6, 2)),
                       0,
                       0,
                       0};
  if (date.year < 1 || !sync::IsValidCivilTime(date)) return invalid;
  return date;
}

InstanceTimes ScheduledInstance(int64_t scheduling_time, sync::TimeZone zone) {
  sync::CivilTime scheduled = sync::ToCivilTime(scheduling_time, zone);
  InstanceTimes times;
  times.scheduling_time = scheduling_time;
  times.business_date = AddDays(DateOnly(scheduled), -1);
  times.zone = std::move(zone);
  return times;
}

InstanceTimes BackfillInstance(const sync::CivilTime& business_date,
                               const sync::CivilTime& time_of_day, sync::TimeZone zone) {
  sync::CivilTime scheduled = AddDays(DateOnly(business_date), 1);
  scheduled.hour = time_of_day.hour;
  scheduled.minute = time_of_day.minute;
  scheduled.second = time_of_day.second;
  InstanceTimes times;
  times.scheduling_time = sync::ToEpochSeconds(scheduled, zone);
  times.business_date = DateOnly(business_date);
  times.zone = std::move(zone);
  return times;
}

std::string FormatWallClockTime(const sync::CivilTime& time) {
  char text[48];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02u %02d:%02d:%02d", time.year, time.month,
                time.day, time.hour, time.minute, time.second);
  return text;
}

std::string FormatBusinessDate(const sync::CivilTime& date) {
  char text[24];
  std::snprintf(text, sizeof(text), "%04d%02u%02u", date.year, date.month, date.day);
  return text;
}

}  // namespace otsync::schedule
