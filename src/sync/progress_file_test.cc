#include "sync/progress_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace otsync::sync {
namespace {

std::vector<nlohmann::json> ReadLines(const std::string& path) {
  std::vector<nlohmann::json> lines;
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(ProgressFileTest, WritesOneObjectPerTickAndAFinalOne) {
  char path[] = "/tmp/progress_file_test.XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  ErrorLimitSpec limit;
  limit.record = 5;
  Result<std::unique_ptr<ProgressFile>> file = ProgressFile::Open(path, limit);
  ASSERT_TRUE(file.ok()) << file.status().ToString();

  JobProgress tick;
  tick.micros = 2'000'000;
  tick.records_read = 100;
  tick.bytes_read = 4000;
  tick.dirty_records = 1;
  tick.tasks_total = 2;
  tick.tasks_done = 1;
  tick.shards = {{"shard-a", "done", 60, 0, 1'700'000'000'000},
                 {"shard-b", "running", 40, 1500, 1'699'999'998'500}};
  (*file)->Write(tick);
  JobResult result;
  result.status = Status::Internal("writer: disk full");
  result.progress = tick;
  result.progress.micros = 4'000'000;
  result.progress.records_read = 300;
  (*file)->WriteFinal(result);

  std::vector<nlohmann::json> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["type"], "progress");
  EXPECT_EQ(lines[0]["records"], 100);
  EXPECT_EQ(lines[0]["records_per_second"], 50);  // 100 records over the first 2 seconds.
  EXPECT_EQ(lines[0]["dirty_records"], 1);
  EXPECT_EQ(lines[0]["dirty_limit_records"], 5);
  EXPECT_EQ(lines[0]["shards_done"], 1);
  ASSERT_EQ(lines[0]["shards"].size(), 2u);
  EXPECT_EQ(lines[0]["shards"][1]["id"], "shard-b");
  EXPECT_EQ(lines[0]["shards"][1]["state"], "running");
  EXPECT_EQ(lines[0]["shards"][1]["lag_millis"], 1500);
  EXPECT_EQ(lines[0]["shards"][1]["checkpoint_millis"], 1'699'999'998'500);
  EXPECT_EQ(lines[1]["type"], "final");
  EXPECT_EQ(lines[1]["status"], "failed");
  EXPECT_EQ(lines[1]["message"], "writer: disk full");
  EXPECT_EQ(lines[1]["records_per_second"], 100);  // 200 more over 2 seconds.
  unlink(path);
}

}  // namespace
}  // namespace otsync::sync
