#include "base/durable_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/kill_point.h"
#include "testing/temporary_directory.h"

namespace otsync {
namespace {

int EntriesIn(const std::string& dir) {
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++entries;
  }
  return entries;
}

class DurableFileTest : public ::testing::Test {
 protected:
  otsync::testing::TemporaryDirectory directory_{"otsync_durable_file_test"};
  std::string dir_ = directory_.path().string();
};

TEST_F(DurableFileTest, ReplacesTheWholeContentAndLeavesNoTemporaryFile) {
  const std::string path = dir_ + "/state";
  ASSERT_TRUE(WriteFileAtomically(path, "first version, longer than the second").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  EXPECT_EQ(ReadWholeFile(path).value(), "second");
  EXPECT_EQ(EntriesIn(dir_), 1);
}

// A failing fsync (the fault point "file.sync", test builds) before the rename: the old content
// stays, whole, and no temporary file is left.
TEST_F(DurableFileTest, AFailedSyncLeavesTheOldContentAndNoTemporaryFile) {
  if (!KillPointsCompiledIn()) GTEST_SKIP() << "fault points are compiled only into test builds";
  const std::string path = dir_ + "/state";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  ASSERT_TRUE(ArmFaultPoint("file.sync", 1).ok());
  Status status = WriteFileAtomically(path, "new");
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_NE(status.message().find("could not sync " + path + ".tmp."), std::string::npos)
      << status.ToString();
  EXPECT_EQ(ReadWholeFile(path).value(), "old");
  EXPECT_EQ(EntriesIn(dir_), 1);
}

TEST_F(DurableFileTest, AppliesTheModeToANewFile) {
  const std::string path = dir_ + "/secret";
  ASSERT_TRUE(WriteFileAtomically(path, "key", 0600).ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(DurableFileTest, NamesTheFileThatCannotBeWrittenOrRead) {
  Status status = WriteFileAtomically(dir_ + "/missing-folder/state", "x");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(dir_ + "/missing-folder/state"), std::string::npos);
  Result<std::string> missing = ReadWholeFile(dir_ + "/nothing");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(dir_ + "/nothing"), std::string::npos);
  EXPECT_TRUE(SyncPath(dir_).ok());
}

TEST_F(DurableFileTest, WriteFileReplacesTheContentAndEndsWithTheModeGiven) {
  const std::string path = dir_ + "/job.json";
  ASSERT_TRUE(WriteFile(path, "a first script, longer than the second", 0644).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(WriteFile(path, "second", 0600).ok());
  EXPECT_EQ(ReadWholeFile(path).value(), "second");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  const std::string fresh = dir_ + "/fresh.json";
  const mode_t old_umask = ::umask(0077);
  Status written = WriteFile(fresh, std::string(1 << 20, 'x'), 0640);
  ::umask(old_umask);
  ASSERT_TRUE(written.ok()) << written.ToString();
  EXPECT_EQ(ReadWholeFile(fresh).value(), std::string(1 << 20, 'x'));
  ASSERT_EQ(::stat(fresh.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST_F(DurableFileTest, WriteFileNamesTheFileItCannotWrite) {
  const std::string path = dir_ + "/missing-folder/job.json";
  Status status = WriteFile(path, "x", 0600);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(path), std::string::npos);
}

TEST_F(DurableFileTest, WriteFileSyncedReplacesTheContentAndNamesTheFileItCannotWrite) {
  const std::string path = dir_ + "/manifest.tmp";
  ASSERT_TRUE(WriteFileSynced(path, "a first state, longer than the second").ok());
  ASSERT_TRUE(WriteFileSynced(path, "second").ok());
  EXPECT_EQ(ReadWholeFile(path).value(), "second");

  const std::string missing = dir_ + "/missing-folder/manifest.tmp";
  Status status = WriteFileSynced(missing, "x");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(missing), std::string::npos);
}

}  // namespace
}  // namespace otsync
