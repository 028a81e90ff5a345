#include "store/row_compaction_filter.h"

#include <rocksdb/compaction_filter.h>

#include "store/key_encoding.h"
#include "store/row_codec.h"
#include "store/row_reader.h"
#include "wire/coding.h"

namespace otsync::store {
namespace {

class RowCompactionFilter final : public rocksdb::CompactionFilter {
 public:
  RowCompactionFilter(std::shared_ptr<const TableOptionsRegistry> registry, int64_t now_millis)
      : registry_(std::move(registry)), now_millis_(now_millis) {}

  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& existing_value,
              std::string* new_value, bool* value_changed) const override {
    if (key.size() < kTableIdSize) return false;
    std::optional<wire::TableOptions> options = registry_->Get(wire::DecodeBigEndian64(key.data()));
    if (!options.has_value()) return false;
    Result<StoredRow> stored = DecodeStoredRow(existing_value.ToStringView());
    if (!stored.ok() || stored->columns.empty()) return false;
    StoredRow visible = VisibleRow(*stored, *options, now_millis_);
    if (visible == *stored) return false;
    if (visible.columns.empty()) return true;
    new_value->clear();
    EncodeStoredRow(visible, new_value);
    *value_changed = true;
    return false;
  }

  const char* Name() const override { return "otsync.RowCompactionFilter"; }

 private:
  std::shared_ptr<const TableOptionsRegistry> registry_;
  int64_t now_millis_;
};

class RowCompactionFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  RowCompactionFilterFactory(std::shared_ptr<const TableOptionsRegistry> registry,
                             std::shared_ptr<Clock> clock)
      : registry_(std::move(registry)), clock_(std::move(clock)) {}

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& /*context*/) override {
    return std::make_unique<RowCompactionFilter>(registry_, clock_->NowMillis());
  }

  const char* Name() const override { return "otsync.RowCompactionFilterFactory"; }

 private:
  std::shared_ptr<const TableOptionsRegistry> registry_;
  std::shared_ptr<Clock> clock_;
};

}  // namespace

std::shared_ptr<rocksdb::CompactionFilterFactory> MakeRowCompactionFilterFactory(
    std::shared_ptr<const TableOptionsRegistry> registry, std::shared_ptr<Clock> clock) {
  return std::make_shared<RowCompactionFilterFactory>(std::move(registry), std::move(clock));
}

}  // namespace otsync::store
