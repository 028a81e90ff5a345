#include "sync/local_time.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(unknown.status().message(),
            "unknown time zone 'Mars/Olympus', expected Asia/Shanghai, UTC or a fixed offset such "
            "as UTC+8 or +08:00");
  EXPECT_FALSE(ParseTimeZone("UTC+15").ok());
  EXPECT_FALSE(ParseTimeZone("+08:60").ok());
}

}  // namespace
}  // namespace otsync::sync
