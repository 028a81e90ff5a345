#include "sync/local_time.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "testing/temporary_directory.h"

namespace otsync::sync {
namespace {

TEST(LocalTimeTest, ParsesCompactTimesInTheZone) {
  EXPECT_EQ(*ParseCompactDateTime("20171019161000", TimeZone::Shanghai()), 1508400600000);
  EXPECT_EQ(*ParseCompactDateTime("20171019081000", TimeZone::Utc()), 1508400600000);
  EXPECT_EQ(*ParseCompactDate("20171019", TimeZone::Shanghai()), 1508342400000);
}

TEST(LocalTimeTest, RejectsMalformedOrOutOfRangeTimes) {
  for (const char* text : {"201710191610", "2017101916100x", "20171332000000", "20170230000000",
                           "20171019246000", "", "2017-10-19 16:10"}) {
    EXPECT_FALSE(ParseCompactDateTime(text, TimeZone::Utc()).ok()) << text;
  }
  EXPECT_FALSE(ParseCompactDate("2017101", TimeZone::Utc()).ok());
  EXPECT_FALSE(ParseCompactDate("20170229", TimeZone::Utc()).ok());
  EXPECT_TRUE(ParseCompactDate("20160229", TimeZone::Utc()).ok());
}

TEST(LocalTimeTest, FormatsInTheZone) {
  EXPECT_EQ(FormatCompactDateTime(1508400600000, TimeZone::Shanghai()), "20171019161000");
  EXPECT_EQ(FormatCompactDate(1508432400000, TimeZone::Shanghai()), "20171020");
  EXPECT_EQ(FormatCompactDate(1508432400000, TimeZone::Utc()), "20171019");
  EXPECT_EQ(FormatCompactDateTime(-1000, TimeZone::Utc()), "19691231235959");
}

TEST(LocalTimeTest, ParsesZoneNamesAndOffsets) {
  EXPECT_EQ(ParseTimeZone("Asia/Shanghai")->offset_seconds, 8 * 3600);
  EXPECT_EQ(ParseTimeZone("utc")->offset_seconds, 0);
  EXPECT_EQ(ParseTimeZone("UTC+8")->offset_seconds, 8 * 3600);
  EXPECT_EQ(ParseTimeZone("GMT+08:00")->offset_seconds, 8 * 3600);
  EXPECT_EQ(ParseTimeZone("-0530")->offset_seconds, -(5 * 3600 + 30 * 60));
  EXPECT_EQ(ParseTimeZone("UTC+8")->name, "UTC+8");
  Result<TimeZone> unknown = ParseTimeZone("Mars/Olympus");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(
      unknown.status().message(),
      "unknown time zone 'Mars/Olympus', expected a tz database name such as Asia/Shanghai or "
      "America/New_York, UTC, or a fixed offset such as UTC+8 or +08:00");
  EXPECT_FALSE(ParseTimeZone("../../etc/passwd").ok());
  EXPECT_FALSE(ParseTimeZone("UTC+15").ok());
  EXPECT_FALSE(ParseTimeZone("+08:60").ok());
}

int64_t Epoch(CivilTime time) { return ToEpochSeconds(time, TimeZone::Utc()); }

TEST(LocalTimeTest, ReadsRegionsFromTheTzDatabase) {
  Result<TimeZone> new_york = ParseTimeZone("America/New_York");
  ASSERT_TRUE(new_york.ok()) << new_york.status().message();
  EXPECT_EQ(new_york->OffsetAt(Epoch({2025, 1, 15, 12, 0, 0})), -5 * 3600);
  EXPECT_EQ(new_york->OffsetAt(Epoch({2025, 7, 15, 12, 0, 0})), -4 * 3600);
  // Past the file's transitions the footer's rule decides, north and south of the equator.
  EXPECT_EQ(new_york->OffsetAt(Epoch({2045, 1, 15, 12, 0, 0})), -5 * 3600);
  EXPECT_EQ(new_york->OffsetAt(Epoch({2045, 7, 15, 12, 0, 0})), -4 * 3600);
  EXPECT_EQ(new_york->OffsetAt(Epoch({2045, 3, 12, 6, 59, 59})), -5 * 3600);
  EXPECT_EQ(new_york->OffsetAt(Epoch({2045, 3, 12, 7, 0, 0})), -4 * 3600);
  Result<TimeZone> sydney = ParseTimeZone("Australia/Sydney");
  ASSERT_TRUE(sydney.ok()) << sydney.status().message();
  EXPECT_EQ(sydney->OffsetAt(Epoch({2045, 1, 15, 0, 0, 0})), 11 * 3600);
  EXPECT_EQ(sydney->OffsetAt(Epoch({2045, 7, 15, 0, 0, 0})), 10 * 3600);
}

TEST(LocalTimeTest, WallClockTimesASpringForwardSkipsOrAFallBackRepeats) {
  TimeZone new_york = *ParseTimeZone("America/New_York");
  // 02:30 does not exist on 2025-03-09: it is read as 03:30 EDT.
  int64_t skipped = ToEpochSeconds({2025, 3, 9, 2, 30, 0}, new_york);
  EXPECT_EQ(skipped, Epoch({2025, 3, 9, 7, 30, 0}));
  EXPECT_EQ(ToCivilTime(skipped, new_york), (CivilTime{2025, 3, 9, 3, 30, 0}));
  // 01:30 happens twice on 2025-11-02: the earlier one (EDT) is meant.
  EXPECT_EQ(ToEpochSeconds({2025, 11, 2, 1, 30, 0}, new_york), Epoch({2025, 11, 2, 5, 30, 0}));
  EXPECT_EQ(ToCivilTime(Epoch({2025, 11, 2, 6, 30, 0}), new_york),
            (CivilTime{2025, 11, 2, 1, 30, 0}));
  EXPECT_EQ(FormatCompactDateTime(Epoch({2025, 7, 1, 0, 0, 0}) * 1000, new_york), "20250630200000");
}

TEST(LocalTimeTest, RefusesDamagedZoneFiles) {
  EXPECT_FALSE(ZoneRules::Parse("").ok());
  EXPECT_FALSE(ZoneRules::Parse("TZif2 and then nothing useful at all, not even counts").ok());
  EXPECT_EQ(ZoneRules::Load("No/Such_Zone", kSystemZoneInfoDirectory).status().code(),
            StatusCode::kNotFound);
}

// Found by fuzzing: a zone name that is a folder of the tz database made the reader throw.
TEST(LocalTimeTest, AFolderOfZonesIsNotAZone) {
  otsync::testing::TemporaryDirectory zoneinfo("otsync_local_time_test");
  std::filesystem::create_directories(zoneinfo.path() / "Region" / "Inner");
  for (const char* name : {"Region", "Region/Inner"}) {
    Result<std::shared_ptr<const ZoneRules>> rules = ZoneRules::Load(name, zoneinfo.path());
    ASSERT_FALSE(rules.ok()) << name;
    EXPECT_EQ(rules.status().code(), StatusCode::kNotFound);
    EXPECT_NE(rules.status().message().find("is a folder of time zones"), std::string::npos)
        << rules.status().message();
  }
  // ParseTimeZone answers an unknown zone with InvalidArgument and the forms it accepts.
  EXPECT_EQ(ParseTimeZone("Region", zoneinfo.path()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTimeZone("America").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace otsync::sync
