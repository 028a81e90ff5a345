#include "sync/local_time.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace otsync::sync {
namespace {

constexpr int64_t kMillisPerSecond = 1000;
constexpr int64_t kMillisPerDay = 86'400'000;
constexpr int kMaxOffsetSeconds = 14 * 3600;

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int DigitsValue(std::string_view digits) {
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] - 'A' + 'a' : b[i];
    if (x != y) return false;
  }
  return true;
}

// "+8", "+08", "+0800", "+08:00", "-5:30" -> seconds east of UTC.
Result<int> ParseOffset(std::string_view text) {
  Status invalid = Status::InvalidArgument("invalid UTC offset");
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return invalid;
  int sign = text[0] == '-' ? -1 : 1;
  std::string_view rest = text.substr(1);
  std::string_view hours;
  std::string_view minutes;
  if (size_t colon = rest.find(':'); colon != std::string_view::npos) {
    hours = rest.substr(0, colon);
    minutes = rest.substr(colon + 1);
    if (minutes.size() != 2) return invalid;
  } else if (rest.size() == 4) {
    hours = rest.substr(0, 2);
    minutes = rest.substr(2);
  } else {
    hours = rest;
    minutes = "00";
  }
  if (hours.empty() || hours.size() > 2 || !AllDigits(hours) || !AllDigits(minutes)) {
    return invalid;
  }
  int seconds = DigitsValue(hours) * 3600 + DigitsValue(minutes) * 60;
  if (DigitsValue(minutes) >= 60 || seconds > kMaxOffsetSeconds) return invalid;
  return sign * seconds;
}

Result<int64_t> LocalDateTimeToMillis(int year, unsigned month, unsigned day, int hour, int minute,
                                      int second, const TimeZone& zone) {
  std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                                   std::chrono::day{day}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
    return Status::InvalidArgument("not a valid calendar time");
  }
  int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  int64_t local_seconds = days * 86'400 + hour * 3600 + minute * 60 + second;
  return (local_seconds - zone.offset_seconds) * kMillisPerSecond;
}

struct CivilTime {
  int year;
  unsigned month;
  unsigned day;
  int64_t second_of_day;
};

CivilTime ToCivil(int64_t epoch_millis, const TimeZone& zone) {
  int64_t local_millis = epoch_millis + int64_t{zone.offset_seconds} * kMillisPerSecond;
  int64_t days = local_millis / kMillisPerDay;
  if (local_millis % kMillisPerDay < 0) --days;
  int64_t millis_of_day = local_millis - days * kMillisPerDay;
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  return CivilTime{static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                   static_cast<unsigned>(date.day()), millis_of_day / kMillisPerSecond};
}

}  // namespace

TimeZone TimeZone::Shanghai() { return TimeZone{"Asia/Shanghai", 8 * 3600}; }
TimeZone TimeZone::Utc() { return TimeZone{"UTC", 0}; }

Result<TimeZone> ParseTimeZone(std::string_view spec) {
  if (EqualsIgnoreCase(spec, "Asia/Shanghai") || EqualsIgnoreCase(spec, "PRC")) {
    return TimeZone{std::string(spec), 8 * 3600};
  }
  if (EqualsIgnoreCase(spec, "UTC") || EqualsIgnoreCase(spec, "GMT") || spec == "Z") {
    return TimeZone{std::string(spec), 0};
  }
  std::string_view offset = spec;
  if (spec.size() > 3 &&
      (EqualsIgnoreCase(spec.substr(0, 3), "UTC") || EqualsIgnoreCase(spec.substr(0, 3), "GMT"))) {
    offset = spec.substr(3);
  }
  Result<int> seconds = ParseOffset(offset);
  if (!seconds.ok()) {
    return Status::InvalidArgument(
        "unknown time zone '" + std::string(spec) +
        "', expected Asia/Shanghai, UTC or a fixed offset such as UTC+8 or +08:00");
  }
  return TimeZone{std::string(spec), *seconds};
}

Result<int64_t> ParseCompactDateTime(std::string_view text, const TimeZone& zone) {
  if (text.size() != 14 || !AllDigits(text)) {
    return Status::InvalidArgument("expected 14 digits yyyyMMddHHmmss");
  }
  return LocalDateTimeToMillis(DigitsValue(text.substr(0, 4)), DigitsValue(text.substr(4, 2)),
                               DigitsValue(text.substr(6, 2)), DigitsValue(text.substr(8, 2)),
                               DigitsValue(text.substr(10, 2)), DigitsValue(text.substr(12, 2)),
                               zone);
}

Result<int64_t> ParseCompactDate(std::string_view text, const TimeZone& zone) {
  if (text.size() != 8 || !AllDigits(text)) {
    return Status::InvalidArgument("expected 8 digits yyyyMMdd");
  }
  return LocalDateTimeToMillis(DigitsValue(text.substr(0, 4)), DigitsValue(text.substr(4, 2)),
                               DigitsValue(text.substr(6, 2)), 0, 0, 0, zone);
}

std::string FormatCompactDate(int64_t epoch_millis, const TimeZone& zone) {
  CivilTime civil = ToCivil(epoch_millis, zone);
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d%02u%02u", civil.year, civil.month, civil.day);
  return buffer;
}

std::string FormatCompactDateTime(int64_t epoch_millis, const TimeZone& zone) {
  CivilTime civil = ToCivil(epoch_millis, zone);
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "%04d%02u%02u%02d%02d%02d", civil.year, civil.month,
                civil.day, static_cast<int>(civil.second_of_day / 3600),
                static_cast<int>(civil.second_of_day / 60 % 60),
                static_cast<int>(civil.second_of_day % 60));
  return buffer;
}

}  // namespace otsync::sync
