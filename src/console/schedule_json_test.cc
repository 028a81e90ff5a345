// The scheduler's objects in and out of the API's JSON: camelCase progress, task forms (required
// fields, defaults, partial updates, refused fields named), instance views on the task's wall
// clock, request times, backfill requests.
#include "console/schedule_json.h"

#include <gtest/gtest.h>

namespace otsync::console {
namespace {

using nlohmann::json;

const sync::TimeZone kShanghai = sync::TimeZone::Shanghai();

// 2025-11-01 10:30:00 in Shanghai.
constexpr int64_t kHalfPastTen = 1761964200;

schedule::Task SomeTask() {
  schedule::Task task;
  task.name = "person_sync";
  task.script = R"({"type": "job"})";
  task.parameters = "startTime=$[yyyymmddhh24miss-10/24/60]";
  task.cycle = *schedule::ParseCycle("minute 5");
  task.time_zone = "UTC";
  task.rerun_policy = schedule::RerunPolicy::kAfterFailure;
  task.retry_count = 1;
  task.retry_interval_seconds = 30;
  task.self_dependent = true;
  return task;
}

std::string ErrorOf(const Result<schedule::Task>& result) {
  return result.ok() ? "(accepted)" : result.status().message();
}

TEST(ScheduleJsonTest, CamelCaseAndProgressKeys) {
  EXPECT_EQ(CamelCase("dirty_limit_records"), "dirtyLimitRecords");
  EXPECT_EQ(CamelCase("records"), "records");
  EXPECT_EQ(CamelCase("window_already_committed"), "windowAlreadyCommitted");

  json progress =
      ProgressView(R"({"type":"progress","records_per_second":12,"dirty_limit_percentage":null,)"
                   R"("shards":[{"id":"s1","lag_millis":2000,"checkpoint_millis":5}]})");
  EXPECT_EQ(progress["recordsPerSecond"], 12);
  EXPECT_TRUE(progress.contains("dirtyLimitPercentage"));
  EXPECT_FALSE(progress.contains("records_per_second"));
  EXPECT_EQ(progress["shards"][0]["lagMillis"], 2000);
  EXPECT_EQ(progress["shards"][0]["checkpointMillis"], 5);
  EXPECT_EQ(progress["shards"][0]["id"], "s1");
  EXPECT_TRUE(ProgressView("").is_null());
  EXPECT_TRUE(ProgressView(R"({"type":"progr)").is_null());
  EXPECT_TRUE(ProgressView("[1, 2]").is_null());
}

TEST(ScheduleJsonTest, ATaskViewReadsBackAsTheSameTask) {
  schedule::Task task = SomeTask();
  json view = TaskView(task);
  EXPECT_EQ(view["cycle"], "minute 5 00:00-23:59");
  EXPECT_EQ(view["rerunPolicy"], "after-failure");
  EXPECT_EQ(view["timeZone"], "UTC");
  EXPECT_EQ(view["retryIntervalSeconds"], 30);
  EXPECT_EQ(view["selfDependent"], true);
  Result<schedule::Task> read = TaskFromForm(view, nullptr);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, task);
}

TEST(ScheduleJsonTest, ACreateNeedsNameScriptAndCycleAndDefaultsTheRest) {
  EXPECT_EQ(ErrorOf(TaskFromForm(json{{"script", "x"}, {"cycle", "day 01:00"}}, nullptr)),
            "name: required to create a task");
  EXPECT_EQ(ErrorOf(TaskFromForm(json{{"name", "t"}, {"cycle", "day 01:00"}}, nullptr)),
            "script: required to create a task");
  EXPECT_EQ(ErrorOf(TaskFromForm(json{{"name", "t"}, {"script", "x"}}, nullptr)),
            "cycle: required to create a task");

  Result<schedule::Task> task = TaskFromForm(
      json{{"name", "t"}, {"script", {{"type", "job"}}}, {"cycle", "day 01:00"}}, nullptr);
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  EXPECT_EQ(json::parse(task->script), (json{{"type", "job"}}));  // An object is kept as text.
  EXPECT_EQ(task->time_zone, "Asia/Shanghai");
  EXPECT_EQ(task->retry_count, 3);
  EXPECT_EQ(task->retry_interval_seconds, 120);
  EXPECT_EQ(task->rerun_policy, schedule::RerunPolicy::kAlways);
  EXPECT_FALSE(task->frozen);
}

TEST(ScheduleJsonTest, AFormNamesTheFieldItRefuses) {
  schedule::Task stored = SomeTask();
  auto refused = [&](json form) { return ErrorOf(TaskFromForm(form, &stored)); };
  EXPECT_EQ(refused({{"retry_count", 2}}).rfind("retry_count: not a field of a task", 0), 0u);
  EXPECT_EQ(refused({{"cycle", "fortnight 2"}}).rfind("cycle: ", 0), 0u);
  EXPECT_EQ(refused({{"rerunPolicy", "sometimes"}}).rfind("rerunPolicy: ", 0), 0u);
  EXPECT_EQ(refused({{"retryCount", 11}}), "retryCount: expected 0..10, got 11");
  EXPECT_EQ(refused({{"retryCount", "3"}}), "retryCount: expected an integer");
  EXPECT_EQ(refused({{"selfDependent", "yes"}}), "selfDependent: expected true or false");
  EXPECT_EQ(refused({{"script", 7}}), "script: expected a string");
}

TEST(ScheduleJsonTest, AnUpdateKeepsWhatTheFormLeavesOut) {
  schedule::Task stored = SomeTask();
  Result<schedule::Task> updated =
      TaskFromForm(json{{"cycle", "hour 2"}, {"frozen", true}}, &stored);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  schedule::Task expected = stored;
  expected.cycle = *schedule::ParseCycle("hour 2");
  expected.frozen = true;
  EXPECT_EQ(*updated, expected);
}

TEST(ScheduleJsonTest, AnInstanceShowsItsTimesOnTheTasksWallClock) {
  schedule::Instance instance;
  instance.id = 17;
  instance.task = "person_sync";
  instance.kind = schedule::InstanceKind::kBackfill;
  instance.scheduling_time = kHalfPastTen;
  instance.business_date = "20251031";
  instance.parameters = {{"startTime", "20251101102000"}};
  instance.window_start_millis = (kHalfPastTen - 600) * 1000;
  instance.window_end_millis = (kHalfPastTen - 300) * 1000 + 250;
  instance.state = schedule::InstanceState::kSucceeded;
  instance.attempt = 2;
  instance.pid = 4242;  // Of an attempt that ended: not shown.
  instance.created_micros = 1'761'964'200'123'456;
  instance.exit_status = 0;
  instance.summary = "Job completed";
  instance.progress = R"({"type":"final","records_written":3})";
  instance.backfill_id = 3;
  instance.log_path = "/data/logs/person_sync/17.log";

  json view = InstanceView(instance, kShanghai);
  EXPECT_EQ(view["schedulingTime"], "2025-11-01 10:30:00");
  EXPECT_EQ(view["schedulingEpoch"], kHalfPastTen);
  EXPECT_EQ(view["zone"], "Asia/Shanghai");
  EXPECT_EQ(view["kind"], "backfill");
  EXPECT_EQ(view["state"], "succeeded");
  EXPECT_EQ(view["parameters"], json::parse(R"([{"name":"startTime","value":"20251101102000"}])"));
  EXPECT_EQ(view["windowStart"], "2025-11-01 10:20:00");
  EXPECT_EQ(view["windowEnd"], "2025-11-01 10:25:00.250");
  EXPECT_EQ(view["windowEndMillis"], (kHalfPastTen - 300) * 1000 + 250);
  EXPECT_TRUE(view["pid"].is_null());
  EXPECT_EQ(view["createdMillis"], 1'761'964'200'123);
  EXPECT_TRUE(view["startedMillis"].is_null());
  EXPECT_EQ(view["exitStatus"], 0);
  EXPECT_EQ(view["killRequested"], false);
  EXPECT_EQ(view["progress"]["recordsWritten"], 3);
  EXPECT_EQ(view["backfillId"], 3);

  EXPECT_EQ(InstanceView(instance, sync::TimeZone::Utc())["schedulingTime"], "2025-11-01 02:30:00");
  instance.state = schedule::InstanceState::kRunning;
  instance.kill_requested_micros = 5;
  instance.window_start_millis.reset();
  instance.window_end_millis.reset();
  instance.exit_status.reset();
  view = InstanceView(instance, kShanghai);
  EXPECT_EQ(view["pid"], 4242);
  EXPECT_EQ(view["killRequested"], true);
  EXPECT_TRUE(view["windowStart"].is_null());
  EXPECT_TRUE(view["windowEndMillis"].is_null());
  EXPECT_TRUE(view["exitStatus"].is_null());
}

TEST(ScheduleJsonTest, ARequestTimeIsAWallClockOfTheZoneOrEpochSeconds) {
  json body = {{"wall", "2025-11-01 10:30:00"}, {"epoch", kHalfPastTen}, {"bad", "10:30"}};
  EXPECT_EQ(*TimeField(body, "wall", kShanghai), kHalfPastTen);
  EXPECT_EQ(*TimeField(body, "wall", sync::TimeZone::Utc()), kHalfPastTen + 8 * 3600);
  EXPECT_EQ(*TimeField(body, "epoch", kShanghai), kHalfPastTen);
  EXPECT_FALSE(TimeField(body, "absent", kShanghai)->has_value());
  Result<std::optional<int64_t>> bad = TimeField(body, "bad", kShanghai);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("bad: ", 0), 0u) << bad.status().message();
}

TEST(ScheduleJsonTest, ABackfillIsARangeOfTimesOrOfBusinessDates) {
  Result<schedule::BackfillRequest> times =
      BackfillRequestFromJson(json{{"task", "t"},
                                   {"from", "2025-11-01 00:00:00"},
                                   {"to", "2025-11-01 04:00:00"},
                                   {"parallelism", 3},
                                   {"reprocess", "failed"}},
                              kShanghai);
  ASSERT_TRUE(times.ok()) << times.status().ToString();
  EXPECT_EQ(times->task, "t");
  EXPECT_EQ(*times->from, kHalfPastTen - 10 * 3600 - 1800);
  EXPECT_EQ(*times->to - *times->from, 4 * 3600);
  EXPECT_EQ(times->parallelism, 3);
  EXPECT_EQ(times->reprocess, schedule::ReprocessPolicy::kFailedOnly);

  Result<schedule::BackfillRequest> dates = BackfillRequestFromJson(
      json{{"task", "t"}, {"firstBusinessDate", "20251030"}, {"lastBusinessDate", "20251031"}},
      kShanghai);
  ASSERT_TRUE(dates.ok()) << dates.status().ToString();
  EXPECT_EQ(dates->first_business_date, "20251030");
  EXPECT_FALSE(dates->from.has_value());
  EXPECT_EQ(dates->parallelism, 1);
  EXPECT_EQ(dates->reprocess, schedule::ReprocessPolicy::kNone);

  auto refused = [](json body) {
    Result<schedule::BackfillRequest> request = BackfillRequestFromJson(body, kShanghai);
    return request.ok() ? "(accepted)" : request.status().message();
  };
  EXPECT_EQ(refused({{"task", "t"}, {"from", 1}, {"to", 2}, {"firstBusinessDate", "20251030"}}),
            "give either from and to, or firstBusinessDate and lastBusinessDate, not both");
  EXPECT_EQ(refused({{"task", "t"}, {"from", 1}}), "to: required");
  EXPECT_EQ(refused({{"task", "t"}, {"firstBusinessDate", "20251030"}}),
            "lastBusinessDate: required");
  EXPECT_EQ(refused({{"task", "t"}, {"firstBusinessDate", "2025-10-30"}, {"lastBusinessDate", "x"}})
                .rfind("firstBusinessDate: ", 0),
            0u);
  EXPECT_EQ(refused({{"task", "t"}}).rfind("a backfill needs a range", 0), 0u);
  EXPECT_EQ(refused({{"from", 1}, {"to", 2}}), "task: required");
  EXPECT_EQ(refused({{"task", "t"}, {"from", 1}, {"to", 2}, {"parallelism", 65}}),
            "parallelism: expected 1..64, got 65");
  EXPECT_EQ(refused({{"task", "t"}, {"from", 1}, {"to", 2}, {"reprocess", "some"}})
                .rfind("reprocess: ", 0),
            0u);
  EXPECT_EQ(refused({{"task", "t"}, {"from", 1}, {"to", 2}, {"dryRun", true}})
                .rfind("dryRun: not a field of a backfill", 0),
            0u);
}

TEST(ScheduleJsonTest, ABackfillPlanListsEveryTimeAndWhetherItRuns) {
  schedule::BackfillPlan plan;
  plan.task = "t";
  plan.from = kHalfPastTen;
  plan.to = kHalfPastTen + 600;
  schedule::PlannedInstance fresh;
  fresh.values.scheduling_time = kHalfPastTen;
  fresh.values.business_date = "20251031";
  fresh.values.values = {{"bdp.system.bizdate", "20251031"}};
  schedule::PlannedInstance existing = fresh;
  existing.values.scheduling_time = kHalfPastTen + 300;
  existing.runs = false;
  existing.existing_instance = 9;
  existing.note = "instance 9 is succeeded; not reprocessed (reprocess none)";
  plan.instances = {fresh, existing};

  json view = BackfillPlanView(plan, kShanghai);
  EXPECT_EQ(view["from"], "2025-11-01 10:30:00");
  EXPECT_EQ(view["to"], "2025-11-01 10:40:00");
  EXPECT_EQ(view["toEpoch"], kHalfPastTen + 600);
  ASSERT_EQ(view["instances"].size(), 2u);
  EXPECT_EQ(view["instances"][0]["runs"], true);
  EXPECT_TRUE(view["instances"][0]["existingInstance"].is_null());
  EXPECT_EQ(view["instances"][1]["schedulingTime"], "2025-11-01 10:35:00");
  EXPECT_EQ(view["instances"][1]["runs"], false);
  EXPECT_EQ(view["instances"][1]["existingInstance"], 9);
  EXPECT_EQ(view["instances"][1]["values"][0]["name"], "bdp.system.bizdate");

  schedule::BackfillStarted started;
  started.backfill.id = 3;
  started.backfill.task = "t";
  started.backfill.from = plan.from;
  started.backfill.to = plan.to;
  started.backfill.parallelism = 2;
  started.backfill.reprocess = schedule::ReprocessPolicy::kAll;
  started.instance_ids = {41, 42};
  json answer = BackfillStartedView(started, kShanghai);
  EXPECT_EQ(answer["backfill"]["reprocess"], "all");
  EXPECT_EQ(answer["backfill"]["from"], "2025-11-01 10:30:00");
  EXPECT_EQ(answer["instanceIds"], json::parse("[41, 42]"));
}

}  // namespace
}  // namespace otsync::console
