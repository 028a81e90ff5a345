// The scheduler's routes through the whole request pipeline (no sockets), on a real scheduler
// with a manual clock and a launcher that starts nothing: tasks, run now, the instance list and
// log, kill, rerun, freeze, backfill plans and starts, progress events, and the status codes.
#include "console/schedule_routes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "console/testing/console_api_fixture.h"
#include "schedule/testing/fake_launcher.h"
#include "schedule/testing/test_plugins.h"

namespace otsync::console {
namespace {

using nlohmann::json;

int64_t At(const std::string& wall) {
  return sync::ToEpochSeconds(*schedule::ParseWallClockTime(wall), sync::TimeZone::Shanghai());
}

json TaskForm(const std::string& name = "person_sync") {
  return {
      {"name", name},
      {"script", schedule::kStreamTaskScript},
      {"parameters", "startTime=$[yyyymmddhh24miss-10/24/60] endTime=$[yyyymmddhh24miss-5/24/60]"},
      {"cycle", "minute 5"},
      {"retryCount", 0}};
}

class ScheduleRoutesTest : public ConsoleApiFixture {
 protected:
  ScheduleRoutesTest() : ConsoleApiFixture(At("2025-11-01 10:00:30") * 1'000'000) {}

  void SetUp() override {
    launcher_ = std::make_shared<schedule::FakeLauncher>();
    schedule::SchedulerOptions options;
    options.plugins = &schedule::TestPlugins();
    options.clock = clock_;
    options.launcher = launcher_;
    options.otsync_binary = "/usr/bin/otsync";
    Result<std::unique_ptr<schedule::Scheduler>> opened =
        schedule::Scheduler::Open(data_dir(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    scheduler_ = std::move(*opened);
    AddScheduleRoutes(api_->router(), *scheduler_, clock_, /*max_event_streams=*/4);
  }
  // The routes go before the scheduler they call.
  void TearDown() override {
    api_.reset();
    scheduler_.reset();
  }

  void Tick() { ASSERT_TRUE(scheduler_->Tick().ok()); }

  void CreateTask(const json& form = TaskForm()) { Expect(201, Call("POST", "/api/tasks", form)); }

  // Runs an instance now as scheduled at `at` and starts it; returns its id.
  int64_t RunAndStart(const std::string& at) {
    json instance = Expect(201, Call("POST", "/api/tasks/person_sync/run", json{{"at", at}}));
    Tick();
    return instance["id"].get<int64_t>();
  }

  static json NextEvent(EventSource& events, EventSource::State expected) {
    ServerSentEvent event;
    EventSource::State state = events.Next(std::chrono::milliseconds(0), &event);
    EXPECT_EQ(state, expected);
    if (state != EventSource::State::kEvent) return nullptr;
    EXPECT_EQ(event.event, "instance");
    return json::parse(event.data);
  }

  std::shared_ptr<schedule::FakeLauncher> launcher_;
  std::unique_ptr<schedule::Scheduler> scheduler_;
};

TEST_F(ScheduleRoutesTest, EveryRouteNeedsACredential) {
  for (const auto& route : api_->router().routes()) {
    ApiResponse response = api_->Handle(Request(route.method, route.pattern));
    EXPECT_EQ(response.status, 401) << route.method << " " << route.pattern;
    EXPECT_EQ(ErrorCode(response), "unauthenticated");
  }
}

TEST_F(ScheduleRoutesTest, TasksAreCreatedListedUpdatedAndRemoved) {
  json created = Expect(201, Call("POST", "/api/tasks", TaskForm()));
  EXPECT_EQ(created["task"]["name"], "person_sync");
  EXPECT_EQ(created["task"]["cycle"], "minute 5 00:00-23:59");
  EXPECT_EQ(created["task"]["timeZone"], "Asia/Shanghai");
  EXPECT_TRUE(created["warnings"].is_array());

  ApiResponse again = Call("POST", "/api/tasks", TaskForm());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(ErrorCode(again), "already_exists");

  json bad_cycle = TaskForm("other");
  bad_cycle["cycle"] = "minute 75";
  ApiResponse refused = Call("POST", "/api/tasks", bad_cycle);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(ErrorMessage(refused).rfind("cycle: ", 0), 0u) << ErrorMessage(refused);

  json weekly = TaskForm("weekly");
  weekly["cycle"] = "week mon 01:00";
  ApiResponse week = Call("POST", "/api/tasks", weekly);
  EXPECT_EQ(week.status, 400);
  EXPECT_NE(ErrorMessage(week).find("week"), std::string::npos) << ErrorMessage(week);

  json list = Expect(200, Call("GET", "/api/tasks"));
  ASSERT_EQ(list["tasks"].size(), 1u);
  EXPECT_EQ(list["tasks"][0]["name"], "person_sync");
  EXPECT_EQ(Call("GET", "/api/tasks/nothing").status, 404);

  json updated = Expect(200, Call("PUT", "/api/tasks/person_sync",
                                  json{{"cycle", "minute 10"}, {"rerunPolicy", "never"}}));
  EXPECT_EQ(updated["task"]["cycle"], "minute 10 00:00-23:59");
  EXPECT_EQ(updated["task"]["rerunPolicy"], "never");
  EXPECT_EQ(updated["task"]["script"], schedule::kStreamTaskScript);  // Kept.
  ApiResponse rename = Call("PUT", "/api/tasks/person_sync", json{{"name", "renamed"}});
  EXPECT_EQ(rename.status, 400);
  EXPECT_NE(ErrorMessage(rename).find("cannot be renamed"), std::string::npos);
  EXPECT_EQ(Call("PUT", "/api/tasks/nothing", json{{"cycle", "minute 10"}}).status, 404);

  json frozen = Expect(200, Call("POST", "/api/tasks/person_sync/freeze"));
  EXPECT_EQ(frozen["frozen"], true);
  EXPECT_EQ(Expect(200, Call("GET", "/api/tasks/person_sync"))["frozen"], true);
  EXPECT_EQ(Expect(200, Call("POST", "/api/tasks/person_sync/unfreeze"))["frozen"], false);

  EXPECT_EQ(Expect(200, Call("DELETE", "/api/tasks/person_sync"))["deleted"], "person_sync");
  EXPECT_EQ(Call("GET", "/api/tasks/person_sync").status, 404);
  EXPECT_EQ(Call("DELETE", "/api/tasks/person_sync").status, 404);
}

TEST_F(ScheduleRoutesTest, PreviewsTheNextInstancesOfATaskAndOfADraft) {
  CreateTask();
  json preview =
      Expect(200, Call("GET", "/api/tasks/person_sync/preview", nullptr, {{"count", "3"}}));
  EXPECT_EQ(preview["zone"], "Asia/Shanghai");
  ASSERT_EQ(preview["instances"].size(), 3u);
  EXPECT_EQ(preview["instances"][0]["schedulingTime"], "2025-11-01 10:05:00");
  EXPECT_EQ(preview["instances"][2]["schedulingTime"], "2025-11-01 10:15:00");
  EXPECT_EQ(preview["instances"][0]["windowStart"], "2025-11-01 09:55:00");
  EXPECT_EQ(preview["instances"][0]["windowEnd"], "2025-11-01 10:00:00");
  EXPECT_EQ(preview["instances"][0]["values"][0],
            (json{{"name", "startTime"}, {"value", "20251101095500"}}));
  EXPECT_EQ(preview["instances"][0]["readerPlugin"], "otsstream");
  EXPECT_EQ(Call("GET", "/api/tasks/person_sync/preview", nullptr, {{"count", "0"}}).status, 400);

  json draft = TaskForm("draft");
  draft["cycle"] = "hours 3,15 :20";
  json drafted =
      Expect(200, Call("POST", "/api/tasks/preview", json{{"task", draft}, {"count", 2}}));
  EXPECT_EQ(drafted["task"], "draft");
  ASSERT_EQ(drafted["instances"].size(), 2u);
  EXPECT_EQ(drafted["instances"][0]["schedulingTime"], "2025-11-01 15:20:00");
  EXPECT_EQ(drafted["instances"][1]["schedulingTime"], "2025-11-02 03:20:00");
  EXPECT_EQ(Call("GET", "/api/tasks/draft").status, 404);  // Not saved.
  ApiResponse no_form = Call("POST", "/api/tasks/preview", json{{"count", 2}});
  EXPECT_EQ(no_form.status, 400);
  EXPECT_EQ(ErrorMessage(no_form).rfind("task: ", 0), 0u);
}

TEST_F(ScheduleRoutesTest, RunNowKillRerunAndTheLog) {
  CreateTask();
  const int64_t id = RunAndStart("2025-11-01 09:00:00");
  json running = Expect(200, Call("GET", "/api/instances/" + std::to_string(id)));
  EXPECT_EQ(running["state"], "running");
  EXPECT_EQ(running["kind"], "manual");
  EXPECT_EQ(running["schedulingTime"], "2025-11-01 09:00:00");
  EXPECT_EQ(running["pid"], launcher_->started.at(0).first);
  EXPECT_EQ(launcher_->Parameters(0)[0], "startTime=20251101085000");

  json whole = Expect(200, Call("GET", "/api/instances/" + std::to_string(id) + "/log"));
  EXPECT_NE(whole["data"].get<std::string>().find("=== attempt 1 of instance"), std::string::npos);
  EXPECT_EQ(whole["offset"], 0);
  EXPECT_EQ(whole["nextOffset"], whole["size"]);
  EXPECT_EQ(whole["finished"], false);
  json part = Expect(200, Call("GET", "/api/instances/" + std::to_string(id) + "/log", nullptr,
                               {{"offset", "4"}, {"maxBytes", "6"}}));
  EXPECT_EQ(part["data"], whole["data"].get<std::string>().substr(4, 6));
  EXPECT_EQ(part["nextOffset"], 10);
  EXPECT_EQ(
      Call("GET", "/api/instances/" + std::to_string(id) + "/log", nullptr, {{"maxBytes", "0"}})
          .status,
      400);

  json killing = Expect(200, Call("POST", "/api/instances/" + std::to_string(id) + "/kill"));
  EXPECT_EQ(killing["state"], "running");
  EXPECT_EQ(killing["killRequested"], true);
  ASSERT_EQ(launcher_->signals.size(), 1u);
  EXPECT_EQ(launcher_->signals[0], std::make_pair(launcher_->started[0].first, SIGTERM));
  Tick();
  json killed = Expect(200, Call("GET", "/api/instances/" + std::to_string(id)));
  EXPECT_EQ(killed["state"], "killed");
  EXPECT_EQ(killed["exitStatus"], 128 + SIGTERM);
  EXPECT_TRUE(killed["pid"].is_null());
  ApiResponse again = Call("POST", "/api/instances/" + std::to_string(id) + "/kill");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(ErrorMessage(again), "instance " + std::to_string(id) + " is killed: cannot kill it");

  json rerun = Expect(200, Call("POST", "/api/instances/" + std::to_string(id) + "/rerun"));
  EXPECT_EQ(rerun["state"], "waiting");
  EXPECT_EQ(rerun["schedulingTime"], "2025-11-01 09:00:00");
  Tick();
  ASSERT_EQ(launcher_->started.size(), 2u);
  EXPECT_EQ(launcher_->Parameters(1), launcher_->Parameters(0));  // The same values.
  launcher_->Exit(launcher_->started[1].first, 0);
  Tick();
  EXPECT_EQ(Expect(200, Call("GET", "/api/instances/" + std::to_string(id)))["state"], "succeeded");

  Expect(200, Call("PUT", "/api/tasks/person_sync", json{{"rerunPolicy", "after-failure"}}));
  ApiResponse refused = Call("POST", "/api/instances/" + std::to_string(id) + "/rerun");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(ErrorMessage(refused).find("only after a failure"), std::string::npos);
}

TEST_F(ScheduleRoutesTest, RunNowWithCustomParametersAsTextOrObject) {
  CreateTask();
  json text = Expect(201, Call("POST", "/api/tasks/person_sync/run",
                               json{{"at", "2025-11-01 09:00:00"},
                                    {"parameters",
                                     "startTime=20251031000000 "
                                     "endTime=20251031010000"}}));
  EXPECT_EQ(text["customParameters"], "startTime=20251031000000 endTime=20251031010000");
  EXPECT_EQ(text["parameters"][0], (json{{"name", "startTime"}, {"value", "20251031000000"}}));
  EXPECT_EQ(text["parameters"][1], (json{{"name", "endTime"}, {"value", "20251031010000"}}));
  EXPECT_EQ(text["windowStart"], "2025-10-31 00:00:00");
  json object = Expect(201, Call("POST", "/api/tasks/person_sync/run",
                                 json{{"parameters", {{"endTime", "20251101095500"}}}}));
  EXPECT_EQ(object["customParameters"], "endTime=20251101095500");
  Tick();
  ASSERT_EQ(launcher_->started.size(), 2u);
  EXPECT_EQ(launcher_->Parameters(0)[0], "startTime=20251031000000");
  EXPECT_EQ(launcher_->Parameters(1)[1], "endTime=20251101095500");
  // The instance's own page shows what it ran with.
  json shown = Expect(200, Call("GET", "/api/instances/" + text["id"].dump()));
  EXPECT_EQ(shown["customParameters"], text["customParameters"]);

  const size_t before = Expect(200, Call("GET", "/api/instances"))["instances"].size();
  for (const json& refused :
       {json{{"parameters", "stopTime=1"}}, json{{"parameters", {{"endTime", "a b"}}}},
        json{{"parameters", {{"endTime", 5}}}}, json{{"parameters", "endTime=$[yyyymmdd"}}}) {
    ApiResponse answer = Call("POST", "/api/tasks/person_sync/run", refused);
    EXPECT_EQ(answer.status, 400) << refused.dump();
    EXPECT_EQ(ErrorMessage(answer).rfind("parameter ", 0), 0u) << ErrorMessage(answer);
  }
  EXPECT_EQ(Call("POST", "/api/tasks/person_sync/run", json{{"parameters", 5}}).status, 400);
  EXPECT_EQ(Expect(200, Call("GET", "/api/instances"))["instances"].size(), before);
}

TEST_F(ScheduleRoutesTest, InstanceIdsAndStatesAreChecked) {
  CreateTask();
  EXPECT_EQ(Call("GET", "/api/instances/abc").status, 400);
  EXPECT_EQ(Call("GET", "/api/instances/0").status, 400);
  EXPECT_EQ(Call("GET", "/api/instances/12x").status, 400);
  ApiResponse unknown = Call("POST", "/api/instances/999/kill");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCode(unknown), "not_found");
  EXPECT_EQ(Call("POST", "/api/tasks/nothing/run").status, 404);
  ApiResponse bad_at = Call("POST", "/api/tasks/person_sync/run", json{{"at", "yesterday"}});
  EXPECT_EQ(bad_at.status, 400);
  EXPECT_EQ(ErrorMessage(bad_at).rfind("at: ", 0), 0u);
  EXPECT_EQ(Call("GET", "/api/instances", nullptr, {{"state", "sleeping"}}).status, 400);
  EXPECT_EQ(Call("GET", "/api/instances", nullptr, {{"limit", "0"}}).status, 400);
  EXPECT_EQ(Call("PATCH", "/api/instances/1").status, 405);
}

TEST_F(ScheduleRoutesTest, FreezeWaitingInstancesAndListWithFilters) {
  CreateTask();
  // 10:05 .. 10:30: six scheduled instances; two start (the running limit), four wait.
  clock_->SetMicros(At("2025-11-01 10:30:00") * 1'000'000);
  Tick();
  json waiting =
      Expect(200, Call("GET", "/api/instances", nullptr, {{"state", "waiting"}}))["instances"];
  ASSERT_EQ(waiting.size(), 4u);
  EXPECT_EQ(waiting[0]["schedulingTime"], "2025-11-01 10:15:00");  // Oldest first.
  const std::string first = std::to_string(waiting[0]["id"].get<int64_t>());

  EXPECT_EQ(Expect(200, Call("POST", "/api/instances/" + first + "/freeze"))["state"], "frozen");
  EXPECT_EQ(Call("POST", "/api/instances/" + first + "/freeze").status, 409);
  EXPECT_EQ(Expect(200, Call("POST", "/api/instances/" + first + "/unfreeze"))["state"], "waiting");

  json latest = Expect(200, Call("GET", "/api/instances", nullptr,
                                 {{"task", "person_sync"}, {"limit", "2"}}))["instances"];
  ASSERT_EQ(latest.size(), 2u);  // The latest two, oldest first.
  EXPECT_EQ(latest[0]["schedulingTime"], "2025-11-01 10:25:00");
  EXPECT_EQ(latest[1]["schedulingTime"], "2025-11-01 10:30:00");
  EXPECT_TRUE(Expect(200, Call("GET", "/api/instances", nullptr, {{"task", "other"}}))["instances"]
                  .empty());

  ApiResponse remove = Call("DELETE", "/api/tasks/person_sync");
  EXPECT_EQ(remove.status, 409);
  EXPECT_NE(ErrorMessage(remove).find("kill it first"), std::string::npos);
}

TEST_F(ScheduleRoutesTest, ABackfillPlansThenStartsExactlyThePlan) {
  CreateTask();
  json request = {{"task", "person_sync"},
                  {"from", "2025-11-01 09:00:00"},
                  {"to", "2025-11-01 09:20:00"},
                  {"parallelism", 2}};
  json plan = Expect(200, Call("POST", "/api/backfills/plan", request));
  EXPECT_EQ(plan["from"], "2025-11-01 09:00:00");
  EXPECT_EQ(plan["toEpoch"], At("2025-11-01 09:20:00"));
  ASSERT_EQ(plan["instances"].size(), 4u);
  EXPECT_EQ(plan["instances"][3]["schedulingTime"], "2025-11-01 09:15:00");
  EXPECT_EQ(plan["instances"][3]["windowEnd"], "2025-11-01 09:10:00");
  EXPECT_EQ(plan["instances"][0]["runs"], true);
  EXPECT_TRUE(Expect(200, Call("GET", "/api/instances"))["instances"].empty());  // A dry run.

  json started = Expect(201, Call("POST", "/api/backfills", request));
  ASSERT_EQ(started["instanceIds"].size(), 4u);
  const int64_t backfill = started["backfill"]["id"].get<int64_t>();
  EXPECT_EQ(started["backfill"]["parallelism"], 2);
  EXPECT_EQ(started["backfill"]["reprocess"], "none");
  json listed = Expect(200, Call("GET", "/api/instances", nullptr,
                                 {{"backfill", std::to_string(backfill)}}))["instances"];
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[0]["kind"], "backfill");
  EXPECT_EQ(listed[0]["backfillId"], backfill);

  json shown = Expect(200, Call("GET", "/api/backfills/" + std::to_string(backfill)));
  EXPECT_EQ(shown["backfill"], started["backfill"]);
  EXPECT_EQ(shown["instanceIds"], started["instanceIds"]);
  EXPECT_EQ(shown["states"]["waiting"], 4);
  EXPECT_EQ(shown["states"]["succeeded"], 0);
  EXPECT_EQ(shown["finished"], false);
  EXPECT_EQ(Call("GET", "/api/backfills/" + std::to_string(backfill + 100)).status, 404);
  EXPECT_EQ(Call("GET", "/api/backfills/first").status, 400);

  json again = Expect(200, Call("POST", "/api/backfills/plan", request));
  EXPECT_EQ(again["instances"][0]["runs"], false);  // Waiting: left alone.
  EXPECT_EQ(again["instances"][0]["existingInstance"], listed[0]["id"]);
  EXPECT_FALSE(again["instances"][0]["note"].get<std::string>().empty());

  EXPECT_EQ(
      Call("POST", "/api/backfills/plan", json{{"task", "nothing"}, {"from", 1}, {"to", 2}}).status,
      404);
  json backwards = request;
  backwards["to"] = "2025-11-01 08:00:00";
  ApiResponse empty = Call("POST", "/api/backfills", backwards);
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(ErrorMessage(empty).find("range is empty"), std::string::npos);

  json by_dates = Expect(200, Call("POST", "/api/backfills/plan",
                                   json{{"task", "person_sync"},
                                        {"firstBusinessDate", "20251030"},
                                        {"lastBusinessDate", "20251030"}}));
  EXPECT_EQ(by_dates["from"], "2025-10-31 00:00:00");
  EXPECT_EQ(by_dates["to"], "2025-11-01 00:00:00");
  EXPECT_EQ(by_dates["instances"].size(), 288u);  // Every 5 minutes of a day.
}

TEST_F(ScheduleRoutesTest, ProgressEventsOfOneInstanceEndWhenItIsFinished) {
  CreateTask();
  json instance = Expect(201, Call("POST", "/api/tasks/person_sync/run", json::object()));
  EXPECT_EQ(instance["schedulingTime"], "2025-11-01 10:00:30");  // Now.
  const std::string id = std::to_string(instance["id"].get<int64_t>());
  ApiResponse stream = Call("GET", "/api/instances/" + id + "/progress");
  ASSERT_EQ(stream.status, 200) << stream.body;
  EXPECT_EQ(stream.content_type, "text/event-stream");
  ASSERT_NE(stream.events, nullptr);
  ApiResponse everything = Call("GET", "/api/events", nullptr, {{"task", "person_sync"}});
  ApiResponse elsewhere = Call("GET", "/api/events", nullptr, {{"task", "other"}});
  ASSERT_NE(everything.events, nullptr);

  json first = NextEvent(*stream.events, EventSource::State::kEvent);
  EXPECT_EQ(first["state"], "waiting");
  EXPECT_TRUE(first["progress"].is_null());
  NextEvent(*stream.events, EventSource::State::kIdle);

  Tick();
  EXPECT_EQ(NextEvent(*stream.events, EventSource::State::kEvent)["state"], "running");
  {
    std::ofstream progress(launcher_->Argument(0, "--progress-file"), std::ios::app);
    progress << R"({"type":"progress","records":7,"records_per_second":3})"
             << "\n";
  }
  Tick();
  json progress = NextEvent(*stream.events, EventSource::State::kEvent);
  EXPECT_EQ(progress["progress"]["records"], 7);
  EXPECT_EQ(progress["progress"]["recordsPerSecond"], 3);
  launcher_->Exit(launcher_->started[0].first, 0);
  Tick();
  EXPECT_EQ(NextEvent(*stream.events, EventSource::State::kEvent)["state"], "succeeded");
  NextEvent(*stream.events, EventSource::State::kEnded);

  // The task's stream heard the same three changes; the other task's none.
  EXPECT_EQ(NextEvent(*everything.events, EventSource::State::kEvent)["state"], "running");
  EXPECT_EQ(NextEvent(*everything.events, EventSource::State::kEvent)["progress"]["records"], 7);
  EXPECT_EQ(NextEvent(*everything.events, EventSource::State::kEvent)["state"], "succeeded");
  NextEvent(*everything.events, EventSource::State::kIdle);
  NextEvent(*elsewhere.events, EventSource::State::kIdle);

  // A finished instance's stream is its state, then the end.
  ApiResponse finished = Call("GET", "/api/instances/" + id + "/progress");
  ASSERT_NE(finished.events, nullptr);
  EXPECT_EQ(NextEvent(*finished.events, EventSource::State::kEvent)["state"], "succeeded");
  NextEvent(*finished.events, EventSource::State::kEnded);
  EXPECT_EQ(Call("GET", "/api/instances/999/progress").status, 404);
}

TEST_F(ScheduleRoutesTest, AScriptsSecretIsNeverShownAndAMaskSentBackKeepsIt) {
  json form = TaskForm();
  json script = json::parse(schedule::kStreamTaskScript);
  json& reader = script["configuration"]["reader"]["parameter"];
  reader.erase("datasource");
  reader["endpoint"] = "http://127.0.0.1:1";
  reader["instanceName"] = "local";
  reader["accessId"] = "id";
  reader["accessKey"] = "reader-secret-9";
  form["script"] = script.dump();
  json created = Expect(201, Call("POST", "/api/tasks", form));
  const std::string shown = created["task"]["script"];
  EXPECT_EQ(shown.find("reader-secret-9"), std::string::npos);
  EXPECT_NE(shown.find(R"("accessKey":"********")"), std::string::npos) << shown;
  EXPECT_EQ(Call("GET", "/api/tasks").body.find("reader-secret-9"), std::string::npos);

  // The view sent back as it is (the mask included) changes nothing of the secret.
  json view = Expect(200, Call("GET", "/api/tasks/person_sync"));
  view["retryCount"] = 2;
  Expect(200, Call("PUT", "/api/tasks/person_sync", view));
  Result<schedule::Task> stored = scheduler_->GetTask("person_sync");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->script, script.dump());
  EXPECT_EQ(stored->retry_count, 2);

  json masked_create = TaskForm("copy");
  masked_create["script"] = shown;
  ApiResponse refused = Call("POST", "/api/tasks", masked_create);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(ErrorMessage(refused).rfind("script: ", 0), 0u) << ErrorMessage(refused);
}

TEST_F(ScheduleRoutesTest, OnlySoManyEventStreamsAreOpenAtOnce) {
  CreateTask();
  std::optional<ApiResponse> first = Call("GET", "/api/events");
  ApiResponse second = Call("GET", "/api/events", nullptr, {{"task", "person_sync"}});
  json instance = Expect(201, Call("POST", "/api/tasks/person_sync/run", json::object()));
  ApiResponse third =
      Call("GET", "/api/instances/" + std::to_string(instance["id"].get<int64_t>()) + "/progress");
  ASSERT_NE(first->events, nullptr);
  ASSERT_NE(second.events, nullptr);
  ApiResponse fourth = Call("GET", "/api/events");
  ASSERT_NE(third.events, nullptr);
  ASSERT_NE(fourth.events, nullptr);
  ApiResponse fifth = Call("GET", "/api/events");
  EXPECT_EQ(fifth.status, 503);
  EXPECT_EQ(ErrorCode(fifth), "unavailable");
  EXPECT_EQ(fifth.events, nullptr);
  first.reset();                                                    // The client went away.
  EXPECT_NE(Call("GET", "/api/instances/1/progress").status, 503);  // 404: no such instance.
  EXPECT_NE(Call("GET", "/api/events").events, nullptr);
}

}  // namespace
}  // namespace otsync::console
