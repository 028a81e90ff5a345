// Walks testdata/parameters.golden: one case a line,
//   scheduling time | zone | backfill date or - | expression | value, or "error: " message
// Adding a case is adding a line; a failure names the line.
#include "schedule/parameter_expression.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace otsync::schedule {
namespace {

constexpr char kGoldenFile[] = OTSYNC_SCHEDULE_TESTDATA_DIR "/parameters.golden";

std::string Trim(std::string_view text) {
  size_t start = text.find_first_not_of(' ');
  if (start == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(' ');
  return std::string(text.substr(start, end + 1 - start));
}

std::vector<std::string> SplitFields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t bar = line.find('|', start);
    fields.push_back(Trim(std::string_view(line).substr(start, bar - start)));
    if (bar == std::string::npos) return fields;
    start = bar + 1;
  }
}

// The instance a golden line describes.
Result<InstanceTimes> InstanceOf(const std::string& scheduling_time, const std::string& zone_name,
                                 const std::string& backfill) {
  OTSYNC_ASSIGN_OR_RETURN(sync::CivilTime wall_clock, ParseWallClockTime(scheduling_time));
  OTSYNC_ASSIGN_OR_RETURN(sync::TimeZone zone, sync::ParseTimeZone(zone_name));
  if (backfill == "-") return ScheduledInstance(sync::ToEpochSeconds(wall_clock, zone), zone);
  OTSYNC_ASSIGN_OR_RETURN(sync::CivilTime business_date, ParseBusinessDate(backfill));
  return BackfillInstance(business_date, wall_clock, zone);
}

TEST(ParameterExpressionGoldenTest, EveryLineResolvesAsWritten) {
  std::ifstream golden(kGoldenFile);
  ASSERT_TRUE(golden) << "cannot read " << kGoldenFile;
  int cases = 0;
  int line_number = 0;
  for (std::string line; std::getline(golden, line);) {
    ++line_number;
    if (Trim(line).empty() || Trim(line).front() == '#') continue;
    SCOPED_TRACE("parameters.golden:" + std::to_string(line_number) + ": " + line);
    std::vector<std::string> fields = SplitFields(line);
    ASSERT_EQ(fields.size(), 5u) << "a case has five fields separated by '|'";
    Result<InstanceTimes> instance = InstanceOf(fields[0], fields[1], fields[2]);
    ASSERT_TRUE(instance.ok()) << instance.status().message();
    // The expression field keeps inner spaces, so refused expressions can be written.
    Result<std::string> value = ResolveExpression(fields[3], *instance);
    const std::string& expected = fields[4];
    if (expected.starts_with("error: ")) {
      ASSERT_FALSE(value.ok()) << "resolved to " << *value;
      EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(value.status().message(), expected.substr(7));
    } else {
      ASSERT_TRUE(value.ok()) << value.status().message();
      EXPECT_EQ(*value, expected);
    }
    ++cases;
  }
  // A file that went missing or empty must not pass for an empty walk.
  EXPECT_GE(cases, 60);
}

TEST(ParameterExpressionTest, IdentifiersComeFromTheInstance) {
  InstanceTimes times = ScheduledInstance(0, sync::TimeZone::Utc());
  Result<std::string> missing = ResolveExpression("$jobid", times);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "$jobid has no value here: only a scheduled instance has one");
  times.job_id = "700";
  times.node_id = "701";
  times.task_id = "702";
  EXPECT_EQ(*ResolveExpression("j$jobid-n$nodeid-t$taskid", times), "j700-n701-t702");
}

}  // namespace
}  // namespace otsync::schedule
