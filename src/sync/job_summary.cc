#include "sync/job_summary.h"

#include <algorithm>
#include <cstdio>

#include "sync/progress.h"

namespace otsync::sync {
namespace {

// yyyy-MM-dd HH:mm:ss
std::string FormatDateTime(int64_t micros, const TimeZone& zone) {
  std::string compact = FormatCompactDateTime(micros / 1000, zone);
  return compact.substr(0, 4) + "-" + compact.substr(4, 2) + "-" + compact.substr(6, 2) + " " +
         compact.substr(8, 2) + ":" + compact.substr(10, 2) + ":" + compact.substr(12, 2);
}

std::string Line(const char* format, const char* label, const std::string& value) {
  char line[256];
  std::snprintf(line, sizeof(line), format, label, value.c_str());
  return line;
}

}  // namespace

std::string FormatJobSummary(const JobSummary& summary, const TimeZone& zone) {
  int64_t transfer_seconds = std::max<int64_t>(1, summary.transfer_micros / 1'000'000);
  int64_t total_seconds = (summary.end_micros - summary.start_micros) / 1'000'000;
  int64_t records_ok = summary.records_read - summary.read_failed_records;
  std::string text;
  text += Line("%-26s: %-18s\n", "Job start time", FormatDateTime(summary.start_micros, zone));
  text += Line("%-26s: %-18s\n", "Job end time", FormatDateTime(summary.end_micros, zone));
  text += Line("%-26s: %19s\n", "Total time", std::to_string(total_seconds) + "s");
  text += Line("%-26s: %19s\n", "Average flow",
               FormatDataSize(summary.bytes_read / transfer_seconds) + "/s");
  text += Line("%-26s: %19s\n", "Write speed",
               std::to_string(std::max<int64_t>(0, records_ok) / transfer_seconds) + "rec/s");
  text += Line("%-26s: %19s\n", "Records read", std::to_string(summary.records_read));
  text += Line("%-26s: %19s\n", "Read/write failures", std::to_string(summary.dirty_records));
  if (!summary.destination.empty()) {
    text += "Destination               : " + summary.destination + "\n";
  }
  if (!summary.empty_window_note.empty()) {
    text += "No changes                : " + summary.empty_window_note + "\n";
  }
  return text;
}

std::string FormatCommittedWindowSummary(const std::string& window, int64_t rows,
                                         const std::string& destination) {
  std::string text;
  text += "Window                    : " + window + "\n";
  text += "Result                    : already committed, not written again\n";
  text += Line("%-26s: %19s\n", "Rows in the window", std::to_string(rows));
  if (!destination.empty()) text += "Destination               : " + destination + "\n";
  return text;
}

}  // namespace otsync::sync
