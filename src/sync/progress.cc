#include "sync/progress.h"

#include <algorithm>
#include <cstdio>

namespace otsync::sync {

std::string FormatDataSize(int64_t bytes) {
  static constexpr struct {
    int64_t size;
    const char* unit;
  } kUnits[] = {
      {int64_t{1} << 40, "TB"}, {int64_t{1} << 30, "GB"}, {1 << 20, "MB"}, {1 << 10, "KB"}};
  for (const auto& unit : kUnits) {
    if (bytes / unit.size > 0) {
      char text[48];
      std::snprintf(text, sizeof(text), "%.2f%s",
                    static_cast<double>(bytes) / static_cast<double>(unit.size), unit.unit);
      return text;
    }
  }
  return std::to_string(bytes) + "B";
}

std::string FormatProgressLine(const JobProgress& previous, const JobProgress& current) {
  int64_t seconds = std::max<int64_t>(1, (current.micros - previous.micros) / 1'000'000);
  int64_t byte_speed = (current.bytes_read - previous.bytes_read) / seconds;
  int64_t record_speed = (current.records_read - previous.records_read) / seconds;
  std::string line =
      "Total " + std::to_string(current.records_read) + " records, " +
      std::to_string(current.bytes_read) + " bytes | Speed " + FormatDataSize(byte_speed) + "/s, " +
      std::to_string(record_speed) + " records/s | Error " + std::to_string(current.dirty_records) +
      " records, " + std::to_string(current.dirty_bytes) + " bytes | Shards " +
      std::to_string(current.tasks_done) + "/" + std::to_string(current.tasks_total) + " done";
  auto most_behind = std::max_element(
      current.lags.begin(), current.lags.end(),
      [](const TaskLag& a, const TaskLag& b) { return a.lag_millis < b.lag_millis; });
  if (most_behind != current.lags.end()) {
    char lag[32];
    std::snprintf(lag, sizeof(lag), "%.1fs", static_cast<double>(most_behind->lag_millis) / 1000);
    line += std::string(" | Lag max ") + lag + " (" + most_behind->task_id + ")";
  }
  double percentage = current.tasks_total > 0 ? 100.0 * static_cast<double>(current.tasks_done) /
                                                    static_cast<double>(current.tasks_total)
                                              : 0.0;
  char percent[32];
  std::snprintf(percent, sizeof(percent), " | Percentage %.2f%%", percentage);
  return line + percent;
}

}  // namespace otsync::sync
