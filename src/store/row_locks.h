// Striped row locks: writes to the same row never interleave their read-modify-write. A row maps
// to one of a fixed set of mutexes by the hash of its key; a batch takes all its stripes in
// ascending order, so two batches can never deadlock.
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

namespace otsync::store {

class RowLockTable {
 public:
  static constexpr size_t kStripes = 1024;

  static size_t StripeOf(std::string_view row_key) {
    return std::hash<std::string_view>{}(row_key) % kStripes;
  }

  // Holds a set of stripes from construction to destruction.
  class Guard {
   public:
    Guard(RowLockTable* table, std::vector<size_t> stripes)
        : table_(table), stripes_(std::move(stripes)) {
      std::sort(stripes_.begin(), stripes_.end());
      stripes_.erase(std::unique(stripes_.begin(), stripes_.end()), stripes_.end());
      for (size_t stripe : stripes_) table_->mutexes_[stripe].lock();
    }
    ~Guard() {
      for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) table_->mutexes_[*it].unlock();
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    RowLockTable* table_;
    std::vector<size_t> stripes_;
  };

 private:
  std::array<std::mutex, kStripes> mutexes_;
};

}  // namespace otsync::store
