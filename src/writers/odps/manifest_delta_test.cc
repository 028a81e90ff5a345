#include "writers/odps/manifest_delta.h"

#include <gtest/gtest.h>

#include <string>

namespace otsync::odps {
namespace {

constexpr char kTableSpec[] =
    "bench_out(id STRING, colname STRING, version BIGINT) PARTITIONED BY (task STRING, pt STRING)";

WindowEntry Window(const std::string& partition, int64_t start_millis, bool truncate) {
  WindowEntry window;
  window.table = "bench_out";
  window.partition = partition;
  window.key = {"source", "stream-1", start_millis, start_millis + 300000};
  window.end_checkpoints = std::string("\x00\x01\xff checkpoint ", 15) + partition;
  window.rows = 3;
  window.truncate = truncate;
  window.committed_at_micros = 1764000000000000 + start_millis;
  return window;
}

std::string Spec(int task, int minute) {
  return "task=t" + std::to_string(task) + ",pt=" + std::to_string(minute);
}

// A warehouse after `windows` scheduled instances: one table, a partition and a ledger entry each.
WarehouseManifest WarehouseWithWindows(int windows) {
  WarehouseManifest manifest;
  manifest.version = windows;
  manifest.committed_at_micros = 1764000000000000 + windows;
  TableEntry table;
  table.schema = ParseTableSpec(kTableSpec).value();
  table.created_at_micros = 1763000000000000;
  for (int i = 0; i < windows; ++i) {
    const std::string spec = Spec(i % 7, i / 7);
    table.partitions.push_back(
        {spec,
         1763500000000000 + i,
         {{"data/bench_out/load" + std::to_string(i) + "-00000.parquet", 3, 900}}});
    manifest.windows.push_back(Window(spec, int64_t{300000} * i, true));
  }
  std::sort(table.partitions.begin(), table.partitions.end(),
            [](const PartitionEntry& a, const PartitionEntry& b) { return a.spec < b.spec; });
  manifest.tables.push_back(table);
  return manifest;
}

// What a reader gets: the delta written to its file, read back and applied to the base.
WarehouseManifest Replayed(const WarehouseManifest& from, const WarehouseManifest& to) {
  const std::string encoded = EncodeManifestDelta(DiffManifests(from, to)).value();
  Result<ManifestDelta> decoded = DecodeManifestDelta(encoded, "the test's delta");
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  WarehouseManifest replayed = from;
  Status applied = ApplyManifestDelta(*decoded, &replayed);
  EXPECT_TRUE(applied.ok()) << applied.ToString();
  return replayed;
}

WarehouseManifest Next(const WarehouseManifest& manifest) {
  WarehouseManifest next = manifest;
  next.version += 1;
  next.committed_at_micros += 1000;
  return next;
}

TEST(ManifestDeltaTest, AWindowCommittedToANewPartitionIsAFewHundredBytesWhateverTheHistory) {
  const WarehouseManifest before = WarehouseWithWindows(2000);
  WarehouseManifest after = Next(before);
  TableEntry& table = after.tables[0];
  const std::string spec = Spec(3, 9999);
  table.partitions.push_back(
      {spec, 1764100000000000, {{"data/bench_out/new-00000.parquet", 3, 900}}});
  std::sort(table.partitions.begin(), table.partitions.end(),
            [](const PartitionEntry& a, const PartitionEntry& b) { return a.spec < b.spec; });
  after.windows.push_back(Window(spec, 999999999, true));

  const ManifestDelta delta = DiffManifests(before, after);
  EXPECT_EQ(delta.base_version, 2000);
  EXPECT_EQ(delta.version, 2001);
  ASSERT_EQ(delta.partitions_put.size(), 1u);
  EXPECT_EQ(delta.partitions_put[0].partition.spec, spec);
  EXPECT_EQ(delta.windows_added.size(), 1u);
  EXPECT_TRUE(delta.tables_put.empty());
  EXPECT_TRUE(delta.windows_removed.empty());
  const std::string encoded = EncodeManifestDelta(delta).value();
  EXPECT_LT(encoded.size(), 1500u);
  EXPECT_GT(EncodeManifest(after).value().size(), 500000u);
  EXPECT_EQ(Replayed(before, after), after);
}

TEST(ManifestDeltaTest, ATruncatingWindowReplacesThePartitionsFilesAndLedgerEntries) {
  const WarehouseManifest before = WarehouseWithWindows(30);
  WarehouseManifest after = Next(before);
  const std::string spec = Spec(2, 1);  // Window 9's partition.
  PartitionEntry* partition = after.tables[0].FindPartition(spec);
  ASSERT_NE(partition, nullptr);
  for (const DataFile& file : partition->files) {
    after.retired_files.push_back({file.path, after.committed_at_micros});
  }
  partition->files = {{"data/bench_out/rerun-00000.parquet", 5, 1200}};
  std::erase_if(after.windows, [&](const WindowEntry& window) { return window.partition == spec; });
  after.windows.push_back(Window(spec, 42, true));

  const ManifestDelta delta = DiffManifests(before, after);
  EXPECT_EQ(delta.partitions_put.size(), 1u);
  EXPECT_EQ(delta.windows_removed.size(), 1u);
  EXPECT_EQ(delta.windows_added.size(), 1u);
  EXPECT_EQ(delta.retired_files_added.size(), 1u);
  EXPECT_EQ(Replayed(before, after), after);
}

TEST(ManifestDeltaTest, TablesCreatedChangedAndDroppedAndRetiredFilesDeletedReplay) {
  WarehouseManifest before = WarehouseWithWindows(5);
  before.retired_files = {{"data/bench_out/a.parquet", 1}, {"data/bench_out/b.parquet", 2}};
  TableEntry dropped;
  dropped.schema = ParseTableSpec("zzz_dropped(id STRING)").value();
  dropped.partitions.push_back({"", 5, {{"data/zzz_dropped/x-00000.parquet", 1, 10}}});
  before.tables.push_back(dropped);

  WarehouseManifest after = Next(before);
  after.retired_files.erase(after.retired_files.begin());  // Its grace passed: deleted.
  after.retired_files.push_back({"data/zzz_dropped/x-00000.parquet", 9});
  after.tables.pop_back();
  TableEntry created;
  created.schema =
      ParseTableSpec("aaa_new(id STRING, n BIGINT) PARTITIONED BY (pt STRING)").value();
  created.created_at_micros = 77;
  created.partitions.push_back({"pt=1", 78, {}});
  after.tables.insert(after.tables.begin(), created);
  after.tables.back().schema.columns.push_back({"added", ColumnType{}});

  const ManifestDelta delta = DiffManifests(before, after);
  EXPECT_EQ(delta.tables_removed, std::vector<std::string>{"zzz_dropped"});
  EXPECT_EQ(delta.tables_put.size(), 2u);  // The new table and the changed schema.
  EXPECT_EQ(delta.retired_files_removed, std::vector<std::string>{"data/bench_out/a.parquet"});
  EXPECT_EQ(Replayed(before, after), after);
}

// A reordered ledger replays (what moved is removed and appended again), but a partition list
// out of the committer's order does not: ApplyManifestDelta keeps partitions sorted.
TEST(ManifestDeltaTest, AStateOutOfTheCommittersOrderIsNotReproducedSoThePublisherWritesItWhole) {
  const WarehouseManifest before = WarehouseWithWindows(3);
  WarehouseManifest reordered = Next(before);
  std::swap(reordered.windows[0], reordered.windows[2]);
  EXPECT_EQ(Replayed(before, reordered), reordered);

  WarehouseManifest unsorted = Next(before);
  unsorted.tables[0].partitions.push_back({"task=a", 1, {}});
  EXPECT_NE(Replayed(before, unsorted), unsorted);
}

TEST(ManifestDeltaTest, ADeltaAppliedToAnotherVersionOrMissingWhatItRemovesIsCorruption) {
  const WarehouseManifest before = WarehouseWithWindows(4);
  WarehouseManifest after = Next(before);
  after.tables[0].partitions.erase(after.tables[0].partitions.begin());
  const ManifestDelta delta = DiffManifests(before, after);

  WarehouseManifest other_version = WarehouseWithWindows(3);
  Status status = ApplyManifestDelta(delta, &other_version);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("applies to version 4, not to version 3"), std::string::npos)
      << status.ToString();

  WarehouseManifest without = before;
  without.tables[0].partitions.erase(without.tables[0].partitions.begin());
  status = ApplyManifestDelta(delta, &without);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("removes partition " + before.tables[0].partitions[0].spec +
                                  " of table bench_out, which its base version 4 does not have"),
            std::string::npos)
      << status.ToString();
}

TEST(ManifestDeltaTest, ADamagedDeltaFileIsRefusedNamingIt) {
  const WarehouseManifest before = WarehouseWithWindows(2);
  WarehouseManifest after = Next(before);
  after.windows.push_back(Window(Spec(1, 1), 7, false));
  std::string encoded = EncodeManifestDelta(DiffManifests(before, after)).value();
  ASSERT_TRUE(encoded.starts_with("otsync-warehouse-delta 1 "));

  std::string flipped = encoded;
  flipped[flipped.size() / 2] ^= 0x01;
  Result<ManifestDelta> decoded = DecodeManifestDelta(flipped, "/w/_manifests/3.delta");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find(
                "the warehouse manifest delta /w/_manifests/3.delta is damaged: its checksum is"),
            std::string::npos)
      << decoded.status().ToString();

  decoded = DecodeManifestDelta(encoded.substr(0, encoded.size() / 2), "/w/_manifests/3.delta");
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  decoded = DecodeManifestDelta(EncodeManifest(after).value(), "/w/_manifests/3.delta");
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << "a complete manifest is no delta";
}

}  // namespace
}  // namespace otsync::odps
