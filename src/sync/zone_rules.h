// The UTC offsets of one region of the tz database (e.g. America/New_York), read from the
// system's compiled zone files (TZif, RFC 8536) under /usr/share/zoneinfo. The C++20
// std::chrono time-zone database is not in GCC 12's library, hence this small reader.
//
// Instants past the file's last transition follow the POSIX TZ rule in the file's footer
// ("EST5EDT,M3.2.0,M11.1.0"); only the month-week-day form of that rule is read (it is the one
// today's tz database writes), a footer in another form is refused when the file is loaded.
//
// Thread safety: a ZoneRules is immutable once loaded and may be shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace otsync::sync {

inline constexpr const char* kSystemZoneInfoDirectory = "/usr/share/zoneinfo";

class ZoneRules {
 public:
  // Reads `directory`/`name`. A name is letters, digits, '/', '_', '-' and '+' and does not
  // begin with '/' (no '.', so it cannot leave `directory`); kInvalidArgument otherwise,
  // kNotFound when there is no such zone.
  static Result<std::shared_ptr<const ZoneRules>> Load(std::string_view name,
                                                       const std::string& directory);

  // Parses the bytes of a TZif file (version 2 or later).
  static Result<ZoneRules> Parse(std::string_view bytes);

  // Seconds east of UTC at `epoch_seconds`.
  int OffsetAt(int64_t epoch_seconds) const;

  // The instant a wall-clock time in the zone names, `local_seconds` counted like epoch seconds
  // (days * 86400 + second of day). A wall-clock time that occurs twice (clocks turned back)
  // names the earlier instant; one that never occurs (clocks turned forward) is moved forward
  // by the length of the gap, so 02:30 on a spring-forward night in New York is 03:30 EDT.
  int64_t ToEpochSeconds(int64_t local_seconds) const;

  struct DaylightRule;  // The footer's daylight-saving rule, defined in zone_rules.cc.

 private:
  std::vector<int64_t> transitions_;   // Ascending epoch seconds.
  std::vector<int> offsets_after_;     // Offset from transitions_[i] on.
  int offset_before_transitions_ = 0;  // The file's first local time type.
  int footer_standard_offset_ = 0;     // After the last transition, outside daylight time.
  std::shared_ptr<const DaylightRule> footer_daylight_;  // Null: no daylight saving.
  bool has_footer_ = false;
};

}  // namespace otsync::sync
