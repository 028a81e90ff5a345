// The scheduler's parameter expressions (schedule/parameter_expression.h) and parameter lists
// (schedule/parameter_list.h). An input is a header line and the text:
//
//   ZONE EPOCH_SECONDS FLAGS\n$[yyyymmdd-1] ...
//
// ZONE is given to ParseTimeZone (tz database names, offsets, anything); EPOCH_SECONDS is the
// scheduling time (clamped to the years 0001-9999); FLAGS may hold 'b' (a backfill instance for
// that day), 'i' (the instance has job, node and task ids) and 'l' (the text is a parameter list,
// "a=$bizdate b=..."). Every error is InvalidArgument.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_checks.h"
#include "schedule/instance_times.h"
#include "schedule/parameter_expression.h"
#include "schedule/parameter_list.h"
#include "sync/local_time.h"

namespace {

using namespace otsync;

// Two days inside 0001-01-01 and 9999-12-31, so that the business date is in the calendar too.
constexpr int64_t kFirstSchedulingTime = -62'135'596'800 + 2 * 86'400;
constexpr int64_t kLastSchedulingTime = 253'402'300'799 - 2 * 86'400;

void CheckError(const Status& status) {
  fuzz::Check(status.code() == StatusCode::kInvalidArgument, "an error is not InvalidArgument",
              status.ToString());
}

// The next word of `*line`, up to a space.
std::string_view NextWord(std::string_view* line) {
  size_t end = line->find(' ');
  std::string_view word = line->substr(0, end);
  line->remove_prefix(end == std::string_view::npos ? line->size() : end + 1);
  return word;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  std::string_view header = input.substr(0, newline);
  const std::string_view text = input.substr(newline + 1);

  Result<sync::TimeZone> zone = sync::ParseTimeZone(NextWord(&header));
  if (!zone.ok()) return CheckError(zone.status()), 0;
  std::string_view epoch = NextWord(&header);
  int64_t scheduling_time = 1'742'054'400;  // 2025-03-15 16:00 UTC.
  std::from_chars(epoch.data(), epoch.data() + epoch.size(), scheduling_time);
  scheduling_time = std::clamp(scheduling_time, kFirstSchedulingTime, kLastSchedulingTime);
  const std::string_view flags = NextWord(&header);

  schedule::InstanceTimes times;
  if (flags.find('b') != std::string_view::npos) {
    sync::CivilTime day = sync::ToCivilTime(scheduling_time, *zone);
    times = schedule::BackfillInstance(day, day, *zone);
  } else {
    times = schedule::ScheduledInstance(scheduling_time, *zone);
  }
  if (flags.find('i') != std::string_view::npos) {
    times.job_id = "12";
    times.node_id = "34";
    times.task_id = "56";
  }
  if (flags.find('l') != std::string_view::npos) {
    Result<std::vector<schedule::Parameter>> parameters = schedule::ParseParameterList(text);
    if (!parameters.ok()) return CheckError(parameters.status()), 0;
    auto values = schedule::ResolveParameters(*parameters, times);
    if (!values.ok()) CheckError(values.status());
    return 0;
  }
  Result<std::string> value = schedule::ResolveExpression(text, times);
  if (!value.ok()) CheckError(value.status());
  return 0;
}
