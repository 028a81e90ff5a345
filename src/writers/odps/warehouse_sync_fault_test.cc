// The warehouse when an fsync fails (the fault point "file.sync" of base/durable_file.cc, live in
// test builds) at each sync of a load and its commit, one at a time: the commit fails with the
// sync's error, the warehouse stays whole, and the rerun of the window leaves it committed
// exactly once, with nothing of the failed commit left behind.
#include <gtest/gtest.h>

#include "base/kill_point.h"
#include "writers/odps/warehouse_test_support.h"

namespace otsync::odps {
namespace {

using testing::CountOf;
using testing::LoadRows;
using testing::TemporaryWarehouse;
using testing::Window;

TEST(WarehouseSyncFaultTest, AFailedSyncAtAnyStepFailsTheCommitAndTheRerunCommitsOnce) {
  if (!KillPointsCompiledIn()) GTEST_SKIP() << "fault points are compiled only into test builds";
  int faults = 0;
  for (int hit = 1; hit <= 50; ++hit) {
    TemporaryWarehouse folder;
    std::unique_ptr<Warehouse> warehouse = folder.Open();
    ASSERT_TRUE(warehouse->CreateTable(ParseTableSpec(testing::kPersonSpec).value()).ok());
    ASSERT_TRUE(LoadRows(*warehouse, "1", true, "old", 40)->Commit(Window(0, 10)).ok());

    ASSERT_TRUE(ArmFaultPoint("file.sync", hit).ok());
    std::unique_ptr<PartitionLoad> load = LoadRows(*warehouse, "1", false, "new", 25);
    const Status committed = load->Commit(Window(10, 20));
    const bool reached = !DisarmFaultPoint();
    load.reset();  // A failed load is discarded (its staging folder with it).
    if (!reached) {
      ASSERT_TRUE(committed.ok()) << committed.ToString();
      break;  // Every sync of the load and its commit has failed once.
    }
    ++faults;
    EXPECT_EQ(committed.code(), StatusCode::kIOError)
        << "sync " << hit << ": " << committed.ToString();
    EXPECT_NE(committed.message().find("(an injected fault)"), std::string::npos)
        << committed.ToString();

    Result<WarehouseCheckReport> check = warehouse->Check();
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_TRUE(check->ok()) << "sync " << hit << ": " << check->problems[0];
    const int64_t rows = CountOf(*warehouse, "SELECT count(*) FROM person");
    EXPECT_TRUE(rows == 40 || rows == 65) << "sync " << hit << ": " << rows << " rows";

    // The rerun: committed now, or recognised as committed by the failed commit (whose state was
    // published before the sync that failed made it durable).
    const Status rerun = LoadRows(*warehouse, "1", false, "new", 25)->Commit(Window(10, 20));
    EXPECT_TRUE(rerun.ok() || rerun.code() == StatusCode::kAlreadyExists)
        << "sync " << hit << ": " << rerun.ToString();
    EXPECT_EQ(rerun.ok(), rows == 40) << "sync " << hit;
    EXPECT_EQ(CountOf(*warehouse, "SELECT count(*) FROM person"), 65) << "sync " << hit;
    check = warehouse->Check();
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->ok()) << "sync " << hit;
    EXPECT_TRUE(check->notes.empty()) << "sync " << hit << ": " << check->notes[0];
  }
  EXPECT_GE(faults, 3) << "the data folder's sync, the manifest's and the manifest folder's";
}

}  // namespace
}  // namespace otsync::odps
