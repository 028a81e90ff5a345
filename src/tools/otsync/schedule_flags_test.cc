#include "tools/otsync/schedule_flags.h"

#include <gtest/gtest.h>

namespace otsync::tools {
namespace {

std::string Cycle(std::string_view text) {
  Result<std::string> cycle = CycleFromFlag(text);
  EXPECT_TRUE(cycle.ok()) << text << ": " << cycle.status().ToString();
  return cycle.ok() ? *cycle : "";
}

TEST(CycleFromFlagTest, ReadableFormsBecomeTheSchedulersText) {
  EXPECT_EQ(Cycle("5m"), "minute 5 00:00-23:59");
  EXPECT_EQ(Cycle("5m 08:00-20:00"), "minute 5 08:00-20:00");
  EXPECT_EQ(Cycle("every 5 minutes"), "minute 5 00:00-23:59");
  EXPECT_EQ(Cycle("Every 10 minutes from 08:00 to 20:30"), "minute 10 08:00-20:30");
  EXPECT_EQ(Cycle("every minute"), "minute 1 00:00-23:59");
  EXPECT_EQ(Cycle("2h"), Cycle("hour 2"));
  EXPECT_EQ(Cycle("every 2 hours from 06:00 to 18:00"), Cycle("hour 2 06:00-18:00"));
  EXPECT_EQ(Cycle("every hour"), Cycle("hour 1"));
  EXPECT_EQ(Cycle("at :30 on hours 1,13"), Cycle("hours 1,13 :30"));
  EXPECT_EQ(Cycle("daily at 02:00"), "day 02:00");
  EXPECT_EQ(Cycle("weekly on mon,fri at 02:15"), Cycle("week mon,fri 02:15"));
  EXPECT_EQ(Cycle("monthly on 1,15 at 03:00"), Cycle("month 1,15 03:00"));
}

TEST(CycleFromFlagTest, TheSchedulersTextPassesCanonicalised) {
  EXPECT_EQ(Cycle("minute 5"), "minute 5 00:00-23:59");
  EXPECT_EQ(Cycle("  day   02:00 "), "day 02:00");
}

TEST(CycleFromFlagTest, BadCyclesNameTheFlagAndTheForms) {
  for (std::string_view bad : {"", "every 7 fortnights", "5x", "every 90 minutes", "daily at 25:00",
                               "weekly on funday at 02:00", "every 5 minutes from 08:00"}) {
    Result<std::string> cycle = CycleFromFlag(bad);
    ASSERT_FALSE(cycle.ok()) << bad;
    EXPECT_EQ(cycle.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(cycle.status().message().starts_with("--cycle")) << cycle.status().message();
    EXPECT_NE(cycle.status().message().find("daily at HH:MM"), std::string::npos);
  }
}

TEST(ParametersFromFlagsTest, JoinsListAndAssignmentsInOrder) {
  Result<std::string> joined = ParametersFromFlags(
      {"startTime=$[yyyymmddhh24miss-10/24/60]", "endTime=$[yyyymmddhh24miss-5/24/60]"},
      "pt=${bdp.system.bizdate}");
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(*joined,
            "pt=${bdp.system.bizdate} startTime=$[yyyymmddhh24miss-10/24/60] "
            "endTime=$[yyyymmddhh24miss-5/24/60]");
  Result<std::string> none = ParametersFromFlags({}, "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");
}

TEST(ParametersFromFlagsTest, RefusesSpacesMissingEqualsAndRepeatedNames) {
  Result<std::string> space = ParametersFromFlags({"day=${yyyy-mm-dd} 00:00"}, "");
  ASSERT_FALSE(space.ok());
  EXPECT_NE(space.status().message().find("--param 'day=${yyyy-mm-dd} 00:00'"), std::string::npos);
  EXPECT_NE(space.status().message().find("space"), std::string::npos);

  Result<std::string> no_equals = ParametersFromFlags({"startTime"}, "");
  ASSERT_FALSE(no_equals.ok());
  EXPECT_NE(no_equals.status().message().find("--param 'startTime'"), std::string::npos);

  Result<std::string> twice = ParametersFromFlags({"a=2"}, "a=1");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("--param"), std::string::npos);
  EXPECT_NE(twice.status().message().find("a"), std::string::npos);

  Result<std::string> bad_list = ParametersFromFlags({}, "a=1 a=2");
  ASSERT_FALSE(bad_list.ok());
  EXPECT_TRUE(bad_list.status().message().starts_with("--params")) << bad_list.status().message();
}

TEST(SchedulingTimeFromFlagTest, AcceptsSecondsOrMinutes) {
  Result<std::string> full = SchedulingTimeFromFlag("--at", "2025-11-01 10:35:07");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(*full, "2025-11-01 10:35:07");
  Result<std::string> minutes = SchedulingTimeFromFlag("--from", "2025-11-01 10:35");
  ASSERT_TRUE(minutes.ok());
  EXPECT_EQ(*minutes, "2025-11-01 10:35:00");
  Result<std::string> iso = SchedulingTimeFromFlag("--at", "2024-02-29T23:59");
  ASSERT_TRUE(iso.ok());
  EXPECT_EQ(*iso, "2024-02-29 23:59:00");
}

TEST(SchedulingTimeFromFlagTest, RefusesOtherTextNamingTheFlag) {
  for (std::string_view bad : {"now", "20251101", "2025-13-01 00:00:00", "2025-11-01 24:00:00",
                               "2025-11-01 10:61", "1761964500", "2025-02-29 10:00",
                               "2025-04-31 10:00:00", "2025-11-01 10:35:7", "2025-11-01  10:35"}) {
    Result<std::string> time = SchedulingTimeFromFlag("--to", bad);
    ASSERT_FALSE(time.ok()) << bad;
    EXPECT_TRUE(time.status().message().starts_with("--to '" + std::string(bad) + "'"))
        << time.status().message();
  }
}

TEST(BusinessDatesFromFlagTest, RangeOrOneDay) {
  Result<BusinessDateRange> range = BusinessDatesFromFlag("20251030..20251031");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->first, "20251030");
  EXPECT_EQ(range->last, "20251031");
  Result<BusinessDateRange> one = BusinessDatesFromFlag("20251030");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->last, "20251030");
  EXPECT_FALSE(BusinessDatesFromFlag("20251031..20251030").ok());
  EXPECT_FALSE(BusinessDatesFromFlag("2025-10-30").ok());
}

}  // namespace
}  // namespace otsync::tools
