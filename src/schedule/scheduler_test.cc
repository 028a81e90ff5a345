// The scheduler's logic with a manual clock and a fake launcher: generation and catch-up, the
// running limit, self-dependency, retries, kill, rerun, freeze, restart recovery, backfill plans,
// progress. scheduler_process_test.cc runs real child processes.
#include "schedule/scheduler.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "schedule/testing/fake_launcher.h"
#include "schedule/testing/test_plugins.h"

namespace otsync::schedule {
namespace {

int64_t At(const std::string& wall) {
  return sync::ToEpochSeconds(*ParseWallClockTime(wall), sync::TimeZone::Shanghai());
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scheduler_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    clock_ = std::make_shared<ManualClock>(At("2025-11-01 10:00:30") * 1'000'000);
    launcher_ = std::make_shared<FakeLauncher>();
    Reopen();
  }
  void TearDown() override {
    scheduler_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Reopen() {
    scheduler_.reset();
    SchedulerOptions options;
    options.plugins = &TestPlugins();
    options.plugins = &TestPlugins();
    options.clock = clock_;
    options.launcher = launcher_;
    options.otsync_binary = "/usr/bin/otsync";
    options.tick_micros = tick_micros_;
    options.log_retention_micros = log_retention_micros_;
    Result<std::unique_ptr<Scheduler>> opened = Scheduler::Open(dir_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    scheduler_ = std::move(*opened);
  }

  static Task MinuteTask(const std::string& name = "person_sync") {
    Task task;
    task.name = name;
    task.script = kStreamTaskScript;
    task.parameters = "startTime=$[yyyymmddhh24miss-10/24/60] endTime=$[yyyymmddhh24miss-5/24/60]";
    task.cycle = *ParseCycle("minute 5");
    task.retry_count = 0;
    return task;
  }

  void Create(const Task& task) {
    Result<TaskSaved> saved = scheduler_->CreateTask(task);
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  }

  void AdvanceTo(const std::string& wall) { clock_->SetMicros(At(wall) * 1'000'000); }
  void AdvanceSeconds(int64_t seconds) { clock_->AdvanceMicros(seconds * 1'000'000); }

  void Tick() { ASSERT_TRUE(scheduler_->Tick().ok()); }

  // "HH:MM state" of every instance, in scheduling-time order.
  std::vector<std::string> States() {
    std::vector<std::string> states;
    std::vector<Instance> instances = *scheduler_->ListInstances({});
    for (const Instance& instance : instances) {
      sync::CivilTime time =
          sync::ToCivilTime(instance.scheduling_time, sync::TimeZone::Shanghai());
      char text[64];
      std::snprintf(text, sizeof(text), "%02d:%02d %s", time.hour, time.minute,
                    std::string(InstanceStateName(instance.state)).c_str());
      states.push_back(text);
    }
    return states;
  }

  Instance InstanceAt(size_t index) { return scheduler_->ListInstances({})->at(index); }

  // Reopens with `retention_micros` of log retention, creates a task due daily at 10:05 and
  // starts its first instance (2025-11-01 10:05).
  void StartDailyTaskWithLogRetention(int64_t retention_micros) {
    log_retention_micros_ = retention_micros;
    Reopen();
    Task task = MinuteTask();
    task.cycle = *ParseCycle("day 10:05");
    Create(task);
    AdvanceTo("2025-11-01 10:05:00");
    Tick();
    ASSERT_EQ(launcher_->started.size(), 1u);
  }

  int64_t tick_micros_ = SchedulerOptions{}.tick_micros;
  int64_t log_retention_micros_ = SchedulerOptions{}.log_retention_micros;
  std::string dir_;
  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<FakeLauncher> launcher_;
  std::unique_ptr<Scheduler> scheduler_;
};

using Strings = std::vector<std::string>;

TEST_F(SchedulerTest, CatchesUpInOrderWithinTheRunningLimit) {
  Create(MinuteTask());
  Tick();
  EXPECT_TRUE(States().empty());  // The first instance is the next time after creation.
  AdvanceTo("2025-11-01 10:20:30");
  Tick();
  EXPECT_EQ(States(),
            (Strings{"10:05 running", "10:10 running", "10:15 waiting", "10:20 waiting"}));
  ASSERT_EQ(launcher_->started.size(), 2u);
  EXPECT_EQ(launcher_->Parameters(0),
            (Strings{"startTime=20251101095500", "endTime=20251101100000",
                     "bdp.system.bizdate=20251031", "bdp.system.cyctime=20251101100500"}));
  const Instance first = InstanceAt(0);
  EXPECT_EQ(launcher_->started[0].second.argv[1], "run");
  EXPECT_EQ(launcher_->started[0].second.argv[2],
            dir_ + "/jobs/person_sync/" + std::to_string(first.id) + ".json");
  EXPECT_EQ(launcher_->Argument(0, "--data-dir"), dir_);
  EXPECT_EQ(first.log_path, dir_ + "/logs/person_sync/" + std::to_string(first.id) + ".log");
  EXPECT_EQ(*first.window_end_millis, At("2025-11-01 10:00:00") * 1000);
  std::ifstream job(launcher_->started[0].second.argv[2]);
  std::string script((std::istreambuf_iterator<char>(job)), std::istreambuf_iterator<char>());
  EXPECT_EQ(script, kStreamTaskScript);
  // A script may carry an access key: its file is the owner's alone.
  EXPECT_EQ(std::filesystem::status(launcher_->started[0].second.argv[2]).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  launcher_->Exit(launcher_->started[1].first, 0);
  Tick();
  EXPECT_EQ(States(),
            (Strings{"10:05 running", "10:10 succeeded", "10:15 running", "10:20 waiting"}));
  EXPECT_EQ(InstanceAt(1).exit_status, 0);
}

// The slot of a child that ends goes to the next waiting instance at once, not at the next tick.
TEST_F(SchedulerTest, AChildThatEndsFreesItsSlotBeforeTheNextTick) {
  tick_micros_ = 60'000'000;
  Reopen();
  Create(MinuteTask());
  AdvanceTo("2025-11-01 10:20:30");
  ASSERT_TRUE(scheduler_->Start().ok());
  auto running = [&] {
    int count = 0;
    const std::vector<Instance> instances = *scheduler_->ListInstances({});
    for (const Instance& instance : instances) {
      count += instance.state == InstanceState::kRunning;
    }
    return count;
  };
  auto wait_until = [&](const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return done();
  };
  ASSERT_TRUE(wait_until([&] { return running() == 2; }));
  const int64_t first_pid = InstanceAt(0).pid;
  ASSERT_GT(first_pid, 0);

  const auto exited = std::chrono::steady_clock::now();
  launcher_->Exit(first_pid, 0);
  ASSERT_TRUE(wait_until([&] { return States()[2] == "10:15 running"; })) << States()[2];
  // Well inside the minute-long tick: the exit woke the scheduler.
  EXPECT_LT(std::chrono::steady_clock::now() - exited, std::chrono::seconds(5));
  EXPECT_EQ(States(),
            (Strings{"10:05 succeeded", "10:10 running", "10:15 running", "10:20 waiting"}));
}

TEST_F(SchedulerTest, ASelfDependentInstanceWaitsForItsPredecessorToSucceed) {
  Task task = MinuteTask();
  task.self_dependent = true;
  Create(task);
  AdvanceTo("2025-11-01 10:15:30");
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 running", "10:10 waiting", "10:15 waiting"}));
  launcher_->Exit(launcher_->started[0].first, 1);
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 failed", "10:10 waiting", "10:15 waiting"}));
  AdvanceSeconds(3600);
  Tick();
  EXPECT_EQ(launcher_->started.size(), 1u);  // Blocked behind the failure.

  ASSERT_TRUE(scheduler_->Rerun(InstanceAt(0).id).ok());
  Tick();
  launcher_->Exit(launcher_->started[1].first, 0);
  Tick();
  EXPECT_EQ(States()[0], "10:05 succeeded");
  EXPECT_EQ(States()[1], "10:10 running");
  EXPECT_EQ(States()[2], "10:15 waiting");
  // The rerun ran with the values fixed at generation, not the later clock's.
  EXPECT_EQ(launcher_->Parameters(1), launcher_->Parameters(0));
}

TEST_F(SchedulerTest, RetriesAFailedAttemptAfterTheInterval) {
  Task task = MinuteTask();
  task.retry_count = 2;
  task.retry_interval_seconds = 120;
  Create(task);
  AdvanceTo("2025-11-01 10:05:00");
  Tick();
  launcher_->Exit(launcher_->started[0].first, 1);
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 waiting"}));
  AdvanceSeconds(119);
  Tick();
  EXPECT_EQ(launcher_->started.size(), 1u);
  AdvanceSeconds(1);
  Tick();
  ASSERT_EQ(launcher_->started.size(), 2u);
  launcher_->Exit(launcher_->started[1].first, 1);
  Tick();
  AdvanceSeconds(120);
  Tick();
  ASSERT_EQ(launcher_->started.size(), 3u);
  EXPECT_EQ(InstanceAt(0).attempt, 3);
  launcher_->Exit(launcher_->started[2].first, 1);
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 failed"}));
  EXPECT_EQ(InstanceAt(0).exit_status, 1);
  // The log tells each attempt's end, the last one's too.
  Result<LogChunk> log = scheduler_->ReadLog(InstanceAt(0).id, 0, 1 << 20);
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->data.find("=== attempt 1 failed with exit status 1; retry 1 of 2 at "),
            std::string::npos)
      << log->data;
  EXPECT_NE(log->data.find("=== attempt 3 failed with exit status 1 at 2025-11-01 10:09:00 "
                           "+08:00; no retry left ==="),
            std::string::npos)
      << log->data;
}

// A task whose rerun policy is never is not rerun automatically either: its retries do not apply.
TEST_F(SchedulerTest, ATaskThatMayNeverRerunIsNotRetried) {
  Task task = MinuteTask();
  task.retry_count = 3;
  task.rerun_policy = RerunPolicy::kNever;
  Create(task);
  AdvanceTo("2025-11-01 10:05:00");
  Tick();
  launcher_->Exit(launcher_->started[0].first, 1);
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 failed"}));
  AdvanceSeconds(240);  // Twice the retry interval; the next instance is due at 10:10.
  Tick();
  EXPECT_EQ(launcher_->started.size(), 1u);
  Result<LogChunk> log = scheduler_->ReadLog(InstanceAt(0).id, 0, 1 << 20);
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->data.find("failed with exit status 1 at 2025-11-01 10:05:00 +08:00; the task's "
                           "rerun policy is never: no retry ==="),
            std::string::npos)
      << log->data;
}

TEST_F(SchedulerTest, KillSendsTermThenKillAfterTheGracePeriod) {
  Create(MinuteTask());
  AdvanceTo("2025-11-01 10:10:00");
  Tick();
  launcher_->ignore_term = true;
  const Instance running = InstanceAt(0);
  ASSERT_TRUE(scheduler_->Kill(running.id).ok());
  EXPECT_EQ(launcher_->signals.back(), (std::pair<int64_t, int>{running.pid, SIGTERM}));
  AdvanceSeconds(4);
  Tick();
  EXPECT_EQ(launcher_->signals.size(), 1u);
  AdvanceSeconds(1);
  Tick();
  EXPECT_EQ(launcher_->signals.back(), (std::pair<int64_t, int>{running.pid, SIGKILL}));
  Tick();
  EXPECT_EQ(States()[0], "10:05 killed");
  EXPECT_EQ(InstanceAt(0).exit_status, 128 + SIGKILL);
  Result<LogChunk> killed_log = scheduler_->ReadLog(InstanceAt(0).id, 0, 1 << 20);
  ASSERT_TRUE(killed_log.ok());
  EXPECT_NE(killed_log->data.find("=== attempt 1 killed (exit status 137) at 2025-11-01 10:10:05 "
                                  "+08:00 ==="),
            std::string::npos)
      << killed_log->data;

  // A finished instance cannot be killed; a waiting one is killed at once, and its log says so.
  EXPECT_FALSE(scheduler_->Kill(InstanceAt(0).id).ok());
  Result<Instance> waiting = scheduler_->RunNow("person_sync", At("2025-11-01 09:00:00"));
  ASSERT_TRUE(waiting.ok());
  ASSERT_TRUE(scheduler_->Kill(waiting->id).ok());
  EXPECT_EQ(scheduler_->GetInstance(waiting->id)->state, InstanceState::kKilled);
  Result<LogChunk> waiting_log = scheduler_->ReadLog(waiting->id, 0, 1 << 20);
  ASSERT_TRUE(waiting_log.ok());
  EXPECT_NE(waiting_log->data.find("=== killed before it ran, at 2025-11-01 10:10:05 +08:00 ==="),
            std::string::npos)
      << waiting_log->data;
  launcher_->ignore_term = false;  // The second instance ends at once when the test closes.
}

TEST_F(SchedulerTest, FreezeHoldsInstancesAndTasks) {
  Create(MinuteTask());
  AdvanceTo("2025-11-01 10:05:00");
  ASSERT_TRUE(scheduler_->SetTaskFrozen("person_sync", true).ok());
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 frozen"}));  // Generated frozen.
  ASSERT_TRUE(scheduler_->Unfreeze(InstanceAt(0).id).ok());
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 waiting"}));  // The task is still frozen.
  ASSERT_TRUE(scheduler_->SetTaskFrozen("person_sync", false).ok());
  ASSERT_TRUE(scheduler_->Freeze(InstanceAt(0).id).ok());
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 frozen"}));
  EXPECT_FALSE(scheduler_->Freeze(InstanceAt(0).id).ok());
  ASSERT_TRUE(scheduler_->Unfreeze(InstanceAt(0).id).ok());
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 running"}));
  EXPECT_FALSE(scheduler_->Freeze(InstanceAt(0).id).ok());
  ASSERT_TRUE(scheduler_->Kill(InstanceAt(0).id).ok());
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 killed"}));
}

TEST_F(SchedulerTest, RerunFollowsTheTasksPolicy) {
  Task task = MinuteTask();
  task.rerun_policy = RerunPolicy::kAfterFailure;
  Create(task);
  AdvanceTo("2025-11-01 10:10:00");
  Tick();
  launcher_->Exit(launcher_->started[0].first, 0);
  launcher_->Exit(launcher_->started[1].first, 1);
  Tick();
  EXPECT_EQ(States(), (Strings{"10:05 succeeded", "10:10 failed"}));
  Result<Instance> refused = scheduler_->Rerun(InstanceAt(0).id);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("only after a failure"), std::string::npos);
  ASSERT_TRUE(scheduler_->Rerun(InstanceAt(1).id).ok());
  EXPECT_FALSE(scheduler_->Rerun(InstanceAt(1).id).ok());  // Waiting: not finished.

  task.rerun_policy = RerunPolicy::kNever;
  ASSERT_TRUE(scheduler_->UpdateTask(task).ok());
  Tick();
  launcher_->Exit(launcher_->started[2].first, 1);
  Tick();
  EXPECT_FALSE(scheduler_->Rerun(InstanceAt(1).id).ok());
}

TEST_F(SchedulerTest, AfterARestartARunningInstanceRunsAgainOnce) {
  Create(MinuteTask());
  AdvanceTo("2025-11-01 10:05:00");
  Tick();
  const Instance running = InstanceAt(0);
  ASSERT_EQ(running.state, InstanceState::kRunning);
  ASSERT_EQ(running.attempt, 1);
  // What a server killed with SIGKILL leaves behind: the instance recorded running, its child
  // alive as an orphan. (Closing the scheduler ends the child and records the instance waiting;
  // the store is then put back as the killed server left it.)
  scheduler_.reset();
  {
    Result<std::unique_ptr<ScheduleStore>> store = ScheduleStore::Open(dir_ + "/schedule.sqlite");
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->UpdateInstance(running).ok());
  }
  launcher_->orphans.insert(running.pid);
  Reopen();
  EXPECT_EQ(launcher_->signals.back(), (std::pair<int64_t, int>{running.pid, SIGKILL}));
  Instance recovered = InstanceAt(0);
  EXPECT_EQ(recovered.state, InstanceState::kWaiting);
  EXPECT_EQ(recovered.attempt, 0);
  Tick();
  EXPECT_EQ(launcher_->started.size(), 2u);
  EXPECT_EQ(InstanceAt(0).attempt, 1);
  EXPECT_EQ(launcher_->Parameters(1), launcher_->Parameters(0));
}

TEST_F(SchedulerTest, CatchUpAfterDowntimeGeneratesEveryMissedInstanceOnce) {
  Create(MinuteTask());
  AdvanceTo("2025-11-01 10:05:00");
  Tick();
  launcher_->Exit(launcher_->started[0].first, 0);
  Tick();
  scheduler_->Stop();
  Reopen();
  AdvanceTo("2025-11-01 10:30:00");
  Tick();
  Tick();
  Strings states = States();
  ASSERT_EQ(states.size(), 6u);
  EXPECT_EQ(states.front(), "10:05 succeeded");
  EXPECT_EQ(states.back(), "10:30 waiting");
}

TEST_F(SchedulerTest, AnHourlyBackfillFromMidnightToFourIsFourHalfOpenWindows) {
  Task task = MinuteTask();
  task.cycle = *ParseCycle("hour 1 00:00-23:59");
  task.parameters = "startTime=$[yyyymmddhh24miss-65/24/60] endTime=$[yyyymmddhh24miss-5/24/60]";
  Create(task);
  BackfillRequest request;
  request.task = task.name;
  request.from = At("2025-11-01 00:00:00");
  request.to = At("2025-11-01 04:00:00");
  Result<BackfillPlan> plan = scheduler_->PlanBackfill(request);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->instances.size(), 4u);
  Strings windows;
  for (const PlannedInstance& planned : plan->instances) {
    EXPECT_TRUE(planned.runs);
    windows.push_back(
        sync::FormatCompactDateTime(planned.values.scheduling_time * 1000,
                                    sync::TimeZone::Shanghai()) +
        " [" +
        sync::FormatCompactDateTime(*planned.values.window_start_millis,
                                    sync::TimeZone::Shanghai()) +
        ", " +
        sync::FormatCompactDateTime(*planned.values.window_end_millis, sync::TimeZone::Shanghai()) +
        ")");
  }
  EXPECT_EQ(windows, (Strings{"20251101000000 [20251031225500, 20251031235500)",
                              "20251101010000 [20251031235500, 20251101005500)",
                              "20251101020000 [20251101005500, 20251101015500)",
                              "20251101030000 [20251101015500, 20251101025500)"}));
  EXPECT_EQ(plan->instances[0].values.business_date, "20251031");

  // Serial: one at a time, in order, beside the running limit of 2.
  Result<BackfillStarted> started = scheduler_->StartBackfill(request);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  ASSERT_EQ(started->instance_ids.size(), 4u);
  Tick();
  ASSERT_EQ(launcher_->started.size(), 1u);
  EXPECT_EQ(launcher_->Parameters(0)[0], "startTime=20251031225500");
  launcher_->Exit(launcher_->started[0].first, 1);
  Tick();
  ASSERT_EQ(launcher_->started.size(), 2u);
  EXPECT_EQ(launcher_->Parameters(1)[0], "startTime=20251031235500");

  // Reprocess policies over the same range.
  request.reprocess = ReprocessPolicy::kNone;
  plan = scheduler_->PlanBackfill(request);
  ASSERT_TRUE(plan.ok());
  for (const PlannedInstance& planned : plan->instances) EXPECT_FALSE(planned.runs);
  request.reprocess = ReprocessPolicy::kFailedOnly;
  plan = scheduler_->PlanBackfill(request);
  EXPECT_TRUE(plan->instances[0].runs);   // Failed.
  EXPECT_FALSE(plan->instances[1].runs);  // Running.
  EXPECT_NE(plan->instances[1].note.find("is running"), std::string::npos);
}

TEST_F(SchedulerTest, ABackfillOfBusinessDatesRunsTheFollowingDaysInParallel) {
  Task task = MinuteTask();
  task.cycle = *ParseCycle("hours 0,12 :10");
  Create(task);
  BackfillRequest request;
  request.task = task.name;
  request.first_business_date = "20251030";
  request.last_business_date = "20251031";
  request.parallelism = 3;
  Result<BackfillPlan> plan = scheduler_->PlanBackfill(request);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->instances.size(), 4u);
  EXPECT_EQ(plan->instances[0].values.scheduling_time, At("2025-10-31 00:10:00"));
  EXPECT_EQ(plan->instances[3].values.scheduling_time, At("2025-11-01 12:10:00"));
  EXPECT_EQ(plan->instances[3].values.business_date, "20251031");
  ASSERT_TRUE(scheduler_->StartBackfill(request).ok());
  Tick();
  EXPECT_EQ(launcher_->started.size(), 2u);  // The global limit is below the parallelism.
}

TEST_F(SchedulerTest, ProgressReachesTheInstanceAndSubscribers) {
  Create(MinuteTask());
  std::vector<InstanceEvent> events;
  std::mutex events_mutex;
  int subscription = scheduler_->SubscribeProgress([&](const InstanceEvent& event) {
    std::lock_guard lock(events_mutex);
    events.push_back(event);
  });
  AdvanceTo("2025-11-01 10:05:00");
  Tick();
  const std::string progress_path = launcher_->Argument(0, "--progress-file");
  {
    std::ofstream file(progress_path, std::ios::app);
    file << R"({"type":"progress","records":1})"
         << "\n"
         << R"({"type":"progress","records":7})"
         << "\n"
         << R"({"type":"progr)";  // Half a line: not read yet.
  }
  Tick();
  EXPECT_EQ(InstanceAt(0).progress, R"({"type":"progress","records":7})");
  {
    std::ofstream file(progress_path, std::ios::app);
    file << R"(ess","records":9})"
         << "\n";
  }
  launcher_->Exit(launcher_->started[0].first, 0);
  Tick();
  EXPECT_EQ(InstanceAt(0).progress, R"({"type":"progress","records":9})");
  scheduler_->Unsubscribe(subscription);
  std::lock_guard lock(events_mutex);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].state, InstanceState::kWaiting);  // Generated: lists show it at once.
  EXPECT_EQ(events[0].instance_id, InstanceAt(0).id);
  EXPECT_EQ(events[1].state, InstanceState::kRunning);
  EXPECT_EQ(events[2].progress, R"({"type":"progress","records":7})");
  EXPECT_EQ(events[3].state, InstanceState::kSucceeded);
}

TEST_F(SchedulerTest, ReadLogByOffsetAndRunNow) {
  Create(MinuteTask());
  Result<Instance> now = scheduler_->RunNow("person_sync", At("2025-11-01 09:00:00"));
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(now->kind, InstanceKind::kManual);
  Tick();
  ASSERT_EQ(launcher_->started.size(), 1u);
  EXPECT_EQ(launcher_->Parameters(0)[0], "startTime=20251101085000");
  {
    std::ofstream log(now->log_path, std::ios::app);
    log << "Job completed successfully.\n";
  }
  Result<LogChunk> whole = scheduler_->ReadLog(now->id, 0, 1 << 20);
  ASSERT_TRUE(whole.ok());
  EXPECT_NE(whole->data.find("=== attempt 1 of instance"), std::string::npos);
  EXPECT_FALSE(whole->finished);
  Result<LogChunk> tail = scheduler_->ReadLog(now->id, whole->size - 10, 4);
  EXPECT_EQ(tail->data, "essf");
  EXPECT_EQ(tail->next_offset, whole->size - 6);
}

// A finished instance's files go once it has been finished for the retention: its record stays,
// its log reads as deleted, and a rerun writes a new log. A younger one keeps its files.
TEST_F(SchedulerTest, LogRetentionDeletesTheFilesOfInstancesFinishedLongAgo) {
  StartDailyTaskWithLogRetention(24LL * 3600 * 1'000'000);
  const Instance old = InstanceAt(0);
  const std::string job_file = dir_ + "/jobs/person_sync/" + std::to_string(old.id) + ".json";
  ASSERT_TRUE(std::filesystem::exists(old.log_path));
  ASSERT_TRUE(std::filesystem::exists(job_file));
  launcher_->Exit(launcher_->started[0].first, 0);
  Tick();
  AdvanceTo("2025-11-02 10:05:00");  // The next day's instance; the first is 24 h old, not more.
  Tick();
  ASSERT_EQ(launcher_->started.size(), 2u);
  launcher_->Exit(launcher_->started[1].first, 1);
  Tick();
  EXPECT_TRUE(std::filesystem::exists(old.log_path));

  // The first finished 24 h 11 min ago, the second 11 min ago; the scheduler last looked at
  // 10:05, and looks again 10 minutes later.
  AdvanceTo("2025-11-02 10:16:00");
  Tick();
  EXPECT_FALSE(std::filesystem::exists(old.log_path));
  EXPECT_FALSE(std::filesystem::exists(job_file));
  const Instance kept = InstanceAt(0);
  EXPECT_EQ(kept.state, InstanceState::kSucceeded);  // The record stays.
  EXPECT_TRUE(kept.log_path.empty());
  Result<LogChunk> deleted = scheduler_->ReadLog(old.id, 0, 1 << 20);
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.status().code(), StatusCode::kNotFound);
  EXPECT_NE(deleted.status().message().find("was deleted"), std::string::npos);
  EXPECT_NE(deleted.status().message().find("1 days"), std::string::npos);
  const Instance young = InstanceAt(1);
  EXPECT_TRUE(std::filesystem::exists(young.log_path));
  EXPECT_TRUE(scheduler_->ReadLog(young.id, 0, 1 << 20).ok());

  ASSERT_TRUE(scheduler_->Rerun(old.id).ok());
  Tick();
  ASSERT_EQ(launcher_->started.size(), 3u);
  Result<LogChunk> rerun_log = scheduler_->ReadLog(old.id, 0, 1 << 20);
  ASSERT_TRUE(rerun_log.ok()) << rerun_log.status().ToString();
  EXPECT_NE(rerun_log->data.find("of instance " + std::to_string(old.id) + " (task person_sync"),
            std::string::npos)
      << rerun_log->data;
}

// With a retention of 0 nothing is deleted, however old.
TEST_F(SchedulerTest, LogRetentionZeroKeepsEveryLog) {
  StartDailyTaskWithLogRetention(0);
  launcher_->Exit(launcher_->started[0].first, 0);
  Tick();
  ASSERT_TRUE(scheduler_->SetTaskFrozen("person_sync", true).ok());
  AdvanceTo("2026-11-01 10:05:00");
  Tick();
  EXPECT_TRUE(std::filesystem::exists(InstanceAt(0).log_path));
  EXPECT_TRUE(scheduler_->ReadLog(InstanceAt(0).id, 0, 1 << 20).ok());
}

// The scheduler's own log lines give the time in the task's zone, with that zone's offset; each
// run is told that zone, so that it reads the values resolved in it (yyyyMMddHHmmss) in it too.
TEST_F(SchedulerTest, LogLinesShowTheTasksTimeZoneAndTheRunIsToldIt) {
  Task shanghai = MinuteTask("in_shanghai");
  Create(shanghai);
  Task utc = MinuteTask("in_utc");
  utc.time_zone = "UTC";
  Create(utc);
  Result<Instance> first = scheduler_->RunNow("in_shanghai", At("2025-11-01 09:00:00"));
  Result<Instance> second = scheduler_->RunNow("in_utc", At("2025-11-01 09:00:00"));
  ASSERT_TRUE(first.ok() && second.ok());
  Tick();
  ASSERT_EQ(launcher_->started.size(), 2u);
  Result<LogChunk> shanghai_log = scheduler_->ReadLog(first->id, 0, 1 << 20);
  Result<LogChunk> utc_log = scheduler_->ReadLog(second->id, 0, 1 << 20);
  ASSERT_TRUE(shanghai_log.ok() && utc_log.ok());
  EXPECT_NE(shanghai_log->data.find("started at 2025-11-01 10:00:30 +08:00 ==="), std::string::npos)
      << shanghai_log->data;
  EXPECT_NE(utc_log->data.find("started at 2025-11-01 02:00:30 +00:00 ==="), std::string::npos)
      << utc_log->data;
  EXPECT_EQ(launcher_->Argument(0, "--time-zone"), "Asia/Shanghai");
  EXPECT_EQ(launcher_->Argument(1, "--time-zone"), "UTC");
}

TEST_F(SchedulerTest, RunNowWithCustomParametersKeepsThemThroughARerunAndARestart) {
  Create(MinuteTask());
  std::vector<int64_t> heard;
  std::mutex heard_mutex;
  int subscription = scheduler_->SubscribeProgress([&](const InstanceEvent& event) {
    std::lock_guard lock(heard_mutex);
    if (event.state == InstanceState::kWaiting) heard.push_back(event.instance_id);
  });
  Result<Instance> custom = scheduler_->RunNow("person_sync", At("2025-11-01 09:00:00"),
                                               "endTime=20251101000000 startTime=20251031230000");
  ASSERT_TRUE(custom.ok()) << custom.status().ToString();
  EXPECT_EQ(custom->custom_parameters, "endTime=20251101000000 startTime=20251031230000");
  // The task's order is kept; the window follows the custom values.
  const Strings expected = {"startTime=20251031230000", "endTime=20251101000000",
                            "bdp.system.bizdate=20251031", "bdp.system.cyctime=20251101090000"};
  EXPECT_EQ(*custom->window_start_millis, At("2025-10-31 23:00:00") * 1000);
  EXPECT_EQ(*custom->window_end_millis, At("2025-11-01 00:00:00") * 1000);
  scheduler_->Unsubscribe(subscription);
  EXPECT_EQ(heard, std::vector<int64_t>{custom->id});  // Subscribers hear of the new instance.
  Tick();
  ASSERT_EQ(launcher_->started.size(), 1u);
  EXPECT_EQ(launcher_->Parameters(0), expected);
  launcher_->Exit(launcher_->started[0].first, 1);
  Tick();

  Reopen();
  Result<Instance> rerun = scheduler_->Rerun(custom->id);
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  EXPECT_EQ(rerun->custom_parameters, custom->custom_parameters);
  Tick();
  ASSERT_EQ(launcher_->started.size(), 2u);
  EXPECT_EQ(launcher_->Parameters(1), expected);

  // An expression is allowed too; without custom values the task's own apply.
  Result<Instance> expression =
      scheduler_->RunNow("person_sync", At("2025-11-01 09:00:00"), "endTime=$[yyyymmddhh24]0000");
  ASSERT_TRUE(expression.ok()) << expression.status().ToString();
  EXPECT_EQ(*expression->window_end_millis, At("2025-11-01 09:00:00") * 1000);
  Result<Instance> plain = scheduler_->RunNow("person_sync", At("2025-11-01 09:00:00"));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->custom_parameters, "");
  EXPECT_EQ(*plain->window_end_millis, At("2025-11-01 08:55:00") * 1000);
}

TEST_F(SchedulerTest, RunNowRefusesCustomParametersThatDoNotResolveNamingTheParameter) {
  Create(MinuteTask());
  const size_t before = scheduler_->ListInstances({})->size();
  struct Case {
    std::string custom;
    std::string named;
  };
  for (const Case& refused :
       {Case{"stopTime=20251101000000", "parameter stopTime"},
        Case{"endTime=$[yyyymmdd", "parameter endTime"},
        Case{"startTime=$[bogus]", "parameter startTime"},
        Case{"startTime=x startTime=y", "parameter startTime"}, Case{"startTime=abc", "abc"}}) {
    Result<Instance> run =
        scheduler_->RunNow("person_sync", At("2025-11-01 09:00:00"), refused.custom);
    ASSERT_FALSE(run.ok()) << refused.custom;
    EXPECT_EQ(run.status().code(), StatusCode::kInvalidArgument) << refused.custom;
    EXPECT_NE(run.status().message().find(refused.named), std::string::npos)
        << run.status().message();
  }
  EXPECT_EQ(scheduler_->ListInstances({})->size(), before);  // Nothing was created.
}

TEST_F(SchedulerTest, PreviewsAndValidatesDrafts) {
  Task draft = MinuteTask("draft");
  Result<std::vector<ResolvedInstance>> next = scheduler_->PreviewNext(draft, 3);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ASSERT_EQ(next->size(), 3u);
  EXPECT_EQ((*next)[0].values[0].second, "20251101095500");
  EXPECT_EQ((*next)[2].values[1].second, "20251101101000");
  draft.cycle = *ParseCycle("week mon 02:00");
  EXPECT_FALSE(scheduler_->PreviewNext(draft, 3).ok());
  EXPECT_FALSE(scheduler_->CreateTask(draft).ok());
  EXPECT_EQ(scheduler_->GetTask("draft").status().code(), StatusCode::kNotFound);
  draft.cycle = *ParseCycle("day 00:30");
  draft.parameters = "startTime=$[yyyymmddhh24miss-23/24] endTime=$[yyyymmddhh24miss-5/24/60]";
  Result<TaskSaved> saved = scheduler_->CreateTask(draft);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->warnings.size(), 1u);
  EXPECT_EQ(scheduler_->CreateTask(draft).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(SchedulerTest, OneSchedulerPerDataDirectory) {
  SchedulerOptions options;
  options.plugins = &TestPlugins();
  options.launcher = launcher_;
  Result<std::unique_ptr<Scheduler>> second = Scheduler::Open(dir_, options);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("another otsync scheduler"), std::string::npos);
}

}  // namespace
}  // namespace otsync::schedule
