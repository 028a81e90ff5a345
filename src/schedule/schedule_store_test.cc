#include "schedule/schedule_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

namespace otsync::schedule {
namespace {

class ScheduleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/schedule_store_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/schedule.sqlite";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<ScheduleStore> Open() {
    Result<std::unique_ptr<ScheduleStore>> store = ScheduleStore::Open(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  static Task SomeTask(const std::string& name) {
    Task task;
    task.name = name;
    task.script = "{\"job\": {}}";
    task.parameters = "a=$bizdate b=1";
    task.cycle = *ParseCycle("minute 5 01:00-02:00");
    task.time_zone = "UTC";
    task.rerun_policy = RerunPolicy::kAfterFailure;
    task.retry_count = 1;
    task.retry_interval_seconds = 30;
    task.self_dependent = true;
    return task;
  }

  static Instance SomeInstance(const std::string& task, int64_t time) {
    Instance instance;
    instance.task = task;
    instance.scheduling_time = time;
    instance.business_date = "20251031";
    instance.parameters = {{"startTime", "20251101022045"}, {"pt", "x y=\"z\""}};
    instance.window_start_millis = 1000;
    instance.created_micros = 7;
    instance.log_path = "/logs/t/1.log";
    return instance;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(ScheduleStoreTest, TasksSurviveReopening) {
  {
    auto store = Open();
    ASSERT_TRUE(store->InsertTask(SomeTask("b"), 100).ok());
    ASSERT_TRUE(store->InsertTask(SomeTask("a"), 200).ok());
    Status again = store->InsertTask(SomeTask("a"), 200);
    EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.ToString();
  }
  auto store = Open();
  Result<std::vector<Task>> tasks = store->ListTasks();
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0], SomeTask("a"));
  EXPECT_EQ((*tasks)[1].name, "b");
  EXPECT_EQ(*store->GeneratedThrough("a"), 200);

  Task changed = SomeTask("a");
  changed.frozen = true;
  changed.cycle = *ParseCycle("week sat,sun 03:00");
  ASSERT_TRUE(store->UpdateTask(changed).ok());
  EXPECT_EQ(*store->GetTask("a"), changed);
  ASSERT_TRUE(store->SetGeneratedThrough("a", 300).ok());
  EXPECT_EQ(*store->GeneratedThrough("a"), 300);

  EXPECT_EQ(store->UpdateTask(SomeTask("c")).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store->DeleteTask("b").ok());
  EXPECT_EQ(store->GetTask("b").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->DeleteTask("b").code(), StatusCode::kNotFound);
}

TEST_F(ScheduleStoreTest, InstancesRoundTripAndFilter) {
  auto store = Open();
  Result<int64_t> first = store->InsertInstance(SomeInstance("t", 300));
  Result<int64_t> second = store->InsertInstance(SomeInstance("t", 100));
  Instance other = SomeInstance("u", 200);
  other.state = InstanceState::kFailed;
  other.exit_status = 1;
  other.backfill_id = 4;
  other.kind = InstanceKind::kBackfill;
  Result<int64_t> third = store->InsertInstance(other);
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());
  EXPECT_LT(*first, *second);

  Result<Instance> read = store->GetInstance(*third);
  ASSERT_TRUE(read.ok());
  other.id = *third;
  EXPECT_EQ(*read, other);

  auto filter = [](auto set) {
    InstanceFilter result;
    set(result);
    return result;
  };
  auto ids = [&](const InstanceFilter& filter) {
    std::vector<int64_t> result;
    std::vector<Instance> instances = *store->ListInstances(filter);
    for (const Instance& instance : instances) result.push_back(instance.id);
    return result;
  };
  EXPECT_EQ(ids({}), (std::vector<int64_t>{*second, *third, *first}));
  EXPECT_EQ(ids(filter([](InstanceFilter& f) { f.task = "t"; })),
            (std::vector<int64_t>{*second, *first}));
  EXPECT_EQ(ids(filter([](InstanceFilter& f) { f.state = InstanceState::kFailed; })),
            (std::vector<int64_t>{*third}));
  EXPECT_EQ(ids(filter([](InstanceFilter& f) {
              f.from = 100;
              f.to = 300;
            })),
            (std::vector<int64_t>{*second, *third}));
  EXPECT_EQ(ids(filter([](InstanceFilter& f) { f.backfill_id = 4; })),
            (std::vector<int64_t>{*third}));
  EXPECT_EQ(ids(filter([](InstanceFilter& f) { f.limit = 1; })), (std::vector<int64_t>{*second}));
  EXPECT_EQ(ids(filter([](InstanceFilter& f) {
              f.limit = 2;
              f.newest_first = true;
            })),
            (std::vector<int64_t>{*first, *third}));

  Instance running = *store->GetInstance(*first);
  running.state = InstanceState::kRunning;
  running.pid = 4242;
  running.progress = R"({"records":5})";
  running.exit_status = std::nullopt;
  ASSERT_TRUE(store->UpdateInstance(running).ok());
  EXPECT_EQ(*store->GetInstance(*first), running);
  EXPECT_EQ(store->GetInstance(999).status().code(), StatusCode::kNotFound);
}

TEST_F(ScheduleStoreTest, OneScheduledInstancePerTaskAndTime) {
  auto store = Open();
  ASSERT_TRUE(store->InsertInstance(SomeInstance("t", 100)).ok());
  EXPECT_EQ(store->InsertInstance(SomeInstance("t", 100)).status().code(),
            StatusCode::kAlreadyExists);
  Instance manual = SomeInstance("t", 100);
  manual.kind = InstanceKind::kManual;
  Result<int64_t> manual_id = store->InsertInstance(manual);
  ASSERT_TRUE(manual_id.ok());
  Result<std::optional<Instance>> latest = store->LatestInstanceAt("t", 100);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->id, *manual_id);

  ASSERT_TRUE(store->InsertInstance(SomeInstance("t", 50)).ok());
  Result<std::optional<Instance>> previous = store->PreviousInstance("t", 100);
  ASSERT_TRUE(previous.ok() && previous->has_value());
  EXPECT_EQ((*previous)->scheduling_time, 50);
  EXPECT_FALSE(store->PreviousInstance("t", 50)->has_value());
}

TEST_F(ScheduleStoreTest, ATransactionCommitsAllOrNothing) {
  auto store = Open();
  Status failed = store->Transaction([&] {
    EXPECT_TRUE(store->InsertTask(SomeTask("a"), 0).ok());
    EXPECT_TRUE(store->InsertInstance(SomeInstance("a", 1)).ok());
    return Status::Internal("stop");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(store->GetTask("a").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->ListInstances({})->empty());

  ASSERT_TRUE(store
                  ->Transaction([&] {
                    OTSYNC_RETURN_IF_ERROR(store->InsertTask(SomeTask("a"), 0));
                    return store->InsertInstance(SomeInstance("a", 1)).status();
                  })
                  .ok());
  store.reset();
  store = Open();
  EXPECT_TRUE(store->GetTask("a").ok());
  EXPECT_EQ(store->ListInstances({})->size(), 1u);
}

TEST_F(ScheduleStoreTest, BackfillsAndTheSchemaVersion) {
  {
    auto store = Open();
    Backfill backfill{0, "t", 100, 200, 3, ReprocessPolicy::kFailedOnly, 9};
    Result<int64_t> id = store->InsertBackfill(backfill);
    ASSERT_TRUE(id.ok());
    backfill.id = *id;
    EXPECT_EQ(*store->GetBackfill(*id), backfill);
  }
  // The database is in WAL mode, and a newer schema is refused rather than misread.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
  sqlite3_finalize(statement);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Result<std::unique_ptr<ScheduleStore>> newer = ScheduleStore::Open(path_);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), StatusCode::kCorruption);
  EXPECT_NE(newer.status().message().find("schema version 99"), std::string::npos);
}

TEST_F(ScheduleStoreTest, ASchemaOneDatabaseGainsCustomParametersAndKeepsItsInstances) {
  {
    auto store = Open();
    ASSERT_TRUE(store->InsertInstance(SomeInstance("t", 100)).ok());
  }
  // Back to version 1 as an older otsync left it: no custom_parameters column.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "ALTER TABLE instances DROP COLUMN custom_parameters;"
                         "UPDATE schema_version SET version = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::vector<Instance>> instances = store->ListInstances({});
  ASSERT_TRUE(instances.ok()) << instances.status().ToString();
  ASSERT_EQ(instances->size(), 1u);
  EXPECT_EQ((*instances)[0].custom_parameters, "");
  EXPECT_EQ((*instances)[0].parameters, SomeInstance("t", 100).parameters);
  Instance custom = SomeInstance("t", 200);
  custom.custom_parameters = "startTime=20251101000000";
  Result<int64_t> id = store->InsertInstance(custom);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(store->GetInstance(*id)->custom_parameters, "startTime=20251101000000");
}

}  // namespace
}  // namespace otsync::schedule
