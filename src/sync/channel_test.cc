#include "sync/channel.h"

#include <gtest/gtest.h>

#include <thread>

namespace otsync::sync {
namespace {

RecordBatch Batch(int records) {
  RecordBatch batch;
  for (int i = 0; i < records; ++i) {
    batch.records.push_back(Record{{Field::Integer(i)}});
    batch.bytes += 8;
  }
  return batch;
}

TEST(RecordChannelTest, ProducersBlockAtCapacityAndResumeWhenDrained) {
  RecordChannel channel({10, 1 << 20});
  std::stop_source stop;
  ASSERT_TRUE(channel.Push(Batch(6), stop.get_token()).ok());
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    EXPECT_TRUE(channel.Push(Batch(6), stop.get_token()).ok());
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pushed);  // 12 > 10.
  ASSERT_TRUE(channel.Pop(std::chrono::milliseconds(1000)).has_value());
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_LE(channel.peak_records(), 10u);
  channel.Close();
  EXPECT_TRUE(channel.Pop(std::chrono::milliseconds(1000)).has_value());
  EXPECT_FALSE(channel.Pop(std::chrono::milliseconds(1000)).has_value());
  EXPECT_TRUE(channel.drained());
}

// The time blocked on each side, DataX's WaitWriterTime and WaitReaderTime; nothing for calls
// that did not wait.
TEST(RecordChannelTest, CountsTheTimeEachSideWaited) {
  RecordChannel channel({10, 1 << 20});
  std::stop_source stop;
  ASSERT_TRUE(channel.Push(Batch(6), stop.get_token()).ok());
  ASSERT_TRUE(channel.Pop(std::chrono::milliseconds(1000)).has_value());
  EXPECT_EQ(channel.push_wait_micros(), 0);
  EXPECT_EQ(channel.pop_wait_micros(), 0);

  EXPECT_FALSE(channel.Pop(std::chrono::milliseconds(20)).has_value());
  EXPECT_GE(channel.pop_wait_micros(), 20'000);

  ASSERT_TRUE(channel.Push(Batch(6), stop.get_token()).ok());
  std::thread producer([&] { EXPECT_TRUE(channel.Push(Batch(6), stop.get_token()).ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int64_t popped_before = channel.pop_wait_micros();
  ASSERT_TRUE(channel.Pop(std::chrono::milliseconds(1000)).has_value());
  producer.join();
  EXPECT_GT(channel.push_wait_micros(), 0);
  EXPECT_EQ(channel.pop_wait_micros(), popped_before);  // A batch was there: no wait.
}

TEST(RecordChannelTest, AnOversizedBatchIsAdmittedIntoAnEmptyChannel) {
  RecordChannel channel({4, 16});
  std::stop_source stop;
  EXPECT_TRUE(channel.Push(Batch(100), stop.get_token()).ok());
}

TEST(RecordChannelTest, CancelReleasesBlockedProducers) {
  RecordChannel channel({1, 1 << 20});
  std::stop_source stop;
  ASSERT_TRUE(channel.Push(Batch(1), stop.get_token()).ok());
  std::thread producer(
      [&] { EXPECT_EQ(channel.Push(Batch(1), stop.get_token()).code(), StatusCode::kAborted); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  channel.Cancel();
  producer.join();
  EXPECT_TRUE(channel.drained());
}

TEST(RecordChannelTest, StopReleasesBlockedProducers) {
  RecordChannel channel({1, 1 << 20});
  std::stop_source stop;
  ASSERT_TRUE(channel.Push(Batch(1), stop.get_token()).ok());
  std::thread producer(
      [&] { EXPECT_EQ(channel.Push(Batch(1), stop.get_token()).code(), StatusCode::kAborted); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop.request_stop();
  producer.join();
}

TEST(RecordChannelTest, RecycledBatchesComeBackUpToTheLimit) {
  RecordChannel channel({8192, 16 << 20});
  EXPECT_FALSE(channel.TakeRecycled().has_value());
  for (size_t i = 0; i < RecordChannel::kRecycledBatches + 3; ++i) channel.Recycle(Batch(4));
  size_t taken = 0;
  while (std::optional<RecordBatch> batch = channel.TakeRecycled()) {
    ++taken;
    EXPECT_EQ(batch->records.size(), 4u);  // The records, to be overwritten by the producer.
    EXPECT_EQ(batch->bytes, 0u);
  }
  EXPECT_EQ(taken, RecordChannel::kRecycledBatches);
}

TEST(RecordChannelTest, ABatchHoldingMuchMemoryIsNotKept) {
  // A pooled batch may keep 16 MiB / kRecycledBatches = 1 MiB.
  RecordChannel channel({8192, 16 << 20});
  RecordBatch big;
  big.records.push_back(Record{{Field::String(std::string(2 << 20, 'x'))}});
  channel.Recycle(std::move(big));
  EXPECT_FALSE(channel.TakeRecycled().has_value());
  // Memory kept by string buffers counts, whatever the values hold now.
  RecordBatch emptied;
  emptied.records.push_back(Record{{Field::String(std::string(2 << 20, 'x'))}});
  emptied.records[0].fields[0].SetValueless(wire::ValueType::kNull);
  channel.Recycle(std::move(emptied));
  EXPECT_FALSE(channel.TakeRecycled().has_value());
  // As its producer counted it.
  RecordBatch counted = Batch(1);
  counted.retained_bytes = 2 << 20;
  channel.Recycle(std::move(counted));
  EXPECT_FALSE(channel.TakeRecycled().has_value());
  channel.Recycle(Batch(256));
  EXPECT_TRUE(channel.TakeRecycled().has_value());
}

TEST(RecordChannelTest, RetainedBytesCountTheFieldArrayAndHeapStrings) {
  Record record{{Field::Integer(1), Field::String("short"), Field::String(std::string(100, 'x'))}};
  record.fields.reserve(8);
  const size_t retained = RecordRetainedBytes(record);
  EXPECT_GE(retained, 8 * sizeof(Field) + 100);
  EXPECT_LT(retained, 8 * sizeof(Field) + 100 + 64);
}

}  // namespace
}  // namespace otsync::sync
