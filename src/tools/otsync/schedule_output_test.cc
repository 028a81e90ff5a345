#include "tools/otsync/schedule_output.h"

#include <gtest/gtest.h>

namespace otsync::tools {
namespace {

TEST(ScheduleOutputTest, WindowTextIsHalfOpenOrADash) {
  EXPECT_EQ(WindowText(
                {{"windowStart", "2025-11-01 10:25:00"}, {"windowEnd", "2025-11-01 10:30:00.500"}}),
            "[2025-11-01 10:25:00, 2025-11-01 10:30:00.500)");
  EXPECT_EQ(WindowText({{"windowStart", nullptr}, {"windowEnd", nullptr}}), "-");
  EXPECT_EQ(WindowText(nlohmann::json::object()), "-");
}

TEST(ScheduleOutputTest, InstanceListShowsSignalsAndMissingFields) {
  nlohmann::json killed = {{"id", 3},           {"task", "t"},  {"kind", "scheduled"},
                           {"state", "killed"}, {"attempt", 1}, {"exitStatus", 137}};
  std::string out = FormatInstanceList({{"instances", {killed}}});
  EXPECT_NE(out.find("137 (signal 9)"), std::string::npos) << out;
  EXPECT_NE(out.find("| - "), std::string::npos) << out;  // No scheduling time, no window.
  EXPECT_NE(out.find("(1 row)"), std::string::npos) << out;

  nlohmann::json retrying = {{"id", 4}, {"state", "waiting"}, {"attempt", 1}, {"exitStatus", 1}};
  nlohmann::json fresh = {{"id", 5}, {"state", "waiting"}, {"attempt", 0}, {"exitStatus", nullptr}};
  out = FormatInstanceList({{"instances", {retrying, fresh}}});
  EXPECT_NE(out.find("| waiting (retry) |"), std::string::npos) << out;
  EXPECT_NE(out.find("| waiting         |"), std::string::npos) << out;
}

TEST(ScheduleOutputTest, TaskDetailsListTheFieldsTheNextInstancesAndTheScript) {
  nlohmann::json task = {{"name", "orders"},
                         {"cycle", "minute 5 00:00-23:59"},
                         {"timeZone", "Asia/Shanghai"},
                         {"parameters", "a=1"},
                         {"rerunPolicy", "always"},
                         {"retryCount", 3},
                         {"retryIntervalSeconds", 120},
                         {"selfDependent", false},
                         {"frozen", true},
                         {"script", "{\"type\": \"job\"}"}};
  nlohmann::json preview = {{"instances",
                             {{{"schedulingTime", "2025-11-01 10:40:00"},
                               {"businessDate", "20251031"},
                               {"values", {{{"name", "a"}, {"value", "1"}}}},
                               {"windowStart", nullptr},
                               {"windowEnd", nullptr}}}}};
  std::string out = FormatTaskDetails(task, preview);
  EXPECT_TRUE(out.starts_with("name:           orders\ncycle:          minute 5 00:00-23:59\n"))
      << out;
  EXPECT_NE(out.find("retries:        3 every 120 s\n"), std::string::npos) << out;
  EXPECT_NE(out.find("frozen:         yes\n"), std::string::npos) << out;
  EXPECT_NE(out.find("2025-11-01 10:40:00 | 20251031      | -      | a=1"), std::string::npos)
      << out;
  EXPECT_TRUE(out.ends_with("script:\n{\"type\": \"job\"}\n")) << out;
}

TEST(ScheduleOutputTest, ProgressTotalsThenShards) {
  nlohmann::json progress = {
      {"type", "progress"},
      {"records", 1200},
      {"bytes", 96000},
      {"recordsPerSecond", 400},
      {"dirtyRecords", 0},
      {"dirtyLimitRecords", 10},
      {"shardsDone", 1},
      {"shardsTotal", 2},
      {"shards",
       {{{"id", "s1"}, {"state", "done"}, {"records", 900}, {"lagMillis", 0}},
        {{"id", "s2"}, {"state", "reading"}, {"records", 300}, {"lagMillis", 2500}}}}};
  EXPECT_EQ(FormatProgress(progress),
            "progress:       1200 records, 96000 bytes, 400 records/s, dirty 0 (limit 10), shards "
            "1/2 done\n  shard s1: done, 900 records, 0 s behind\n  shard s2: reading, 300 "
            "records, 2 s behind\n");
  EXPECT_EQ(FormatProgress(nullptr), "");
}

TEST(ScheduleOutputTest, TaskListOneLinePerTask) {
  nlohmann::json tasks = {{"tasks",
                           {{{"name", "a"}, {"cycle", "day 02:00"}, {"frozen", false}},
                            {{"name", "longer_name"}, {"cycle", "minute 5 00:00-23:59"}}}}};
  std::string out = FormatTaskList(tasks);
  EXPECT_NE(out.find("a           | day 02:00 "), std::string::npos) << out;
  EXPECT_NE(out.find("longer_name | minute 5 00:00-23:59"), std::string::npos) << out;
  EXPECT_NE(out.find("(2 rows)"), std::string::npos);
}

}  // namespace
}  // namespace otsync::tools
