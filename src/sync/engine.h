// Engine: runs one window of a job from a Reader into a Writer (the life cycle and the
// committed-window path are in reader.h).
//
//   reader tasks (up to `concurrent` threads, as lineage allows)
//     -> rate limiter (job-wide token buckets)
//     -> RecordChannel (bounded: producers block when it is full)
//     -> one writer thread calling Writer::Write in batches
//   the calling thread: progress lines, then the summary.
//
// A task error, a writer error or the errorLimit stops the job: every task is cancelled, the
// writer aborted, no checkpoint published. Checkpoints are published only after Commit returned
// OK. Nothing printed contains a secret: the engine prints counts, task ids, the window and the
// writer's DescribeDestination.
//
// A commit the writer refuses with kAlreadyExists (another job committed the same window while
// this one read it) ends the job as a rerun of a committed window does: nothing of this job's is
// kept and the committed window's checkpoints are published.
//
// Kill points (base/kill_point.h): engine.after_commit (the rows are committed, the checkpoints
// not yet published), engine.after_publish.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "sync/channel.h"
#include "sync/job_spec.h"
#include "sync/local_time.h"
#include "sync/plugin_registry.h"
#include "sync/progress.h"
#include "sync/reader.h"
#include "sync/sleeper.h"
#include "sync/writer.h"

namespace otsync::sync {

// Records a reader task hands to the channel at once, unless a rate limit asks for fewer. Each
// hand-over takes the channel's lock and may wake the writer thread, about 4,000 times a million
// output rows at 256 a batch. 1,024 costs ~1 MiB of peak RSS; against 256 it sped the txtfile
// export up by half and the odps one by a sixth of its ratio to its limit, the discarding one
// hardly (docs/benchmarks.md, "Reader run 1").
inline constexpr size_t kDefaultEmitBatchRecords = 1024;
// At most this many when the task writes its own batches (EngineOptions::write_on_reader_threads):
// no hand-over to pay for, and Write converts a batch of 128 while its records (128 x 6 fields of
// 56 bytes and their strings, ~50 KiB) are still in the core's cache, where 1,024 (~400 KiB) had
// left the first ones by then. Against 1,024: the 4-shard odps export 0.93-0.95 of the time, the
// txtfile and discarding ones 0.95; 64 measured alike (docs/benchmarks.md, "Priority run 2").
inline constexpr size_t kDefaultWrittenBatchRecords = 128;

struct EngineOptions {
  std::shared_ptr<const Clock> clock;  // Null: the real clock.
  std::shared_ptr<Sleeper> sleeper;    // Null: real sleeps against `clock`.
  std::ostream* log = nullptr;         // Progress, dirty records, summary. Null: silent.
  bool live_progress = false;          // One line rewritten in place (a terminal).
  size_t live_progress_columns = 80;   // The terminal's width: the live line stays narrower.
  int64_t progress_interval_micros = 5'000'000;
  // Hears the counters every `progress_listener_interval_micros` while the window is read and
  // once at its end, from the calling thread (otsync run --progress-file).
  std::function<void(const JobProgress&)> progress_listener;
  int64_t progress_listener_interval_micros = 1'000'000;
  ChannelCapacity channel_capacity;
  // Records a task hands over at once (at most the capacity). Under a rate limit a batch holds
  // at most one limiter tick's worth (a tenth of the per-second rate), so that the counts, and
  // the progress line, move at least every tick however small the limit.
  size_t emit_batch_records = kDefaultEmitBatchRecords;
  // With write_on_reader_threads, a batch holds at most this many of them.
  size_t written_batch_records = kDefaultWrittenBatchRecords;
  size_t emit_batch_bytes = 1 << 20;
  // Whether the reader tasks' threads run under SCHED_BATCH (base/thread_policy.h): woken, they
  // wait for the running thread's time slice instead of preempting it. A writer thread woke the
  // readers each time it took a batch from a full channel and, with them preempting it, lost
  // the core to them hundreds of times a window while its own work, and the COPY's after it, is
  // the pipeline's last and slowest stage. Their CPU share is unchanged, so they are not starved
  // when other jobs keep the cores busy. The 4-shard odps export's ratio to its limit: 0.65
  // against 0.61-0.62 (docs/benchmarks.md, "Priority run 1"). Threads a task starts (with
  // write_on_reader_threads, a writer's own threads begun by its first Write: the odps load's
  // file writer) inherit the policy.
  bool reader_threads_batch_policy = true;
  // Whether each reader task hands its batches to Writer::Write itself (one task at a time, in
  // the order they come), instead of through the channel to a writer thread. The records are
  // converted on the core that just filled them, and no hand-off wakes a thread: with the batch
  // policy above, the 4-shard odps export's ratio to its limit 0.70 against 0.67, its read side
  // alone (the discarding writer) 0.17 s against 0.19 (docs/benchmarks.md, "Priority run 1").
  // Memory stays bounded: a task holds one batch at a time.
  bool write_on_reader_threads = true;
  size_t dirty_samples_kept = 128;            // Dirty records kept in the result.
  size_t dirty_samples_printed = 10;          // And printed, as DataX's maxDirtyNumber.
  TimeZone time_zone = TimeZone::Shanghai();  // Of the times in the summary.
};

struct JobResult {
  Status status;
  // `status` is a configuration error (exit status 2): a bad plugin parameter or a window the
  // source refuses, found before any record was read.
  bool configuration_error = false;
  // The destination already held the window: its checkpoints were published, nothing was read.
  bool window_already_committed = false;
  WindowKey window;
  JobProgress progress;  // Final counters.
  int64_t read_failed_records = 0;
  std::vector<DirtyRecord> dirty_samples;
  size_t channel_peak_records = 0;
  size_t channel_peak_bytes = 0;
};

JobResult RunWindow(Reader& reader, Writer& writer, const SpeedSpec& speed,
                    const ErrorLimitSpec& error_limit, const EngineOptions& options);

// Builds the job's reader and writer from `plugins` and runs the window. A plugin missing from
// this build fails with kUnsupported ("reader plugin 'otsstream' is not available ...").
JobResult RunJob(const JobSpec& job, const PluginContext& context, const PluginRegistry& plugins,
                 const EngineOptions& options);

}  // namespace otsync::sync
