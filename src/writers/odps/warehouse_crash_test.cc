// The warehouse after SIGKILL at every step of a load and its commit (base/kill_point.h), and
// the property that makes that safe: a committed file is never written again.
//
// The regression this guards against: a single DuckDB database file rewrites metadata blocks in
// place at a checkpoint; a process killed during that write left a file whose both headers
// pointed at a torn block, and every table was lost (docs/reliability.md).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/kill_point.h"
#include "writers/odps/warehouse_test_support.h"

namespace otsync::odps {
namespace {

using testing::CountOf;
using testing::LoadRows;
using testing::TemporaryWarehouse;
using testing::Window;

namespace fs = std::filesystem;

struct KillCase {
  const char* point;
  bool committed;  // Whether the state after the kill holds the load.
};

// In protocol order (warehouse_commit.h).
constexpr KillCase kKillCases[] = {
    {"warehouse.load.after_file_staged", false},
    {"warehouse.commit.after_lock", false},
    {"warehouse.commit.after_files_moved", false},
    {"warehouse.commit.after_manifest_written", false},
    {"warehouse.commit.after_manifest_linked", true},
    {"warehouse.commit.after_publish", true},
};

class WarehouseCrashTest : public ::testing::TestWithParam<KillCase> {};

TEST_P(WarehouseCrashTest, AKillAtAnyStepLeavesTheOldStateOrTheNewOneWhole) {
  if (!KillPointsCompiledIn()) GTEST_SKIP() << "kill points are compiled only into test builds";
  const KillCase kill = GetParam();
  TemporaryWarehouse folder;
  {
    std::unique_ptr<Warehouse> warehouse = folder.Open();
    ASSERT_TRUE(warehouse->CreateTable(ParseTableSpec(testing::kPersonSpec).value()).ok());
    ASSERT_TRUE(LoadRows(*warehouse, "1", true, "old", 40)->Commit(Window(0, 10)).ok());
  }

  pid_t child = ::fork();
  if (child == 0) {
    if (!ArmKillPoint(kill.point, 1).ok()) ::_exit(3);
    std::unique_ptr<Warehouse> warehouse = folder.Open();
    std::unique_ptr<PartitionLoad> load = LoadRows(*warehouse, "1", false, "new", 25);
    (void)load->Commit(Window(10, 20));
    ::_exit(4);  // Not killed: the point was never reached.
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << kill.point << " was not reached (exit " << WEXITSTATUS(status) << ")";

  std::unique_ptr<Warehouse> warehouse = folder.Open();
  Result<WarehouseCheckReport> check = warehouse->Check();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok()) << kill.point << ": " << check->problems[0];
  EXPECT_EQ(CountOf(*warehouse, "SELECT count(*) FROM person"), kill.committed ? 65 : 40);
  EXPECT_EQ(warehouse->FindCommittedWindow("person", "pt=1", Window(10, 20).key)->has_value(),
            kill.committed);

  // The rerun of the window does what a clean run does, and leaves nothing of the killed one.
  std::unique_ptr<PartitionLoad> rerun = LoadRows(*warehouse, "1", false, "new", 25);
  Status committed = rerun->Commit(Window(10, 20));
  EXPECT_EQ(committed.code(), kill.committed ? StatusCode::kAlreadyExists : StatusCode::kOk)
      << committed.ToString();
  EXPECT_EQ(CountOf(*warehouse, "SELECT count(*) FROM person"), 65);
  check = warehouse->Check();
  EXPECT_TRUE(check->ok());
  EXPECT_TRUE(check->notes.empty()) << kill.point << ": " << check->notes[0];
}

INSTANTIATE_TEST_SUITE_P(EveryStep, WarehouseCrashTest, ::testing::ValuesIn(kKillCases),
                         [](const ::testing::TestParamInfo<KillCase>& info) {
                           std::string name = info.param.point;
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

std::map<std::string, std::string> FileContents(const std::string& root) {
  std::map<std::string, std::string> contents;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    if (name.starts_with("_commit.")) continue;  // The lock file, never part of a state.
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    contents[entry.path().string()] = bytes.str();
  }
  return contents;
}

TEST(WarehouseImmutabilityTest, ACommittedFileIsNeverWrittenAgain) {
  TemporaryWarehouse folder;
  std::unique_ptr<Warehouse> warehouse = folder.Open();
  ASSERT_TRUE(warehouse->CreateTable(ParseTableSpec(testing::kPersonSpec).value()).ok());
  ASSERT_TRUE(LoadRows(*warehouse, "1", true, "a", 100)->Commit(Window(0, 10)).ok());
  ASSERT_TRUE(LoadRows(*warehouse, "2", false, "b", 100)->Commit(Window(0, 10)).ok());
  std::map<std::string, std::string> before = FileContents(folder.path());
  ASSERT_GE(before.size(), 4u);  // Two data files and the manifests.

  // Appends, a replacement of partition 1, a new table: every earlier file keeps its bytes.
  ASSERT_TRUE(LoadRows(*warehouse, "2", false, "c", 100)->Commit(Window(10, 20)).ok());
  ASSERT_TRUE(LoadRows(*warehouse, "1", true, "d", 10)->Commit(Window(10, 20)).ok());
  ASSERT_TRUE(warehouse->CreateTable(ParseTableSpec("other(a STRING)").value()).ok());
  std::map<std::string, std::string> after = FileContents(folder.path());
  for (const auto& [path, bytes] : before) {
    ASSERT_EQ(after.count(path), 1u) << path << " disappeared";
    EXPECT_TRUE(after[path] == bytes) << path << " was rewritten";
  }
  EXPECT_EQ(CountOf(*warehouse, "SELECT count(*) FROM person"), 210);
}

}  // namespace
}  // namespace otsync::odps
