#include "store/row_compaction_filter.h"

#include <gtest/gtest.h>
#include <rocksdb/compaction_filter.h>

#include "store/key_encoding.h"
#include "store/row_codec.h"

namespace otsync::store {
namespace {

constexpr int64_t kNowMillis = 1'700'000'000'000;
constexpr int64_t kDayMillis = 86'400'000;

class RowCompactionFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_shared<TableOptionsRegistry>();
    wire::TableOptions options;
    options.time_to_live_seconds = 86400;
    options.max_versions = 2;
    registry_->Set(1, options);
    registry_->MarkLoaded();
    auto clock = std::make_shared<ManualClock>(kNowMillis * 1000);
    factory_ = MakeRowCompactionFilterFactory(registry_, clock);
    filter_ = factory_->CreateCompactionFilter(rocksdb::CompactionFilter::Context());
  }

  // Returns whether the row is removed; `changed` receives the rewritten row when it is kept.
  bool Run(uint64_t table_id, const StoredRow& row, std::optional<StoredRow>* changed) {
    std::string key = EncodeRowKey(table_id, {{"id", wire::Value::Integer(1)}});
    std::string value;
    EncodeStoredRow(row, &value);
    std::string new_value;
    bool value_changed = false;
    bool removed = filter_->Filter(0, key, value, &new_value, &value_changed);
    if (value_changed) *changed = *DecodeStoredRow(new_value);
    return removed;
  }

  std::shared_ptr<TableOptionsRegistry> registry_;
  std::shared_ptr<rocksdb::CompactionFilterFactory> factory_;
  std::unique_ptr<rocksdb::CompactionFilter> filter_;
};

TEST_F(RowCompactionFilterTest, DropsExpiredAndSurplusVersions) {
  StoredRow row;
  for (int i = 0; i < 3; ++i) {
    PutVersion(kNowMillis - i, wire::Value::Integer(i), row.FindOrInsert("recent"));
  }
  PutVersion(kNowMillis - kDayMillis - 1, wire::Value::Integer(9), row.FindOrInsert("expired"));
  std::optional<StoredRow> changed;
  EXPECT_FALSE(Run(1, row, &changed));
  ASSERT_TRUE(changed.has_value());
  ASSERT_EQ(changed->columns.size(), 1u);
  EXPECT_EQ(changed->columns[0].name, "recent");
  EXPECT_EQ(changed->columns[0].versions.size(), 2u);
}

TEST_F(RowCompactionFilterTest, RemovesRowsWithNothingVisibleAndKeepsTheRest) {
  StoredRow expired;
  PutVersion(kNowMillis - 2 * kDayMillis, wire::Value::Integer(1), expired.FindOrInsert("a"));
  std::optional<StoredRow> changed;
  EXPECT_TRUE(Run(1, expired, &changed));
  EXPECT_FALSE(Run(2, expired, &changed)) << "unknown table: kept";
  EXPECT_FALSE(Run(1, StoredRow{}, &changed)) << "PK-only row: kept";
  StoredRow fresh;
  PutVersion(kNowMillis, wire::Value::Integer(1), fresh.FindOrInsert("a"));
  EXPECT_FALSE(Run(1, fresh, &changed));
  EXPECT_FALSE(changed.has_value());
}

TEST_F(RowCompactionFilterTest, KeepsEverythingUntilTheCatalogIsLoaded) {
  auto unloaded = std::make_shared<TableOptionsRegistry>();
  unloaded->Set(1, wire::TableOptions{86400, 1, 86400, true});
  auto clock = std::make_shared<ManualClock>(kNowMillis * 1000);
  filter_ = MakeRowCompactionFilterFactory(unloaded, clock)
                ->CreateCompactionFilter(rocksdb::CompactionFilter::Context());
  StoredRow expired;
  PutVersion(kNowMillis - 2 * kDayMillis, wire::Value::Integer(1), expired.FindOrInsert("a"));
  std::optional<StoredRow> changed;
  EXPECT_FALSE(Run(1, expired, &changed));
  EXPECT_FALSE(changed.has_value());
}

}  // namespace
}  // namespace otsync::store
