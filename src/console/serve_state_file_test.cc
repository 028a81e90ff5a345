#include "console/serve_state_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace otsync::console {
namespace {

class ServeStateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("serve-state-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ServeStateFileTest, NoFileMeansNoServer) {
  Result<ServeState> found = FindRunningServer(dir_.string());
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kNotFound);
  EXPECT_NE(found.status().message().find("otsync serve --data-dir"), std::string::npos);
}

TEST_F(ServeStateFileTest, ThisTestProcessIsNotOtsync) {
  // The test binary is console_test: alive, but not an otsync process, so a file naming it is
  // stale (a reused pid).
  ASSERT_TRUE(
      WriteServeState(dir_.string(), {::getpid(), "http://127.0.0.1:1", "127.0.0.1:1"}).ok());
  EXPECT_FALSE(IsOtsyncProcess(::getpid()));
  EXPECT_FALSE(FindRunningServer(dir_.string()).ok());
}

TEST_F(ServeStateFileTest, AFileOfAnEndedProcessIsStale) {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(WriteServeState(dir_.string(), {child, "http://127.0.0.1:1", "127.0.0.1:1"}).ok());
  Result<ServeState> found = FindRunningServer(dir_.string());
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.status().message().find("has ended"), std::string::npos)
      << found.status().message();
}

TEST_F(ServeStateFileTest, RemoveLeavesAnotherServersFile) {
  ASSERT_TRUE(WriteServeState(dir_.string(), {4242, "http://127.0.0.1:1", "127.0.0.1:1"}).ok());
  RemoveServeState(dir_.string(), 4243);
  EXPECT_TRUE(std::filesystem::exists(ServeStatePath(dir_.string())));
  RemoveServeState(dir_.string(), 4242);
  EXPECT_FALSE(std::filesystem::exists(ServeStatePath(dir_.string())));
}

}  // namespace
}  // namespace otsync::console
