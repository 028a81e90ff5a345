#include "sync/channel.h"

#include <algorithm>
#include <string>

namespace otsync::sync {

bool RecordChannel::FitsLocked(const RecordBatch& batch) const {
  if (batches_.empty()) return true;
  return records_ + batch.records.size() <= capacity_.records &&
         bytes_ + batch.bytes <= capacity_.bytes;
}

namespace {

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace

Status RecordChannel::Push(RecordBatch batch, std::stop_token stop) {
  std::unique_lock lock(mutex_);
  if (!cancelled_ && !FitsLocked(batch)) {
    const auto blocked = std::chrono::steady_clock::now();
    not_full_.wait(lock, stop, [&] { return cancelled_ || FitsLocked(batch); });
    push_wait_micros_ += MicrosSince(blocked);
  }
  if (cancelled_ || stop.stop_requested()) return Status(StatusCode::kAborted, "job stopping");
  records_ += batch.records.size();
  bytes_ += batch.bytes;
  peak_records_ = std::max(peak_records_, records_);
  peak_bytes_ = std::max(peak_bytes_, bytes_);
  batches_.push_back(std::move(batch));
  lock.unlock();
  not_empty_.notify_one();
  return Status::OK();
}

std::optional<RecordBatch> RecordChannel::Pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (batches_.empty() && !closed_ && !cancelled_) {
    const auto blocked = std::chrono::steady_clock::now();
    not_empty_.wait_for(lock, timeout, [&] { return !batches_.empty() || closed_ || cancelled_; });
    pop_wait_micros_ += MicrosSince(blocked);
  }
  if (batches_.empty() || cancelled_) return std::nullopt;
  RecordBatch batch = std::move(batches_.front());
  batches_.pop_front();
  records_ -= batch.records.size();
  bytes_ -= batch.bytes;
  lock.unlock();
  not_full_.notify_all();
  return batch;
}

int64_t RecordChannel::push_wait_micros() const {
  std::lock_guard lock(mutex_);
  return push_wait_micros_;
}

int64_t RecordChannel::pop_wait_micros() const {
  std::lock_guard lock(mutex_);
  return pop_wait_micros_;
}

void RecordChannel::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

void RecordChannel::Cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    batches_.clear();
    records_ = 0;
    bytes_ = 0;
  }
  not_full_.notify_all();
  not_empty_.notify_all();
}

size_t RecordRetainedBytes(const Record& record) {
  // Not constexpr: clang cannot evaluate libstdc++'s std::string constructor at compile time.
  static const size_t kInlineCapacity = std::string().capacity();
  size_t total = record.fields.capacity() * sizeof(Field);
  for (const Field& field : record.fields) {
    if (field.bytes().capacity() > kInlineCapacity) total += field.bytes().capacity();
  }
  return total;
}

namespace {

size_t RetainedBytes(const RecordBatch& batch) {
  size_t total = batch.records.capacity() * sizeof(Record);
  if (batch.retained_bytes.has_value()) return total + *batch.retained_bytes;
  for (const Record& record : batch.records) total += RecordRetainedBytes(record);
  return total;
}

}  // namespace

void RecordChannel::Recycle(RecordBatch batch) {
  batch.bytes = 0;
  std::lock_guard lock(recycled_mutex_);
  if (recycled_.size() < kRecycledBatches) recycled_.push_back(std::move(batch));
}

std::optional<RecordBatch> RecordChannel::TakeRecycled() {
  while (true) {
    std::optional<RecordBatch> batch;
    {
      std::lock_guard lock(recycled_mutex_);
      if (recycled_.empty()) return std::nullopt;
      batch = std::move(recycled_.back());
      recycled_.pop_back();
    }
    // Measured here rather than in Recycle (when its producer did not count it): the producer is
    // about to overwrite this memory, the consumer may never have touched it. A batch stays in
    // the pool with at most one filling since it was last measured, which bounds what the pool
    // keeps.
    if (RetainedBytes(*batch) <= capacity_.bytes / kRecycledBatches) return batch;
  }
}

bool RecordChannel::drained() const {
  std::lock_guard lock(mutex_);
  return (closed_ || cancelled_) && batches_.empty();
}

size_t RecordChannel::peak_records() const {
  std::lock_guard lock(mutex_);
  return peak_records_;
}

size_t RecordChannel::peak_bytes() const {
  std::lock_guard lock(mutex_);
  return peak_bytes_;
}

}  // namespace otsync::sync
