// The numbers a running job reports and the progress line printed from them every few seconds
// (DataX's periodic line, docs/datax-semantics.md §6.5, with shards and lag added).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace otsync::sync {

struct TaskLag {
  std::string task_id;
  int64_t lag_millis = 0;
};

// One reader task (a shard) as the machine-readable progress reports it.
struct ShardProgress {
  std::string id;
  std::string state;  // "waiting", "running", "done" or "failed".
  int64_t records = 0;
  int64_t lag_millis = 0;  // Behind the window's end; 0 once done.
  // How far the shard has read, in stream time (the window's end less the lag); 0 before the
  // first record and while waiting.
  int64_t checkpoint_millis = 0;
};

struct JobProgress {
  int64_t micros = 0;  // When the numbers were taken (the job's clock).
  int64_t records_read = 0;
  int64_t bytes_read = 0;
  int64_t dirty_records = 0;  // Read and write failures.
  int64_t dirty_bytes = 0;
  int64_t records_written = 0;
  int64_t tasks_done = 0;
  int64_t tasks_total = 0;
  // Summed over the tasks: readers waiting for the writer (blocked on a full channel, or, when
  // the tasks write their own batches, on the writer busy with another task's), and the writer
  // thread blocked on an empty channel waiting for the readers (none when the tasks write their
  // own batches): DataX's All Task WaitWriterTime and WaitReaderTime. Real time, whatever the
  // job's clock.
  int64_t wait_writer_micros = 0;
  int64_t wait_reader_micros = 0;
  std::vector<TaskLag> lags;          // Running tasks that reported a lag.
  std::vector<ShardProgress> shards;  // Every task of the window, in split order.
};

// DataX's StrUtil.stringify: "1.50MB", "512.00KB", "17B" (units of 1024, two decimals).
std::string FormatDataSize(int64_t bytes);

// DataX's line, then otsync's own parts: "Total 23619 records, 2680280 bytes | Speed 261.75KB/s,
// 2361 records/s | Error 0 records, 0 bytes |  All Task WaitWriterTime 0.109s |  All Task
// WaitReaderTime 0.217s | Percentage 42.86% | Shards 3/7 done | Lag max 12.5s (shard-2)" (two
// spaces before each "All Task", as DataX writes them). Speeds are the deltas since `previous`
// over its elapsed time (at least one second, as DataX does).
std::string FormatProgressLine(const JobProgress& previous, const JobProgress& current);

// The live line of a terminal, rewritten in place with '\r': the same numbers, short
//   "23619 rec, 2.56MB | 2361 rec/s, 261.75KB/s | 0 err | shards 3/7 | lag 12.5s (shard-2)"
// and at most `columns` - 1 characters (a line that wraps can no longer be rewritten in place):
// trailing parts are dropped whole until it fits, and a first part alone is cut.
std::string FormatLiveProgressLine(const JobProgress& previous, const JobProgress& current,
                                   size_t columns);

}  // namespace otsync::sync
