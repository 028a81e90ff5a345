// `otsync task|backfill|instance` run in-process against the console's real pipeline and listener
// with routes standing in for the scheduler's: what each command sends (the contract of
// docs/console-api.md, "Scheduling"), what it prints, and its exit status. The test binary's
// name begins with "otsync" so that serve.json naming this process counts as a running server.
#include "tools/otsync/schedule_cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tools/otsync/testing/console_test_server.h"

namespace otsync::tools {
namespace {

namespace fs = std::filesystem;
using console::Access;
using console::ApiRequest;
using console::ApiResponse;

nlohmann::json InstanceView(int64_t id, const std::string& state) {
  return {{"id", id},
          {"task", "orders"},
          {"kind", "manual"},
          {"state", state},
          {"schedulingTime", "2025-11-01 10:35:00"},
          {"zone", "Asia/Shanghai"},
          {"windowStart", "2025-11-01 10:25:00"},
          {"windowEnd", "2025-11-01 10:30:00"},
          {"attempt", 1},
          {"exitStatus", state == "failed" ? nlohmann::json(1) : nlohmann::json()},
          {"killRequested", false},
          {"summary", state == "failed" ? "job failed: boom" : ""}};
}

class ScheduleCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("schedule_cli_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto& router = server_.router();
    router.Add("POST", "/api/tasks", Access::kSignedIn, [this](const ApiRequest& r) {
      server_.Record(r);
      nlohmann::json form = nlohmann::json::parse(r.body);
      if (form["name"] == "taken") {
        return ApiResponse::Error(409, "already_exists", "a task 'taken' exists");
      }
      return ApiResponse::Json(
          201,
          nlohmann::json{{"task", form}, {"warnings", {"a daily cycle may lose data"}}}.dump());
    });
    router.Add("PUT", "/api/tasks/{name}", Access::kSignedIn, [this](const ApiRequest& r) {
      server_.Record(r);
      return ApiResponse::Json(200, nlohmann::json{{"task", nlohmann::json::parse(r.body)},
                                                   {"warnings", nlohmann::json::array()}}
                                        .dump());
    });
    router.Add("GET", "/api/tasks/{name}/preview", Access::kSignedIn, [](const ApiRequest& r) {
      return ApiResponse::Json(200, nlohmann::json{{"instances",
                                                    {{{"schedulingTime", "2025-11-01 10:40:00"},
                                                      {"windowStart", "2025-11-01 10:30:00"},
                                                      {"windowEnd", "2025-11-01 10:35:00"}}}}}
                                        .dump());
    });
    router.Add("POST", "/api/tasks/{name}/run", Access::kSignedIn, [this](const ApiRequest& r) {
      server_.Record(r);
      return ApiResponse::Json(201, InstanceView(17, "waiting").dump());
    });
    router.Add("GET", "/api/instances", Access::kSignedIn, [this](const ApiRequest& r) {
      server_.Record(r);
      nlohmann::json killing = InstanceView(18, "running");
      killing["killRequested"] = true;
      killing["id"] = 1234;
      return ApiResponse::Json(
          200, nlohmann::json{{"instances", {InstanceView(17, "failed"), killing}}}.dump());
    });
    router.Add("GET", "/api/instances/{id}", Access::kSignedIn, [this](const ApiRequest& r) {
      return ApiResponse::Json(
          200, InstanceView(std::stoll(r.PathParam("id")), log_reads_ >= 3 ? "failed" : "running")
                   .dump());
    });
    router.Add("GET", "/api/instances/{id}/log", Access::kSignedIn, [this](const ApiRequest& r) {
      server_.Record(r);
      int64_t offset = std::stoll(r.query.at("offset"));
      int read = ++log_reads_;
      const std::string log = read >= 3 ? "line one\nline two\n" : "line one\n";
      std::string data = log.substr(std::min<size_t>(offset, log.size()));
      return ApiResponse::Json(200, nlohmann::json{{"data", data},
                                                   {"offset", offset},
                                                   {"nextOffset", offset + data.size()},
                                                   {"size", log.size()},
                                                   {"finished", read >= 3}}
                                        .dump());
    });
    router.Add("POST", "/api/backfills/plan", Access::kSignedIn, [this](const ApiRequest& r) {
      server_.Record(r);
      nlohmann::json instance = {{"schedulingTime", "2025-11-01 01:00:00"},
                                 {"businessDate", "20251031"},
                                 {"values", {{{"name", "startTime"}, {"value", "20251101000000"}}}},
                                 {"windowStart", "2025-11-01 00:00:00"},
                                 {"windowEnd", "2025-11-01 01:00:00"},
                                 {"runs", true},
                                 {"existingInstance", nullptr},
                                 {"note", ""}};
      nlohmann::json skipped = instance;
      skipped["schedulingTime"] = "2025-11-01 02:00:00";
      skipped["runs"] = false;
      skipped["existingInstance"] = 9;
      skipped["note"] = "succeeded";
      return ApiResponse::Json(200, nlohmann::json{{"task", "orders"},
                                                   {"zone", "Asia/Shanghai"},
                                                   {"from", "2025-11-01 01:00:00"},
                                                   {"to", "2025-11-01 03:00:00"},
                                                   {"instances", {instance, skipped}}}
                                        .dump());
    });
    server_.Start();
    server_.WriteStateFiles(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  int Run(std::vector<std::string> args, const std::string& data_dir = "") {
    out_.str("");
    err_.str("");
    CliEnvironment env{out_,    err_,  plugins_,
                       nullptr, false, {{"OTSYNC_DATA_DIR", data_dir.empty() ? dir_ : data_dir}}};
    return RunCli(args, env);
  }

  nlohmann::json LastBody() {
    auto seen = server_.seen();
    return seen.empty() ? nlohmann::json() : nlohmann::json::parse(seen.back().body);
  }

  std::string dir_;
  testing::ConsoleTestServer server_;
  sync::PluginRegistry plugins_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::atomic<int> log_reads_{0};
};

TEST_F(ScheduleCliTest, TaskCreateSendsTheFormAndPrintsWarningsAndTheNextWindow) {
  const std::string script = dir_ + "/job.json";
  std::ofstream(script) << "{\"type\": \"job\"}\n";
  ASSERT_EQ(Run({"task",
                 "create",
                 "orders",
                 "--script",
                 script,
                 "--cycle",
                 "every 5 minutes",
                 "--param",
                 "startTime=$[yyyymmddhh24miss-10/24/60]",
                 "--param",
                 "endTime=$[yyyymmddhh24miss-5/24/60]",
                 "--time-zone",
                 "UTC",
                 "--rerun",
                 "after-failure",
                 "--retries",
                 "1",
                 "--retry-interval",
                 "30",
                 "--self-dependent"}),
            kExitOk)
      << err_.str();
  auto seen = server_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/api/tasks");
  EXPECT_EQ(LastBody(), (nlohmann::json{
                            {"name", "orders"},
                            {"script", "{\"type\": \"job\"}\n"},
                            {"cycle", "minute 5 00:00-23:59"},
                            {"parameters",
                             "startTime=$[yyyymmddhh24miss-10/24/60] "
                             "endTime=$[yyyymmddhh24miss-5/24/60]"},
                            {"timeZone", "UTC"},
                            {"rerunPolicy", "after-failure"},
                            {"retryCount", 1},
                            {"retryIntervalSeconds", 30},
                            {"selfDependent", true},
                        }));
  EXPECT_EQ(err_.str(), "warning: a daily cycle may lose data\n");
  EXPECT_NE(out_.str().find("Created task 'orders': cycle 'minute 5 00:00-23:59'"),
            std::string::npos);
  EXPECT_NE(out_.str().find("Next instance: 2025-11-01 10:40:00, window [2025-11-01 10:30:00, "
                            "2025-11-01 10:35:00)"),
            std::string::npos)
      << out_.str();
}

TEST_F(ScheduleCliTest, TaskUpdateSendsOnlyTheGivenFlags) {
  ASSERT_EQ(Run({"task", "update", "orders", "--retries", "0", "--no-self-dependent"}), kExitOk)
      << err_.str();
  auto seen = server_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].path, "/api/tasks/orders");
  EXPECT_EQ(LastBody(),
            (nlohmann::json{{"name", "orders"}, {"retryCount", 0}, {"selfDependent", false}}));
  EXPECT_EQ(Run({"task", "update", "orders"}), kExitBadConfiguration);
  EXPECT_NE(err_.str().find("nothing to change"), std::string::npos);
}

TEST_F(ScheduleCliTest, RefusalsAndAMissingServerHaveTheirExitStatus) {
  const std::string script = dir_ + "/job.json";
  std::ofstream(script) << "{}";
  EXPECT_EQ(Run({"task", "create", "taken", "--script", script, "--cycle", "day 02:00"}),
            kExitBadConfiguration);
  EXPECT_EQ(err_.str(), "otsync: a task 'taken' exists\n");
  // Refused before anything is sent.
  size_t sent = server_.seen().size();
  EXPECT_EQ(Run({"task", "create", "x", "--script", script, "--cycle", "every 5 weeks"}),
            kExitBadConfiguration);
  EXPECT_EQ(Run({"task", "run", "x", "--at", "tomorrow"}), kExitBadConfiguration);
  EXPECT_NE(err_.str().find("--at 'tomorrow'"), std::string::npos);
  EXPECT_EQ(server_.seen().size(), sent);

  const std::string empty = dir_ + "/elsewhere";
  fs::create_directories(empty);
  EXPECT_EQ(Run({"instance", "list"}, empty), kExitJobFailed);
  EXPECT_EQ(err_.str(), "otsync: no otsync serve is running for " + empty +
                            " (start one with: otsync serve --data-dir " + empty + ")\n");
}

TEST_F(ScheduleCliTest, TaskRunSendsTheSchedulingTime) {
  ASSERT_EQ(Run({"task", "run", "orders", "--at", "2025-11-01 10:35"}), kExitOk) << err_.str();
  auto seen = server_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/api/tasks/orders/run");
  EXPECT_EQ(LastBody(), (nlohmann::json{{"at", "2025-11-01 10:35:00"}}));
  EXPECT_NE(out_.str().find("Instance 17 of task 'orders' as scheduled at 2025-11-01 10:35:00 "
                            "(Asia/Shanghai), window [2025-11-01 10:25:00, 2025-11-01 "
                            "10:30:00): waiting."),
            std::string::npos)
      << out_.str();
}

TEST_F(ScheduleCliTest, TaskRunSendsCustomParameterValues) {
  ASSERT_EQ(Run({"task", "run", "orders", "--param", "startTime=20251101000000", "--param",
                 "endTime=20251101010000"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(LastBody(),
            (nlohmann::json{{"parameters", "startTime=20251101000000 endTime=20251101010000"}}));
  const size_t sent = server_.seen().size();
  EXPECT_EQ(Run({"task", "run", "orders", "--param", "startTime"}), kExitBadConfiguration);
  EXPECT_NE(err_.str().find("--param 'startTime'"), std::string::npos) << err_.str();
  EXPECT_EQ(server_.seen().size(), sent);
}

TEST_F(ScheduleCliTest, InstanceListFiltersAndPrintsATableOrTheApisJson) {
  ASSERT_EQ(Run({"instance", "list", "orders", "--state", "running", "--limit", "5"}), kExitOk)
      << err_.str();
  auto seen = server_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].query, (std::map<std::string, std::string>{
                               {"task", "orders"}, {"state", "running"}, {"limit", "5"}}));
  std::istringstream lines(out_.str());
  std::string header, rule, first, second;
  std::getline(lines, header);
  std::getline(lines, rule);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_TRUE(header.starts_with("ID   | TASK   | KIND   | STATE")) << header;
  EXPECT_TRUE(first.starts_with("  17 | orders | manual | failed ")) << first;
  EXPECT_TRUE(second.starts_with("1234 | orders | manual | running (killing)")) << second;
  EXPECT_NE(first.find("[2025-11-01 10:25:00, 2025-11-01 10:30:00)"), std::string::npos);
  // Columns line up.
  EXPECT_EQ(header.find(" | SCHEDULED"), first.find(" | 2025-11-01 10:35:00"));
  EXPECT_EQ(header.find(" | SCHEDULED"), second.find(" | 2025-11-01 10:35:00"));

  ASSERT_EQ(Run({"instance", "list", "--format", "json"}), kExitOk);
  nlohmann::json printed = nlohmann::json::parse(out_.str());
  EXPECT_EQ(printed["instances"][1]["id"], 1234);
  EXPECT_TRUE(server_.seen().back().query.empty());
}

TEST_F(ScheduleCliTest, LogFollowReadsOnFromTheOffsetUntilFinished) {
  EXPECT_EQ(Run({"instance", "log", "17", "--follow"}), kExitJobFailed);
  EXPECT_EQ(out_.str(), "line one\nline two\n");
  EXPECT_EQ(err_.str(), "otsync: instance 17 failed\n");
  std::vector<std::string> offsets;
  for (const auto& seen : server_.seen()) offsets.push_back(seen.query.at("offset"));
  ASSERT_GE(offsets.size(), 3u);
  EXPECT_EQ(offsets[0], "0");
  EXPECT_EQ(offsets[1], "9");  // After "line one\n".
  EXPECT_EQ(offsets.back(), "9");
}

TEST_F(ScheduleCliTest, BackfillDryRunPrintsEveryTimeAndWindow) {
  ASSERT_EQ(Run({"backfill", "orders", "--from", "2025-11-01 01:00", "--to", "2025-11-01 03:00:00",
                 "--parallel", "2", "--reprocess", "failed", "--dry-run"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(server_.seen().back().path, "/api/backfills/plan");
  EXPECT_EQ(LastBody(), (nlohmann::json{{"task", "orders"},
                                        {"from", "2025-11-01 01:00:00"},
                                        {"to", "2025-11-01 03:00:00"},
                                        {"parallelism", 2},
                                        {"reprocess", "failed"}}));
  const std::string out = out_.str();
  EXPECT_NE(out.find("Backfill of task orders over scheduling times [2025-11-01 01:00:00, "
                     "2025-11-01 03:00:00) (Asia/Shanghai): 2 instances, 1 to run"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("2025-11-01 01:00:00 | 20251031      | [2025-11-01 00:00:00, 2025-11-01 "
                     "01:00:00) | yes"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("no (instance 9: succeeded)"), std::string::npos) << out;
  EXPECT_NE(out.find("startTime=20251101000000"), std::string::npos) << out;

  EXPECT_EQ(Run({"backfill", "orders", "--from", "2025-11-01 01:00"}), kExitBadConfiguration);
  EXPECT_EQ(
      Run({"backfill", "orders", "--business-dates", "20251030..20251031", "--reprocess", "some"}),
      kExitBadConfiguration);
  EXPECT_NE(err_.str().find("--reprocess"), std::string::npos);
}

}  // namespace
}  // namespace otsync::tools
