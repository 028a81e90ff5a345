// RecordChannel: the bounded queue between the reader tasks and the writer thread. Batches of
// records go in from many threads and come out in one; a full channel blocks the producers, so
// memory stays flat however big the window (invariant 5).
//
// Capacity counts records and bytes (Record::ByteSize). A batch is admitted while both stay
// within capacity, or when the channel is empty (so a batch larger than the capacity cannot
// wedge the job). Thread-safe.
//
// Batches the consumer is done with can come back (Recycle) for the producers to refill
// (TakeRecycled): their records' field vectors and string buffers are reused, so that records
// flowing through the channel allocate nothing in the steady state. At most kRecycledBatches are
// kept; a batch holding more than capacity.bytes / kRecycledBatches of memory is freed instead
// of handed out, so the pool keeps at most that plus one batch's filling per batch.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "base/status.h"
#include "sync/record.h"

namespace otsync::sync {

struct RecordBatch {
  std::vector<Record> records;
  size_t bytes = 0;  // Sum of the records' ByteSize.
  // Sum of the records' RecordRetainedBytes, when the producer counted it as it added them (the
  // records are then in its cache); RecordChannel::TakeRecycled measures batches without it.
  std::optional<size_t> retained_bytes;
};

// Heap memory `record` keeps: its field array and the string buffers beyond the inline ones.
size_t RecordRetainedBytes(const Record& record);

struct ChannelCapacity {
  size_t records = 8192;
  size_t bytes = 16 << 20;
};

class RecordChannel {
 public:
  explicit RecordChannel(ChannelCapacity capacity) : capacity_(capacity) {}

  // Blocks until the batch fits. kAborted once the channel is cancelled or `stop` requested.
  Status Push(RecordBatch batch, std::stop_token stop);

  // The oldest batch; nullopt when `timeout` passed with nothing queued, or when the channel is
  // closed (or cancelled) and empty.
  std::optional<RecordBatch> Pop(std::chrono::milliseconds timeout);

  // No more pushes will come; Pop drains what is queued, then returns nullopt at once.
  void Close();
  // Producers blocked in Push return kAborted; queued batches are dropped.
  void Cancel();

  // Keeps `batch` for TakeRecycled, or frees it when the pool is full.
  void Recycle(RecordBatch batch);
  // A recycled batch (its records hold the fields of earlier records, to be overwritten), or
  // nullopt when none is kept. Kept batches holding too much memory are freed on the way.
  std::optional<RecordBatch> TakeRecycled();

  bool drained() const;  // Closed (or cancelled) and empty.
  size_t peak_records() const;
  size_t peak_bytes() const;
  // Time blocked so far: in Push on a full channel (the producers waited for the consumer,
  // DataX's WaitWriterTime), in Pop on an empty one (the consumer waited for them, its
  // WaitReaderTime). Summed over the threads that waited.
  int64_t push_wait_micros() const;
  int64_t pop_wait_micros() const;

  static constexpr size_t kRecycledBatches = 16;

 private:
  bool FitsLocked(const RecordBatch& batch) const;

  const ChannelCapacity capacity_;
  mutable std::mutex mutex_;
  std::condition_variable_any not_full_;
  std::condition_variable not_empty_;
  std::deque<RecordBatch> batches_;
  size_t records_ = 0;
  size_t bytes_ = 0;
  size_t peak_records_ = 0;
  size_t peak_bytes_ = 0;
  int64_t push_wait_micros_ = 0;
  int64_t pop_wait_micros_ = 0;
  bool closed_ = false;
  bool cancelled_ = false;

  // Separate from mutex_: producers refilling batches do not contend with Push and Pop.
  std::mutex recycled_mutex_;
  std::vector<RecordBatch> recycled_;
};

}  // namespace otsync::sync
