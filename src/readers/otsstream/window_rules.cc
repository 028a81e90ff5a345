#include "readers/otsstream/window_rules.h"

#include <cstdio>
#include <ctime>

namespace otsync::readers::otsstream {

std::string FormatIsoMinuteUtc(int64_t epoch_millis) {
  // Floor division so that times before 1970 still name the minute they fall in.
  int64_t seconds = epoch_millis / 1000;
  if (epoch_millis % 1000 < 0) --seconds;
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[96];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02dZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min);
  return text;
}

Status CheckWindow(int64_t start_millis, int64_t end_millis, int64_t now_millis,
                   int64_t expiration_hours, const WindowMargins& margins) {
  const int64_t expiration_millis = expiration_hours * 3'600'000;
  const int64_t earliest_start = now_millis - expiration_millis + margins.before_expiration_millis;
  if (start_millis < earliest_start) {
    return Status::InvalidArgument("As expiration time is " + std::to_string(expiration_millis) +
                                   ", so the start timestamp must greater than " +
                                   FormatIsoMinuteUtc(earliest_start) + "(" +
                                   std::to_string(earliest_start) + ")");
  }
  const int64_t latest_end = now_millis - margins.after_end_millis;
  if (end_millis > latest_end) {
    return Status::InvalidArgument(
        "To avoid timing error between different machines, the end timestamp must smaller than " +
        FormatIsoMinuteUtc(latest_end) + "(" + std::to_string(latest_end) + ")");
  }
  return Status::OK();
}

}  // namespace otsync::readers::otsstream
