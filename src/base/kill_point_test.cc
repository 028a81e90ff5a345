#include "base/kill_point.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace otsync {
namespace {

// Runs `body` in a child process; returns the signal that ended it (0 when it exited).
template <typename Body>
int SignalEndingChild(Body body) {
  pid_t child = ::fork();
  if (child == 0) {
    body();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

TEST(KillPointTest, KillsAtTheArmedHitOfTheArmedPointOnly) {
  if (!KillPointsCompiledIn()) {
    EXPECT_EQ(ArmKillPoint("a.b", 1).code(), StatusCode::kUnsupported);
    GTEST_SKIP() << "kill points are compiled only into test builds";
  }
  EXPECT_EQ(SignalEndingChild([] {
              if (!ArmKillPointFromText("commit.after_write:3").ok()) ::_exit(3);
              KillPointReached("commit.after_write");
              KillPointReached("commit.other");
              KillPointReached("commit.after_write");
            }),
            0);
  EXPECT_EQ(SignalEndingChild([] {
              if (!ArmKillPointFromText("commit.after_write:2").ok()) ::_exit(3);
              KillPointReached("commit.after_write");
              KillPointReached("commit.after_write");
              ::_exit(4);
            }),
            SIGKILL);
  EXPECT_EQ(SignalEndingChild([] { KillPointReached("commit.after_write"); }), 0);
}

TEST(KillPointTest, RefusesMalformedArming) {
  if (!KillPointsCompiledIn()) GTEST_SKIP() << "kill points are compiled only into test builds";
  EXPECT_EQ(ArmKillPointFromText("name:x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ArmKillPointFromText("name:0").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ArmKillPointFromText(":2").code(), StatusCode::kInvalidArgument);
}

TEST(FaultPointTest, FailsTheArmedCallOfTheArmedPointOnlyOnce) {
  if (!KillPointsCompiledIn()) {
    EXPECT_EQ(ArmFaultPoint("file.sync", 1).code(), StatusCode::kUnsupported);
    EXPECT_FALSE(FaultPointReached("file.sync"));
    GTEST_SKIP() << "fault points are compiled only into test builds";
  }
  ASSERT_TRUE(ArmFaultPoint("file.sync", 2).ok());
  EXPECT_FALSE(FaultPointReached("file.sync"));
  EXPECT_FALSE(FaultPointReached("file.other"));
  EXPECT_TRUE(FaultPointReached("file.sync"));
  EXPECT_FALSE(FaultPointReached("file.sync")) << "once";
  EXPECT_FALSE(DisarmFaultPoint()) << "the armed call has come";

  ASSERT_TRUE(ArmFaultPoint("file.sync", 3).ok());
  EXPECT_FALSE(FaultPointReached("file.sync"));
  EXPECT_TRUE(DisarmFaultPoint()) << "the armed call had not come";
  EXPECT_FALSE(FaultPointReached("file.sync"));
  EXPECT_FALSE(FaultPointReached("file.sync"));
  EXPECT_EQ(ArmFaultPoint("", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ArmFaultPoint("file.sync", 0).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace otsync
