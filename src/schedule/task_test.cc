#include "schedule/task.h"

#include <gtest/gtest.h>

#include <string>

#include "schedule/testing/test_plugins.h"

namespace otsync::schedule {
namespace {

// The seed's script, shortened, writing to the `odps` warehouse partition of the business date.
constexpr const char* kOtsStreamScript = R"({
  "type": "job", "version": "1.0",
  "configuration": {
    "reader": {"plugin": "otsstream", "parameter": {
      "datasource": "otsstream", "dataTable": "person", "statusTable": "status",
      "startTimeString": "${startTime}", "endTimeString": "${endTime}"}},
    "writer": {"plugin": "odps", "parameter": {
      "datasource": "odps_first", "table": "person", "truncate": true,
      "partition": "pt=${bdp.system.bizdate}",
      "column": ["id", "colname", "version", "colvalue", "optype", "sequenceinfo"]}},
    "setting": {"speed": {"concurrent": 2}}
  }
})";

int64_t At(const std::string& wall) {
  return sync::ToEpochSeconds(*ParseWallClockTime(wall), sync::TimeZone::Shanghai());
}

Task MinuteTask() {
  Task task;
  task.name = "person_sync";
  task.script = kOtsStreamScript;
  task.parameters = "startTime=$[yyyymmddhh24miss-10/24/60] endTime=$[yyyymmddhh24miss-5/24/60]";
  task.cycle = *ParseCycle("minute 5");
  task.self_dependent = true;
  return task;
}

TaskCheckOptions Now(const std::string& wall) {
  TaskCheckOptions options;
  options.plugins = &TestPlugins();
  options.now_seconds = At(wall);
  return options;
}

TEST(TaskTest, DefaultsAreTheDocumentedOnes) {
  Task task;
  EXPECT_EQ(task.time_zone, "Asia/Shanghai");
  EXPECT_EQ(task.retry_count, 3);
  EXPECT_EQ(task.retry_interval_seconds, 120);
  EXPECT_EQ(task.rerun_policy, RerunPolicy::kAlways);
}

TEST(TaskTest, TheDocumentedMinuteTaskIsAccepted) {
  Result<std::vector<std::string>> warnings =
      ValidateTask(MinuteTask(), Now("2025-11-01 02:31:00"));
  ASSERT_TRUE(warnings.ok()) << warnings.status().ToString();
  EXPECT_TRUE(warnings->empty());
}

TEST(TaskTest, ResolvesTheInstanceAsOtsyncRunWould) {
  InstanceTimes times = ScheduledInstance(At("2025-11-01 02:35:00"), sync::TimeZone::Shanghai());
  Result<ResolvedInstance> resolved = ResolveInstance(MinuteTask(), times, TestPlugins());
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->business_date, "20251031");
  EXPECT_EQ(resolved->values, (std::vector<std::pair<std::string, std::string>>{
                                  {"startTime", "20251101022500"},
                                  {"endTime", "20251101023000"},
                                  {"bdp.system.bizdate", "20251031"},
                                  {"bdp.system.cyctime", "20251101023500"}}));
  EXPECT_EQ(resolved->reader_plugin, "otsstream");
  EXPECT_EQ(*resolved->window_start_millis, At("2025-11-01 02:25:00") * 1000);
  EXPECT_EQ(*resolved->window_end_millis, At("2025-11-01 02:30:00") * 1000);
}

TEST(TaskTest, AParameterNamingTheBusinessDateWins) {
  Task task = MinuteTask();
  task.parameters += " bdp.system.bizdate=20200101";
  InstanceTimes times = ScheduledInstance(At("2025-11-01 02:35:00"), sync::TimeZone::Shanghai());
  Result<ResolvedInstance> resolved = ResolveInstance(task, times, TestPlugins());
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  ASSERT_EQ(resolved->values.size(), 4u);
  EXPECT_EQ(resolved->values[2],
            (std::pair<std::string, std::string>{"bdp.system.bizdate", "20200101"}));
}

void ExpectRefused(const Task& task, const std::string& message_part,
                   const std::string& now = "2025-11-01 02:31:00") {
  Result<std::vector<std::string>> warnings = ValidateTask(task, Now(now));
  ASSERT_FALSE(warnings.ok()) << "accepted; expected: " << message_part;
  EXPECT_NE(warnings.status().message().find(message_part), std::string::npos)
      << warnings.status().message();
}

TEST(TaskTest, WeekAndMonthCyclesAreRefusedForOtsStream) {
  Task task = MinuteTask();
  task.cycle = *ParseCycle("week mon 02:00");
  ExpectRefused(task, "a week cycle is not supported for the otsstream reader");
  task.cycle = *ParseCycle("month 1 02:00");
  ExpectRefused(task, "a month cycle is not supported for the otsstream reader");
}

TEST(TaskTest, ADailyCycleIsAcceptedWithTheDataLossWarning) {
  Task task = MinuteTask();
  task.cycle = *ParseCycle("day 00:30");
  task.parameters = "startTime=$[yyyymmddhh24miss-23/24] endTime=$[yyyymmddhh24miss-5/24/60]";
  Result<std::vector<std::string>> warnings = ValidateTask(task, Now("2025-11-01 02:31:00"));
  ASSERT_TRUE(warnings.ok()) << warnings.status().ToString();
  ASSERT_EQ(warnings->size(), 1u);
  EXPECT_NE(warnings->front().find("daily cycle may lose data"), std::string::npos);
}

TEST(TaskTest, AWindowEndingTooLateIsRefusedNamingTheEnd) {
  Task task = MinuteTask();
  task.parameters = "startTime=$[yyyymmddhh24miss-10/24/60] endTime=$[yyyymmddhh24miss-4/24/60]";
  ExpectRefused(task,
                "the next instance, scheduled 2025-11-01 02:35:00 Asia/Shanghai, reads the window "
                "[20251101022500, 20251101023100): its end (endTime) must be at least 5 minutes "
                "before the scheduling time");
}

TEST(TaskTest, AWindowStartingBeyondRetentionIsRefusedNamingTheStart) {
  Task task = MinuteTask();
  task.cycle = *ParseCycle("day 00:30");
  task.parameters = "startTime=$[yyyymmddhh24miss-1] endTime=$[yyyymmddhh24miss-5/24/60]";
  ExpectRefused(task, "its start (startTime) must be no earlier than 20251101004000");
  // Within retention + 10 minutes it passes.
  task.parameters = "startTime=$[yyyymmddhh24miss-1430/24/60] endTime=$[yyyymmddhh24miss-5/24/60]";
  EXPECT_TRUE(ValidateTask(task, Now("2025-11-01 02:31:00")).ok());
  // A longer retention accepts the whole day.
  task.parameters = "startTime=$[yyyymmddhh24miss-1] endTime=$[yyyymmddhh24miss-5/24/60]";
  TaskCheckOptions options = Now("2025-11-01 02:31:00");
  options.stream_retention_seconds = 48 * 3600;
  EXPECT_TRUE(ValidateTask(task, options).ok());
}

TEST(TaskTest, RefusesWhatCannotRun) {
  Task task = MinuteTask();
  task.parameters = "startTime=$[yyyymmddhh24miss-10/24/60]";
  ExpectRefused(task, "endTime");  // The script references ${endTime}.
  task = MinuteTask();
  task.parameters = "startTime=$[yyyy mm]";
  ExpectRefused(task, "startTime");
  task = MinuteTask();
  task.name = "has space";
  ExpectRefused(task, "task name 'has space'");
  task = MinuteTask();
  task.time_zone = "Mars/Olympus";
  ExpectRefused(task, "time zone");
  task = MinuteTask();
  task.retry_count = 11;
  ExpectRefused(task, "retries");
  task = MinuteTask();
  task.script = "{";
  ExpectRefused(task, "job script");
}

TEST(TaskTest, RerunPolicyNames) {
  for (RerunPolicy policy :
       {RerunPolicy::kAlways, RerunPolicy::kAfterFailure, RerunPolicy::kNever}) {
    EXPECT_EQ(*ParseRerunPolicy(RerunPolicyName(policy)), policy);
  }
  EXPECT_FALSE(ParseRerunPolicy("sometimes").ok());
}

}  // namespace
}  // namespace otsync::schedule
