#include "base/durable_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include "testing/temporary_directory.h"

namespace otsync {
namespace {

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
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
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

}  // namespace
}  // namespace otsync
