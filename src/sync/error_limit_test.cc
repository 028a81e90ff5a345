#include "sync/error_limit.h"

#include <gtest/gtest.h>

namespace otsync::sync {
namespace {

TEST(ErrorLimitTest, RecordLimitOverridesPercentage) {
  ErrorLimitChecker checker(ErrorLimitSpec{2, 0.0});
  EXPECT_TRUE(checker.CheckRecords(2).ok());
  Status status = checker.CheckRecords(3);
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_EQ(status.message(),
            "Framework-14: dirty record check failed: the limit is [2] records, but [3] were "
            "caught.");
  EXPECT_TRUE(checker.CheckFinal(2, 4).ok());  // 50 % but the record limit rules.
}

TEST(ErrorLimitTest, RecordZeroFailsOnTheFirstDirtyRecord) {
  ErrorLimitChecker checker(ErrorLimitSpec{0, std::nullopt});
  EXPECT_TRUE(checker.CheckRecords(0).ok());
  EXPECT_FALSE(checker.CheckRecords(1).ok());
}

TEST(ErrorLimitTest, PercentageOnlyAtTheEnd) {
  ErrorLimitChecker checker(ErrorLimitSpec{std::nullopt, 0.1});
  EXPECT_TRUE(checker.CheckRecords(1000).ok());
  EXPECT_TRUE(checker.CheckFinal(10, 100).ok());
  Status status = checker.CheckFinal(11, 100);
  EXPECT_NE(status.message().find("percentage check failed: the limit is [0.100000], but "
                                  "[0.110000]"),
            std::string::npos);
  EXPECT_TRUE(checker.CheckFinal(0, 0).ok());
}

TEST(ErrorLimitTest, NoLimitToleratesEverything) {
  ErrorLimitChecker checker(ErrorLimitSpec{});
  EXPECT_TRUE(checker.CheckFinal(100, 100).ok());
}

}  // namespace
}  // namespace otsync::sync
