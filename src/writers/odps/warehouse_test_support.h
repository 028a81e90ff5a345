// Helpers of the warehouse tests: a temporary warehouse folder and loads of simple rows.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "testing/temporary_directory.h"
#include "writers/odps/warehouse.h"

namespace otsync::odps::testing {

inline constexpr char kPersonSpec[] =
    "person(id STRING, version BIGINT) PARTITIONED BY (pt STRING)";

// A warehouse folder in a temporary directory of its own, removed with it.
class TemporaryWarehouse {
 public:
  std::string path() const { return directory_.Child("warehouse"); }
  std::unique_ptr<Warehouse> Open() const {
    Result<std::unique_ptr<Warehouse>> opened = Warehouse::Open(path());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

 private:
  otsync::testing::TemporaryDirectory directory_{"otsync_warehouse"};
};

inline std::vector<CellValue> PersonRow(const std::string& id, int64_t version) {
  std::vector<CellValue> row(2);
  row[0].kind = CellValue::Kind::kText;
  row[0].owned = id;
  row[0].text = row[0].owned;
  row[1].kind = CellValue::Kind::kInteger;
  row[1].integer = version;
  return row;
}

inline sync::CommittedWindow Window(int64_t start, int64_t end) {
  sync::CommittedWindow window;
  window.key = {"person", "stream", start, end};
  window.end_checkpoints = "checkpoints " + std::to_string(end);
  return window;
}

// Begins a load of `rows` rows "<prefix>-<n>" into partition pt=`pt`.
inline std::unique_ptr<PartitionLoad> LoadRows(Warehouse& warehouse, const std::string& pt,
                                               bool truncate, const std::string& prefix, int rows) {
  TableSchema schema = warehouse.DescribeTable("person").value();
  PartitionValues partition = ResolvePartition(schema, "pt=" + pt, truncate).value();
  Result<std::unique_ptr<PartitionLoad>> load = warehouse.BeginLoad(schema, partition, truncate);
  EXPECT_TRUE(load.ok()) << load.status().ToString();
  if (!load.ok()) return nullptr;
  for (int n = 0; n < rows; ++n) {
    Status appended = (*load)->AppendRow(PersonRow(prefix + "-" + std::to_string(n), n));
    EXPECT_TRUE(appended.ok()) << appended.ToString();
  }
  return std::move(load).value();
}

// "count(*)" of a query's single cell, or -1.
inline int64_t CountOf(Warehouse& warehouse, const std::string& sql) {
  Result<QueryResult> result = warehouse.Query(sql);
  EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
  if (!result.ok() || result->rows.empty() || !result->rows[0][0].has_value()) return -1;
  return std::stoll(*result->rows[0][0]);
}

}  // namespace otsync::odps::testing
