// Several loads and readers on one warehouse at once: each Warehouse object below stands for a
// process (they share nothing but the folder).
#include <gtest/gtest.h>

#include "writers/odps/manifest_log.h"
#include "writers/odps/warehouse_test_support.h"

namespace otsync::odps {
namespace {

using testing::CountOf;
using testing::LoadRows;
using testing::TemporaryWarehouse;
using testing::Window;

class WarehouseConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    first_ = warehouse_.Open();
    second_ = warehouse_.Open();
    ASSERT_TRUE(first_ && second_);
    ASSERT_TRUE(first_->CreateTable(ParseTableSpec(testing::kPersonSpec).value()).ok());
  }
  TemporaryWarehouse warehouse_;
  std::unique_ptr<Warehouse> first_;
  std::unique_ptr<Warehouse> second_;
};

TEST_F(WarehouseConcurrencyTest, LoadsRunSideBySideAndReadersSeeTheLastCommittedState) {
  std::unique_ptr<PartitionLoad> a = LoadRows(*first_, "1", /*truncate=*/true, "a", 300);
  std::unique_ptr<PartitionLoad> b = LoadRows(*second_, "2", /*truncate=*/true, "b", 200);
  std::unique_ptr<PartitionLoad> c = LoadRows(*second_, "1", /*truncate=*/false, "c", 50);
  ASSERT_TRUE(a && b && c);
  // Three loads are open; the warehouse is neither locked nor showing any of their rows.
  EXPECT_EQ(CountOf(*first_, "SELECT count(*) FROM person"), 0);
  ASSERT_TRUE(b->Commit(Window(0, 10)).ok());
  EXPECT_EQ(CountOf(*first_, "SELECT count(*) FROM person"), 200);
  ASSERT_TRUE(a->Commit(Window(0, 10)).ok());
  ASSERT_TRUE(c->Commit(Window(10, 20)).ok());
  EXPECT_EQ(CountOf(*second_, "SELECT count(*) FROM person WHERE pt = '1'"), 350);
  EXPECT_EQ(CountOf(*second_, "SELECT count(*) FROM person WHERE pt = '2'"), 200);
  EXPECT_EQ(CountOf(*second_, "SELECT count(*) FROM _otsync_windows"), 3);
  Result<WarehouseCheckReport> check = first_->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok()) << check->problems[0];
  EXPECT_EQ(check->rows, 550);
}

TEST_F(WarehouseConcurrencyTest, TheSameWindowLoadedTwiceAtOnceIsCommittedOnce) {
  std::unique_ptr<PartitionLoad> a = LoadRows(*first_, "1", /*truncate=*/false, "x", 100);
  std::unique_ptr<PartitionLoad> b = LoadRows(*second_, "1", /*truncate=*/false, "x", 100);
  ASSERT_TRUE(a->Commit(Window(0, 10)).ok());
  Status again = b->Commit(Window(0, 10));
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.ToString();
  EXPECT_EQ(CountOf(*first_, "SELECT count(*) FROM person"), 100);

  // Insert Overwrite: both commits succeed, and the partition holds one copy.
  std::unique_ptr<PartitionLoad> c = LoadRows(*first_, "2", /*truncate=*/true, "y", 70);
  std::unique_ptr<PartitionLoad> d = LoadRows(*second_, "2", /*truncate=*/true, "y", 70);
  ASSERT_TRUE(c->Commit(Window(0, 10)).ok());
  ASSERT_TRUE(d->Commit(Window(0, 10)).ok());
  EXPECT_EQ(CountOf(*first_, "SELECT count(*) FROM person WHERE pt = '2'"), 70);
  EXPECT_TRUE(first_->Check()->ok());
}

TEST_F(WarehouseConcurrencyTest, TheLockIsHeldOnlyByACommitAndAWaiterNamesItsHolder) {
  std::unique_ptr<PartitionLoad> open_load = LoadRows(*first_, "1", true, "a", 10);
  const ManifestLog& log = second_->manifest_log();
  {
    // An open load does not hold the lock.
    Result<CommitLock> lock = log.LockForCommit("committing partition pt=9 of table person", 0);
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    Result<CommitLock> waiter = log.LockForCommit("another commit", 200'000);
    ASSERT_FALSE(waiter.ok());
    EXPECT_EQ(waiter.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(waiter.status().message().find("process " + std::to_string(::getpid()) +
                                             " (committing partition pt=9 of table person)"),
              std::string::npos)
        << waiter.status().message();
    // Readers are not held up by a commit in progress.
    EXPECT_EQ(CountOf(*first_, "SELECT count(*) FROM person"), 0);
  }
  EXPECT_TRUE(open_load->Commit(Window(0, 1)).ok());
}

TEST_F(WarehouseConcurrencyTest, QueriesCannotChangeTables) {
  Result<QueryResult> insert = first_->Query("INSERT INTO person VALUES ('a', 1, '1')");
  ASSERT_FALSE(insert.ok());
  EXPECT_EQ(insert.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(insert.status().message().find("read-only"), std::string::npos);
  EXPECT_FALSE(first_->Query("DROP TABLE person").ok());
  EXPECT_FALSE(first_->Query("SELECT 1; CREATE TABLE t AS SELECT 1").ok());
  EXPECT_EQ(CountOf(*first_, "SELECT 1; SELECT count(*) FROM person"), 0);
}

}  // namespace
}  // namespace otsync::odps
