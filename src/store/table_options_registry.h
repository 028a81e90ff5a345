// The options of every live table by table id, for code that sees only row keys (the compaction
// filter). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include "wire/table_schema.h"

namespace otsync::store {

class TableOptionsRegistry {
 public:
  void Set(uint64_t table_id, const wire::TableOptions& options) {
    std::unique_lock lock(mutex_);
    options_[table_id] = options;
  }
  void Remove(uint64_t table_id) {
    std::unique_lock lock(mutex_);
    options_.erase(table_id);
  }
  // Until the catalog is loaded, no answer is trustworthy: absent means "unknown", not "gone".
  void MarkLoaded() {
    std::unique_lock lock(mutex_);
    loaded_ = true;
  }
  // nullopt until MarkLoaded() and for ids of no live table.
  std::optional<wire::TableOptions> Get(uint64_t table_id) const {
    std::shared_lock lock(mutex_);
    if (!loaded_) return std::nullopt;
    auto it = options_.find(table_id);
    if (it == options_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::shared_mutex mutex_;
  bool loaded_ = false;
  std::unordered_map<uint64_t, wire::TableOptions> options_;
};

}  // namespace otsync::store
