#include "store/row_locks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <thread>
#include <vector>

namespace otsync::store {
namespace {

using Mode = RowLockTable::Mode;
using Request = RowLockTable::Request;
using namespace std::chrono_literals;

// Takes `requests` on a thread of its own; the future is ready once they are held, and the guard
// is released when `release` is set.
std::future<void> HoldOnAnotherThread(RowLockTable* table, std::vector<Request> requests,
                                      std::shared_future<void> release, std::thread* thread) {
  auto held = std::make_shared<std::promise<void>>();
  std::future<void> acquired = held->get_future();
  *thread = std::thread([table, requests = std::move(requests), release, held] {
    RowLockTable::Guard guard(table, requests);
    held->set_value();
    release.wait();
  });
  return acquired;
}

TEST(RowLockTableTest, SharedHoldersOfAStripeRunSideBySide) {
  RowLockTable table;
  RowLockTable::Guard first(&table, {{5, Mode::kShared}, {9, Mode::kShared}});
  std::promise<void> release;
  std::thread thread;
  std::future<void> second = HoldOnAnotherThread(&table, {{9, Mode::kShared}, {5, Mode::kShared}},
                                                 release.get_future().share(), &thread);
  EXPECT_EQ(second.wait_for(10s), std::future_status::ready);
  release.set_value();
  thread.join();
}

// While this thread holds `held`, another thread asking for `wanted` waits; once `held` is
// released, it gets it.
void ExpectKeptOutUntilReleased(std::vector<Request> held, std::vector<Request> wanted) {
  RowLockTable table;
  std::promise<void> release;
  std::thread thread;
  std::future<void> waiting;
  {
    RowLockTable::Guard guard(&table, std::move(held));
    waiting = HoldOnAnotherThread(&table, std::move(wanted), release.get_future().share(), &thread);
    EXPECT_EQ(waiting.wait_for(100ms), std::future_status::timeout);
  }
  EXPECT_EQ(waiting.wait_for(10s), std::future_status::ready);
  release.set_value();
  thread.join();
}

TEST(RowLockTableTest, AnExclusiveHolderAndAnyOtherHolderExcludeEachOther) {
  ExpectKeptOutUntilReleased({{5, Mode::kExclusive}}, {{5, Mode::kShared}});
  ExpectKeptOutUntilReleased({{5, Mode::kExclusive}}, {{5, Mode::kExclusive}});
  ExpectKeptOutUntilReleased({{5, Mode::kShared}}, {{5, Mode::kExclusive}});
}

TEST(RowLockTableTest, AStripeRequestedInBothModesIsHeldExclusively) {
  // Three rows of one batch on stripe 5, one of them read-modify-write; the stripe is taken once.
  ExpectKeptOutUntilReleased(
      {{5, Mode::kShared}, {5, Mode::kExclusive}, {5, Mode::kShared}, {7, Mode::kShared}},
      {{5, Mode::kShared}});
}

TEST(RowLockTableTest, AWaitingExclusiveRequestHoldsBackLaterSharedOnes) {
  RowLockTable table;
  std::promise<void> release_writer;
  std::promise<void> release_reader;
  std::thread writer_thread;
  std::thread reader_thread;
  std::future<void> writer;
  std::future<void> reader;
  {
    RowLockTable::Guard shared(&table, {{5, Mode::kShared}});
    writer = HoldOnAnotherThread(&table, {{5, Mode::kExclusive}},
                                 release_writer.get_future().share(), &writer_thread);
    // Give the writer time to queue; were it not queued yet, the reader below would be let in,
    // and the test would fail rather than pass wrongly.
    std::this_thread::sleep_for(100ms);
    reader = HoldOnAnotherThread(&table, {{5, Mode::kShared}}, release_reader.get_future().share(),
                                 &reader_thread);
    EXPECT_EQ(reader.wait_for(100ms), std::future_status::timeout)
        << "a shared request passed a waiting exclusive one";
  }
  EXPECT_EQ(writer.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(reader.wait_for(100ms), std::future_status::timeout);
  release_writer.set_value();
  EXPECT_EQ(reader.wait_for(10s), std::future_status::ready);
  release_reader.set_value();
  writer_thread.join();
  reader_thread.join();
}

// Batches of random stripes in random modes from several threads: every batch finishes (no
// deadlock), and while a stripe is held exclusively nobody else holds it.
TEST(RowLockTableTest, ManyMixedBatchesNeverDeadlockOrOverlapAnExclusiveHolder) {
  constexpr size_t kStripesUsed = 16;  // few, so that batches collide constantly
  RowLockTable table;
  std::vector<std::atomic<int>> holders(kStripesUsed);  // -1000 while held exclusively
  std::atomic<int> violations{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<uint32_t>(t + 1));
      for (int batch = 0; batch < 2000; ++batch) {
        std::vector<Request> requests;
        const int rows = 1 + static_cast<int>(random() % 6);
        for (int r = 0; r < rows; ++r) {
          requests.push_back(
              {random() % kStripesUsed, random() % 4 == 0 ? Mode::kExclusive : Mode::kShared});
        }
        std::vector<Mode> strongest(kStripesUsed, Mode::kShared);
        std::vector<bool> taken(kStripesUsed, false);
        for (const Request& request : requests) {
          taken[request.stripe] = true;
          if (request.mode == Mode::kExclusive) strongest[request.stripe] = Mode::kExclusive;
        }
        RowLockTable::Guard guard(&table, requests);
        for (size_t s = 0; s < kStripesUsed; ++s) {
          if (!taken[s]) continue;
          const int before = strongest[s] == Mode::kExclusive ? holders[s].fetch_add(-1000)
                                                              : holders[s].fetch_add(1);
          if (before < 0 || (strongest[s] == Mode::kExclusive && before != 0)) ++violations;
        }
        for (size_t s = 0; s < kStripesUsed; ++s) {
          if (!taken[s]) continue;
          if (strongest[s] == Mode::kExclusive) {
            holders[s].fetch_add(1000);
          } else {
            holders[s].fetch_sub(1);
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(violations.load(), 0);
}

}  // namespace
}  // namespace otsync::store
