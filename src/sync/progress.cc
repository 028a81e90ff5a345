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

namespace {

// Speeds over the time since `previous`, at least one second, as DataX does.
int64_t ElapsedSeconds(const JobProgress& previous, const JobProgress& current) {
  return std::max<int64_t>(1, (current.micros - previous.micros) / 1'000'000);
}

const TaskLag* MostBehind(const JobProgress& progress) {
  auto most_behind = std::max_element(
      progress.lags.begin(), progress.lags.end(),
      [](const TaskLag& a, const TaskLag& b) { return a.lag_millis < b.lag_millis; });
  return most_behind == progress.lags.end() ? nullptr : &*most_behind;
}

std::string LagText(const TaskLag& lag) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1fs", static_cast<double>(lag.lag_millis) / 1000);
  return text;
}

}  // namespace

std::string FormatLiveProgressLine(const JobProgress& previous, const JobProgress& current,
                                   size_t columns) {
  const int64_t seconds = ElapsedSeconds(previous, current);
  std::vector<std::string> parts = {
      std::to_string(current.records_read) + " rec, " + FormatDataSize(current.bytes_read),
      std::to_string((current.records_read - previous.records_read) / seconds) + " rec/s, " +
          FormatDataSize((current.bytes_read - previous.bytes_read) / seconds) + "/s",
      std::to_string(current.dirty_records) + " err",
      "shards " + std::to_string(current.tasks_done) + "/" + std::to_string(current.tasks_total)};
  if (const TaskLag* lag = MostBehind(current)) {
    parts.push_back("lag " + LagText(*lag) + " (" + lag->task_id + ")");
  }
  const size_t width = std::max<size_t>(columns, 2) - 1;
  std::string line = parts[0].substr(0, width);
  for (size_t i = 1; i < parts.size(); ++i) {
    if (line.size() + 3 + parts[i].size() > width) break;
    line += " | " + parts[i];
  }
  return line;
}

std::string FormatProgressLine(const JobProgress& previous, const JobProgress& current) {
  int64_t seconds = ElapsedSeconds(previous, current);
  int64_t byte_speed = (current.bytes_read - previous.bytes_read) / seconds;
  int64_t record_speed = (current.records_read - previous.records_read) / seconds;
  double percentage = current.tasks_total > 0 ? 100.0 * static_cast<double>(current.tasks_done) /
                                                    static_cast<double>(current.tasks_total)
                                              : 0.0;
  // DataX's PerfTrace times ("0.109s") and its percentage.
  char waits_and_percentage[160];
  std::snprintf(waits_and_percentage, sizeof(waits_and_percentage),
                " |  All Task WaitWriterTime %.3fs |  All Task WaitReaderTime %.3fs | Percentage "
                "%.2f%%",
                static_cast<double>(current.wait_writer_micros) / 1e6,
                static_cast<double>(current.wait_reader_micros) / 1e6, percentage);
  std::string line = "Total " + std::to_string(current.records_read) + " records, " +
                     std::to_string(current.bytes_read) + " bytes | Speed " +
                     FormatDataSize(byte_speed) + "/s, " + std::to_string(record_speed) +
                     " records/s | Error " + std::to_string(current.dirty_records) + " records, " +
                     std::to_string(current.dirty_bytes) + " bytes" + waits_and_percentage +
                     " | Shards " + std::to_string(current.tasks_done) + "/" +
                     std::to_string(current.tasks_total) + " done";
  if (const TaskLag* lag = MostBehind(current)) {
    line += " | Lag max " + LagText(*lag) + " (" + lag->task_id + ")";
  }
  return line;
}

}  // namespace otsync::sync
