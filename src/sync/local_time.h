// Calendar times as job scripts write them (yyyyMMddHHmmss, yyyyMMdd), read and written in a
// stated time zone. Zones are fixed UTC offsets: DataWorks runs in Asia/Shanghai (UTC+8, no
// daylight saving since 1991), which is the default wherever otsync needs a zone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace otsync::sync {

struct TimeZone {
  std::string name;  // As given, e.g. "Asia/Shanghai" or "UTC+08:00".
  int offset_seconds = 0;

  static TimeZone Shanghai();
  static TimeZone Utc();
};

// Accepts "Asia/Shanghai" (also "PRC"), "UTC", "GMT", "Z", and fixed offsets written as
// "UTC+8", "GMT+08:00", "+0800", "-05:30" (at most 14 hours).
Result<TimeZone> ParseTimeZone(std::string_view spec);

// yyyyMMddHHmmss (exactly 14 digits, every field in range) in `zone` -> Unix epoch millis.
// Unlike DataX's lenient SimpleDateFormat, "20171332000000" is rejected, not rolled over.
Result<int64_t> ParseCompactDateTime(std::string_view text, const TimeZone& zone);

// yyyyMMdd (exactly 8 digits) in `zone` -> epoch millis of that day's local midnight.
Result<int64_t> ParseCompactDate(std::string_view text, const TimeZone& zone);

std::string FormatCompactDate(int64_t epoch_millis, const TimeZone& zone);      // yyyyMMdd
std::string FormatCompactDateTime(int64_t epoch_millis, const TimeZone& zone);  // yyyyMMddHHmmss

}  // namespace otsync::sync
