#include "schedule/cycle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schedule/instance_times.h"

namespace otsync::schedule {
namespace {

const sync::TimeZone kShanghai = sync::TimeZone::Shanghai();

int64_t At(const std::string& wall, const sync::TimeZone& zone = kShanghai) {
  Result<sync::CivilTime> time = ParseWallClockTime(wall);
  EXPECT_TRUE(time.ok()) << wall;
  return sync::ToEpochSeconds(*time, zone);
}

std::vector<std::string> Walls(const std::vector<int64_t>& times,
                               const sync::TimeZone& zone = kShanghai) {
  std::vector<std::string> walls;
  for (int64_t time : times) {
    sync::CivilTime civil = sync::ToCivilTime(time, zone);
    char text[32];
    std::snprintf(text, sizeof(text), "%04d-%02u-%02u %02d:%02d", civil.year, civil.month,
                  civil.day, civil.hour, civil.minute);
    walls.push_back(text);
  }
  return walls;
}

Cycle Parsed(const std::string& text) {
  Result<Cycle> cycle = ParseCycle(text);
  EXPECT_TRUE(cycle.ok()) << text << ": " << cycle.status().ToString();
  return cycle.ok() ? *cycle : Cycle{};
}

std::vector<std::string> Next(const std::string& cycle, const std::string& after, size_t count) {
  return Walls(NextSchedulingTimes(Parsed(cycle), kShanghai, At(after), count));
}

TEST(CycleTest, TextRoundTripsInCanonicalForm) {
  for (const char* text :
       {"minute 5 00:00-23:59", "minute 15 08:30-18:00", "hour 2 00:05-23:59", "hours 0,6,12 :05",
        "day 00:30", "week mon,fri 02:00", "month 1,15,31 04:00"}) {
    EXPECT_EQ(FormatCycle(Parsed(text)), text);
  }
  EXPECT_EQ(FormatCycle(Parsed("minute 5")), "minute 5 00:00-23:59");
  EXPECT_EQ(FormatCycle(Parsed("hours 12,0,6,6 :05")), "hours 0,6,12 :05");
}

TEST(CycleTest, RefusesMalformedTextNamingThePart) {
  struct Case {
    const char* text;
    const char* message_part;
  };
  for (const Case& c : std::vector<Case>{
           {"", "empty"},
           {"minutely 5", "unknown kind 'minutely'"},
           {"minute 0", "interval '0'"},
           {"minute 60", "interval '60'"},
           {"hour 24", "interval '24'"},
           {"minute 5 10:00-09:00", "ends before it starts"},
           {"minute 5 10:00", "HH:MM-HH:MM"},
           {"day 24:00", "HH:MM, got '24:00'"},
           {"day 7:00", "HH:MM, got '7:00'"},
           {"week monday 02:00", "'monday' is not a weekday"},
           {"month 0 02:00", "'0' is not a day of the month"},
           {"month 32 02:00", "'32' is not a day of the month"},
           {"hours 24 :05", "'24' is not an hour"},
           {"hours 1,2 05", ":MM"},
       }) {
    Result<Cycle> cycle = ParseCycle(c.text);
    ASSERT_FALSE(cycle.ok()) << c.text;
    EXPECT_NE(cycle.status().message().find(c.message_part), std::string::npos)
        << c.text << " -> " << cycle.status().message();
  }
}

TEST(CycleTest, MinuteCycleCrossesMidnightRestartingAtTheRangeStart) {
  EXPECT_EQ(Next("minute 7", "2025-10-31 23:40:00", 4),
            (std::vector<std::string>{"2025-10-31 23:41", "2025-10-31 23:48", "2025-10-31 23:55",
                                      "2025-11-01 00:00"}));
  EXPECT_EQ(Next("minute 5", "2025-12-31 23:50:00", 3),
            (std::vector<std::string>{"2025-12-31 23:55", "2026-01-01 00:00", "2026-01-01 00:05"}));
  // Strictly after: a time equal to `after` is not next.
  EXPECT_EQ(Next("minute 5", "2025-11-01 10:05:00", 1),
            (std::vector<std::string>{"2025-11-01 10:10"}));
  EXPECT_EQ(Next("minute 5", "2025-11-01 10:04:59", 1),
            (std::vector<std::string>{"2025-11-01 10:05"}));
}

TEST(CycleTest, MinuteCycleStaysInsideItsRange) {
  EXPECT_EQ(Next("minute 30 08:00-09:00", "2025-11-01 08:45:00", 4),
            (std::vector<std::string>{"2025-11-01 09:00", "2025-11-02 08:00", "2025-11-02 08:30",
                                      "2025-11-02 09:00"}));
}

TEST(CycleTest, HourCycles) {
  EXPECT_EQ(Next("hour 1 00:05-23:59", "2025-11-01 22:10:00", 3),
            (std::vector<std::string>{"2025-11-01 23:05", "2025-11-02 00:05", "2025-11-02 01:05"}));
  EXPECT_EQ(Next("hour 5 01:00-23:00", "2025-11-01 20:00:00", 3),
            (std::vector<std::string>{"2025-11-01 21:00", "2025-11-02 01:00", "2025-11-02 06:00"}));
  EXPECT_EQ(Next("hours 0,6,12 :05", "2025-11-01 06:05:00", 3),
            (std::vector<std::string>{"2025-11-01 12:05", "2025-11-02 00:05", "2025-11-02 06:05"}));
}

TEST(CycleTest, DayWeekAndMonthCycles) {
  EXPECT_EQ(Next("day 00:30", "2025-12-31 00:30:00", 2),
            (std::vector<std::string>{"2026-01-01 00:30", "2026-01-02 00:30"}));
  // 2025-11-01 is a Saturday.
  EXPECT_EQ(Next("week mon,fri 02:00", "2025-11-01 00:00:00", 3),
            (std::vector<std::string>{"2025-11-03 02:00", "2025-11-07 02:00", "2025-11-10 02:00"}));
  // The 31st only in months that have one; February 29 only in leap years.
  EXPECT_EQ(Next("month 31 04:00", "2025-01-31 05:00:00", 3),
            (std::vector<std::string>{"2025-03-31 04:00", "2025-05-31 04:00", "2025-07-31 04:00"}));
  EXPECT_EQ(Next("month 29 00:00", "2027-02-01 00:00:00", 2),
            (std::vector<std::string>{"2027-03-29 00:00", "2027-04-29 00:00"}));
  EXPECT_EQ(Next("month 1,15 23:59", "2025-12-15 23:59:00", 2),
            (std::vector<std::string>{"2026-01-01 23:59", "2026-01-15 23:59"}));
}

TEST(CycleTest, TimesBetweenAreHalfOpen) {
  const Cycle hourly = Parsed("hour 1 00:00-23:59");
  EXPECT_EQ(Walls(SchedulingTimesBetween(hourly, kShanghai, At("2025-11-01 00:00:00"),
                                         At("2025-11-01 04:00:00"))),
            (std::vector<std::string>{"2025-11-01 00:00", "2025-11-01 01:00", "2025-11-01 02:00",
                                      "2025-11-01 03:00"}));
  EXPECT_TRUE(SchedulingTimesBetween(hourly, kShanghai, At("2025-11-01 04:00:00"),
                                     At("2025-11-01 04:00:00"))
                  .empty());
  // Across a year's end, every 5 minutes: 12 per hour.
  EXPECT_EQ(SchedulingTimesBetween(Parsed("minute 5"), kShanghai, At("2025-12-31 23:00:00"),
                                   At("2026-01-01 01:00:00"))
                .size(),
            24u);
}

TEST(CycleTest, TimesAreInTheTasksZone) {
  const sync::TimeZone utc = sync::TimeZone::Utc();
  std::vector<int64_t> times =
      NextSchedulingTimes(Parsed("day 00:30"), utc, At("2025-11-01 00:00:00", utc), 1);
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(times[0], At("2025-11-01 08:30:00"));  // 00:30 UTC is 08:30 in Shanghai.
}

}  // namespace
}  // namespace otsync::schedule
