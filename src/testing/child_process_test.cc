#include "testing/child_process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "testing/temporary_directory.h"

namespace otsync::testing {
namespace {

using std::chrono::seconds;

TEST(ChildProcessTest, RunProcessCapturesBothStreamsAndTheExitCode) {
  Result<ChildExit> exit =
      RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, seconds(30));
  ASSERT_TRUE(exit.ok()) << exit.status().ToString();
  EXPECT_EQ(exit->exit_status, 3);
  EXPECT_FALSE(exit->signaled);
  EXPECT_EQ(exit->out, "out\n");
  EXPECT_EQ(exit->err, "err\n");
  EXPECT_GT(exit->max_rss_kib, 0);
}

TEST(ChildProcessTest, ExtraEnvironmentIsAddedAndFilesReceiveTheOutput) {
  TemporaryDirectory directory("otsync_child_process_test");
  ChildProcessOptions options;
  options.extra_env = {"OTSYNC_CHILD_TEST=present"};
  options.stdout_path = directory.Child("out");
  Result<ChildExit> exit =
      RunProcess({"/bin/sh", "-c", "echo $OTSYNC_CHILD_TEST"}, seconds(30), options);
  ASSERT_TRUE(exit.ok()) << exit.status().ToString();
  EXPECT_EQ(exit->exit_status, 0);
  EXPECT_EQ(exit->out, "");
  std::ifstream file(options.stdout_path);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), "present\n");
}

TEST(ChildProcessTest, TimeoutStopsTheChild) {
  Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Start({"/bin/sleep", "30"});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  const auto start = std::chrono::steady_clock::now();
  Result<ChildExit> exit = (*child)->Wait(std::chrono::milliseconds(100));
  EXPECT_EQ(exit.status().code(), StatusCode::kTimeout);
  EXPECT_FALSE((*child)->running());
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(15));
  Result<ChildExit> after = (*child)->Wait();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->signaled);
  EXPECT_EQ(after->exit_status, 128 + 15);  // SIGTERM.
}

TEST(ChildProcessTest, WaitForOutputLineReturnsTheWholeLine) {
  Result<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start({"/bin/sh", "-c", "echo first; sleep 0.2; echo 'ready at 42'; sleep 30"});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  Result<std::string> line = (*child)->WaitForOutputLine("ready", seconds(20));
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, "ready at 42");
  (*child)->Stop();
  EXPECT_FALSE((*child)->running());
}

TEST(ChildProcessTest, WaitForOutputLineReportsAChildThatExitedFirst) {
  Result<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start({"/bin/sh", "-c", "echo cannot start >&2; exit 1"});
  ASSERT_TRUE(child.ok());
  Result<std::string> line = (*child)->WaitForOutputLine("serving", seconds(20));
  EXPECT_EQ(line.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(line.status().message().find("cannot start"), std::string::npos);
}

TEST(ChildProcessTest, AProgramThatCannotStartIsAnError) {
  EXPECT_FALSE(ChildProcess::Start({"/nonexistent/program"}).ok());
  EXPECT_FALSE(ChildProcess::Start({}).ok());
}

}  // namespace
}  // namespace otsync::testing
