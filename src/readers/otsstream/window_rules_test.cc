#include "readers/otsstream/window_rules.h"

#include <gtest/gtest.h>

namespace otsync::readers::otsstream {
namespace {

constexpr int64_t kNow = 1516010400000;  // 2018-01-15T10:00Z
constexpr int64_t kHour = 3'600'000;

TEST(WindowRulesTest, FormatsUtcMinutes) {
  EXPECT_EQ(FormatIsoMinuteUtc(kNow), "2018-01-15T10:00Z");
  EXPECT_EQ(FormatIsoMinuteUtc(kNow + 59'999), "2018-01-15T10:00Z");
  EXPECT_EQ(FormatIsoMinuteUtc(0), "1970-01-01T00:00Z");
}

TEST(WindowRulesTest, AcceptsTheBoundaries) {
  const WindowMargins margins;
  EXPECT_TRUE(CheckWindow(kNow - 24 * kHour + 600'000, kNow - 300'000, kNow, 24, margins).ok());
}

TEST(WindowRulesTest, StartTooEarlyHasDataXsMessage) {
  const Status status = CheckWindow(kNow - 24 * kHour + 599'999, kNow - kHour, kNow, 24, {});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "As expiration time is 86400000, so the start timestamp must greater than "
            "2018-01-14T10:10Z(1515924600000)");
}

TEST(WindowRulesTest, EndTooLateHasDataXsMessage) {
  const Status status = CheckWindow(kNow - kHour, kNow - 299'999, kNow, 24, {});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "To avoid timing error between different machines, the end timestamp must smaller "
            "than 2018-01-15T09:55Z(1516010100000)");
}

TEST(WindowRulesTest, StartIsCheckedFirst) {
  const Status status = CheckWindow(0, kNow, kNow, 24, {});
  EXPECT_NE(status.message().find("As expiration time is"), std::string::npos);
}

TEST(WindowRulesTest, MarginsAreAdjustable) {
  WindowMargins margins;
  margins.after_end_millis = 0;
  margins.before_expiration_millis = 0;
  EXPECT_TRUE(CheckWindow(kNow - 24 * kHour, kNow, kNow, 24, margins).ok());
  EXPECT_FALSE(CheckWindow(kNow - 24 * kHour, kNow + 1, kNow, 24, margins).ok());
}

}  // namespace
}  // namespace otsync::readers::otsstream
