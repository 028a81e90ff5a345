// Striped row locks: writes to the same row never interleave their read-modify-write. A row maps
// to one of a fixed set of reader-writer locks by the hash of its key.
//
// A write that reads its row first (an update, a row existence or column condition) holds the
// row's stripe exclusively from its read to its commit. A blind write (a put or a delete with the
// IGNORE condition and no column condition) computes its change from the request alone, so it
// holds the stripe shared: blind writes of rows on one stripe run side by side, and their commit
// order alone decides which row stays (the stream record of each is written in that same order),
// while a read-modify-write of the row waits for them and they for it.
//
// Deadlock freedom: a batch takes all its stripes in ascending order, each once, in the strongest
// mode any of its rows needs. The locks prefer writers (a shared request waits behind a queued
// exclusive one, so a read-modify-write is never starved by a stream of blind batches); with the
// ascending order a waiter on stripe s waits only for holders of s, which wait only on stripes
// above s, so no cycle can form.
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <string_view>
#include <vector>

#include "store/writer_preferring_lock.h"

namespace otsync::store {

class RowLockTable {
 public:
  static constexpr size_t kStripes = 1024;

  enum class Mode { kShared, kExclusive };

  struct Request {
    size_t stripe = 0;
    Mode mode = Mode::kExclusive;
  };

  // No thread takes a stripe twice (the guard takes each once), as the locks require.
  RowLockTable() = default;
  RowLockTable(const RowLockTable&) = delete;
  RowLockTable& operator=(const RowLockTable&) = delete;

  static size_t StripeOf(std::string_view row_key) {
    return std::hash<std::string_view>{}(row_key) % kStripes;
  }

  // Holds a set of stripes from construction to destruction; a stripe requested more than once is
  // taken once, exclusively when any request for it is exclusive.
  class Guard {
   public:
    Guard(RowLockTable* table, std::vector<Request> requests)
        : table_(table), held_(std::move(requests)) {
      std::sort(held_.begin(), held_.end(), [](const Request& a, const Request& b) {
        return a.stripe != b.stripe ? a.stripe < b.stripe : a.mode > b.mode;
      });
      // Sorted with the exclusive request of a stripe first, so keeping the first of each
      // stripe keeps the strongest mode.
      held_.erase(
          std::unique(held_.begin(), held_.end(),
                      [](const Request& a, const Request& b) { return a.stripe == b.stripe; }),
          held_.end());
      for (const Request& request : held_) {
        WriterPreferringLock& lock = table_->locks_[request.stripe];
        if (request.mode == Mode::kExclusive) {
          lock.lock();
        } else {
          lock.lock_shared();
        }
      }
    }
    ~Guard() {
      for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
        WriterPreferringLock& lock = table_->locks_[it->stripe];
        if (it->mode == Mode::kExclusive) {
          lock.unlock();
        } else {
          lock.unlock_shared();
        }
      }
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    RowLockTable* table_;
    std::vector<Request> held_;
  };

 private:
  std::array<WriterPreferringLock, kStripes> locks_;
};

}  // namespace otsync::store
