// Calendar times as job scripts write them (yyyyMMddHHmmss, yyyyMMdd), read and written in a
// stated time zone. DataWorks runs in Asia/Shanghai (UTC+8, no daylight saving since 1991), which
// is the default wherever otsync needs a zone; it, UTC and fixed offsets need no zone files.
// Other regions ("America/New_York") come from the system's tz database (sync/zone_rules.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "sync/zone_rules.h"

namespace otsync::sync {

struct TimeZone {
  std::string name;                        // As given, e.g. "Asia/Shanghai" or "UTC+08:00".
  int offset_seconds = 0;                  // A fixed zone's offset; unused when `rules` is set.
  std::shared_ptr<const ZoneRules> rules;  // A tz database region; null for a fixed offset.

  static TimeZone Shanghai();  // Fixed UTC+8.
  static TimeZone Utc();

  // Seconds east of UTC at `epoch_seconds`.
  int OffsetAt(int64_t epoch_seconds) const;
};

// Accepts "Asia/Shanghai" (also "PRC"), "UTC", "GMT", "Z", fixed offsets written as "UTC+8",
// "GMT+08:00", "+0800", "-05:30" (at most 14 hours), and any region of the tz database found
// under `zoneinfo_directory` ("America/New_York", "Europe/London").
Result<TimeZone> ParseTimeZone(std::string_view spec,
                               const std::string& zoneinfo_directory = kSystemZoneInfoDirectory);

// A wall-clock time: a calendar date and a time of day, in no particular zone.
struct CivilTime {
  int year = 1970;
  unsigned month = 1;
  unsigned day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;

  bool operator==(const CivilTime&) const = default;
};

// Every field in range (February 29 only in leap years, no leap second).
bool IsValidCivilTime(const CivilTime& time);

CivilTime ToCivilTime(int64_t epoch_seconds, const TimeZone& zone);

// The instant `time` names in `zone`; a time the zone repeats names the earlier instant, one it
// skips is moved forward by the gap (ZoneRules::ToEpochSeconds). REQUIRED: IsValidCivilTime.
int64_t ToEpochSeconds(const CivilTime& time, const TimeZone& zone);

// yyyyMMddHHmmss (exactly 14 digits, every field in range) in `zone` -> Unix epoch millis.
// Unlike DataX's lenient SimpleDateFormat, "20171332000000" is rejected, not rolled over.
Result<int64_t> ParseCompactDateTime(std::string_view text, const TimeZone& zone);

// yyyyMMdd (exactly 8 digits) in `zone` -> epoch millis of that day's local midnight.
Result<int64_t> ParseCompactDate(std::string_view text, const TimeZone& zone);

std::string FormatCompactDate(int64_t epoch_millis, const TimeZone& zone);      // yyyyMMdd
std::string FormatCompactDateTime(int64_t epoch_millis, const TimeZone& zone);  // yyyyMMddHHmmss

}  // namespace otsync::sync
