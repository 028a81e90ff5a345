#include "sync/local_time.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace otsync::sync {
namespace {

constexpr int64_t kMillisPerSecond = 1000;
constexpr int64_t kSecondsPerDay = 86'400;
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

int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  return std::chrono::sys_days{std::chrono::year_month_day{std::chrono::year{year},
                                                           std::chrono::month{month},
                                                           std::chrono::day{day}}}
      .time_since_epoch()
      .count();
}

Result<int64_t> LocalDateTimeToMillis(int year, unsigned month, unsigned day, int hour, int minute,
                                      int second, const TimeZone& zone) {
  CivilTime time{year, month, day, hour, minute, second};
  if (!IsValidCivilTime(time)) return Status::InvalidArgument("not a valid calendar time");
  return ToEpochSeconds(time, zone) * kMillisPerSecond;
}

int64_t FloorDivide(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  return value % divisor < 0 ? quotient - 1 : quotient;
}

CivilTime MillisToCivil(int64_t epoch_millis, const TimeZone& zone) {
  return ToCivilTime(FloorDivide(epoch_millis, kMillisPerSecond), zone);
}

}  // namespace

TimeZone TimeZone::Shanghai() { return TimeZone{"Asia/Shanghai", 8 * 3600, nullptr}; }
TimeZone TimeZone::Utc() { return TimeZone{"UTC", 0, nullptr}; }

int TimeZone::OffsetAt(int64_t epoch_seconds) const {
  return rules != nullptr ? rules->OffsetAt(epoch_seconds) : offset_seconds;
}

bool IsValidCivilTime(const CivilTime& time) {
  std::chrono::year_month_day date{std::chrono::year{time.year}, std::chrono::month{time.month},
                                   std::chrono::day{time.day}};
  return date.ok() && time.hour >= 0 && time.hour <= 23 && time.minute >= 0 && time.minute <= 59 &&
         time.second >= 0 && time.second <= 59;
}

CivilTime ToCivilTime(int64_t epoch_seconds, const TimeZone& zone) {
  int64_t local_seconds = epoch_seconds + zone.OffsetAt(epoch_seconds);
  int64_t days = FloorDivide(local_seconds, kSecondsPerDay);
  int64_t second_of_day = local_seconds - days * kSecondsPerDay;
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  return CivilTime{static_cast<int>(date.year()),
                   static_cast<unsigned>(date.month()),
                   static_cast<unsigned>(date.day()),
                   static_cast<int>(second_of_day / 3600),
                   static_cast<int>(second_of_day / 60 % 60),
                   static_cast<int>(second_of_day % 60)};
}

int64_t ToEpochSeconds(const CivilTime& time, const TimeZone& zone) {
  int64_t local_seconds = DaysFromCivil(time.year, time.month, time.day) * kSecondsPerDay +
                          time.hour * 3600 + time.minute * 60 + time.second;
  if (zone.rules != nullptr) return zone.rules->ToEpochSeconds(local_seconds);
  return local_seconds - zone.offset_seconds;
}

Result<TimeZone> ParseTimeZone(std::string_view spec, const std::string& zoneinfo_directory) {
  if (EqualsIgnoreCase(spec, "Asia/Shanghai") || EqualsIgnoreCase(spec, "PRC")) {
    return TimeZone{std::string(spec), 8 * 3600, nullptr};
  }
  if (EqualsIgnoreCase(spec, "UTC") || EqualsIgnoreCase(spec, "GMT") || spec == "Z") {
    return TimeZone{std::string(spec), 0, nullptr};
  }
  std::string_view offset = spec;
  if (spec.size() > 3 &&
      (EqualsIgnoreCase(spec.substr(0, 3), "UTC") || EqualsIgnoreCase(spec.substr(0, 3), "GMT"))) {
    offset = spec.substr(3);
  }
  if (Result<int> seconds = ParseOffset(offset); seconds.ok()) {
    return TimeZone{std::string(spec), *seconds, nullptr};
  }
  Result<std::shared_ptr<const ZoneRules>> rules = ZoneRules::Load(spec, zoneinfo_directory);
  if (rules.ok()) return TimeZone{std::string(spec), 0, std::move(*rules)};
  if (rules.status().code() != StatusCode::kNotFound &&
      rules.status().code() != StatusCode::kInvalidArgument) {
    return rules.status();
  }
  return Status::InvalidArgument(
      "unknown time zone '" + std::string(spec) +
      "', expected a tz database name such as Asia/Shanghai or America/New_York, UTC, or a "
      "fixed offset such as UTC+8 or +08:00");
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
  CivilTime civil = MillisToCivil(epoch_millis, zone);
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d%02u%02u", civil.year, civil.month, civil.day);
  return buffer;
}

std::string FormatCompactDateTime(int64_t epoch_millis, const TimeZone& zone) {
  CivilTime civil = MillisToCivil(epoch_millis, zone);
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "%04d%02u%02u%02d%02d%02d", civil.year, civil.month,
                civil.day, civil.hour, civil.minute, civil.second);
  return buffer;
}

}  // namespace otsync::sync
