#include "sync/progress.h"

#include <gtest/gtest.h>

#include "sync/job_summary.h"

namespace otsync::sync {
namespace {

TEST(ProgressTest, DataSizesAsDataXStringifiesThem) {
  EXPECT_EQ(FormatDataSize(17), "17B");
  EXPECT_EQ(FormatDataSize(268032), "261.75KB");
  EXPECT_EQ(FormatDataSize(3 << 20), "3.00MB");
  EXPECT_EQ(FormatDataSize(int64_t{5} << 30), "5.00GB");
}

// DataX's line as it writes it (alibaba/DataX#1579's example has the same shape), then the shards
// and the lag.
TEST(ProgressTest, LineIsDataXsThenShardsAndLag) {
  JobProgress previous;
  previous.micros = 0;
  JobProgress current;
  current.micros = 10'000'000;
  current.records_read = 23619;
  current.bytes_read = 2680320;
  current.tasks_done = 3;
  current.tasks_total = 7;
  current.wait_writer_micros = 109'400;
  current.wait_reader_micros = 2'217'000;
  current.lags = {{"shard-1", 500}, {"shard-2", 12500}};
  EXPECT_EQ(FormatProgressLine(previous, current),
            "Total 23619 records, 2680320 bytes | Speed 261.75KB/s, 2361 records/s | Error 0 "
            "records, 0 bytes |  All Task WaitWriterTime 0.109s |  All Task WaitReaderTime 2.217s "
            "| Percentage 42.86% | Shards 3/7 done | Lag max 12.5s (shard-2)");
}

TEST(ProgressTest, LiveLineIsShortAndDropsWholePartsToFit) {
  JobProgress previous;
  JobProgress current;
  current.micros = 10'000'000;
  current.records_read = 23619;
  current.bytes_read = 2680320;
  current.tasks_done = 3;
  current.tasks_total = 7;
  current.lags = {{"shard-1", 500}, {"shard-2", 12500}};
  const std::string full =
      "23619 rec, 2.56MB | 2361 rec/s, 261.75KB/s | 0 err | shards 3/7 | lag 12.5s (shard-2)";
  EXPECT_EQ(FormatLiveProgressLine(previous, current, 200), full);
  EXPECT_EQ(FormatLiveProgressLine(previous, current, full.size() + 1), full);
  EXPECT_EQ(FormatLiveProgressLine(previous, current, full.size()),
            "23619 rec, 2.56MB | 2361 rec/s, 261.75KB/s | 0 err | shards 3/7");
  EXPECT_EQ(FormatLiveProgressLine(previous, current, 30), "23619 rec, 2.56MB");
  EXPECT_EQ(FormatLiveProgressLine(previous, current, 10), "23619 rec");
  // A 10M-row job with long shard ids still fits 80 columns.
  current.records_read = 10'000'002;
  current.bytes_read = int64_t{1} << 31;
  current.lags = {{"0f2c9a6e-6d1b-4c5e-9a34-2b6f8e1d7c40", 123456}};
  EXPECT_LE(FormatLiveProgressLine(previous, current, 80).size(), 79u);
}

TEST(JobSummaryTest, CommittedWindow) {
  EXPECT_EQ(FormatCommittedWindowSummary("table 'person', window [a, b)", 50, "memory"),
            "Window                    : table 'person', window [a, b)\n"
            "Result                    : already committed, not written again\n"
            "Rows in the window        :                  50\n"
            "Destination               : memory\n");
}

TEST(JobSummaryTest, DataXLayout) {
  JobSummary summary;
  summary.start_micros = 1'450'322'415'000'000;  // 2015-12-17 03:20:15 UTC.
  summary.end_micros = summary.start_micros + 10'000'000;
  summary.transfer_micros = 10'000'000;
  summary.records_read = 50;
  summary.bytes_read = 2050;
  summary.destination = "standard output";
  EXPECT_EQ(FormatJobSummary(summary, TimeZone::Shanghai()),
            "Job start time            : 2015-12-17 11:20:15\n"
            "Job end time              : 2015-12-17 11:20:25\n"
            "Total time                :                 10s\n"
            "Average flow              :              205B/s\n"
            "Write speed               :              5rec/s\n"
            "Records read              :                  50\n"
            "Read/write failures       :                   0\n"
            "Destination               : standard output\n");
}

}  // namespace
}  // namespace otsync::sync
