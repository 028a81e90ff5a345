// OdpsWriter: the `odps` writer (the seed's MaxCompute destination, DataX odpswriter,
// docs/datax-semantics.md §5) landing a job's rows in one partition of a warehouse table, exactly
// once.
//
//  - Prepare checks the destination before any data is read: the table exists, the partition
//    names exactly the table's partition levels (or is absent for a non-partitioned table), and
//    every configured column exists (names case-insensitive, no duplicates, ["*"] for all data
//    columns in table order).
//  - Write maps the i-th field of a record to the i-th configured column and converts it
//    (value_conversion.h). A record with more fields than configured columns fails the job, as in
//    DataX; with fewer, the rest are NULL and one warning is kept. A field that does not convert
//    makes the record dirty: "column 'version': cannot convert STRING "abc" to BIGINT: not a
//    number".
//  - Rows go into one DuckDB transaction opened by the first Write (appender, no per-row SQL);
//    with truncate the partition is cleared inside that transaction. Commit makes the rows and
//    the window record visible at once; Abort, a failed Commit or a crash leaves the table as it
//    was. Without truncate, committing a window already committed to the partition is refused.
//  - `compress` is accepted and has no effect on the local warehouse (DataX ignores isCompress
//  too).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sync/writer.h"
#include "writers/odps/odps_writer_spec.h"
#include "writers/odps/partition_spec.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/value_conversion.h"
#include "writers/odps/warehouse.h"

namespace otsync::odps {

class OdpsWriter final : public sync::Writer {
 public:
  // Writes through `warehouse`, which may be shared with other users in this process.
  OdpsWriter(OdpsWriterSpec spec, std::shared_ptr<Warehouse> warehouse);
  // Opens the warehouse (a folder) of an `odps` data source.
  static Result<std::unique_ptr<OdpsWriter>> Open(OdpsWriterSpec spec,
                                                  const std::string& warehouse_path);
  ~OdpsWriter() override;

  Status Prepare() override;
  Result<std::optional<sync::CommittedWindow>> FindCommittedWindow(
      const sync::WindowKey& key) override;
  Status Write(const std::vector<sync::Record>& records,
               std::vector<sync::DirtyRecord>* dirty) override;
  Status Commit(const sync::CommittedWindow& window) override;
  void Abort() override;
  std::string DescribeDestination() const override;

  // Things the job log should show once (fewer source fields than configured columns).
  const std::vector<std::string>& warnings() const override { return warnings_; }
  // Rows staged since the load began.
  int64_t staged_rows() const;
  // The last commit's lock wait and hold times.
  const CommitStats& commit_stats() const { return commit_stats_; }

 private:
  Status EnsureLoad();

  OdpsWriterSpec spec_;
  std::shared_ptr<Warehouse> warehouse_;
  bool prepared_ = false;
  TableSchema schema_;
  PartitionValues partition_;
  std::string partition_spec_;
  // target_columns_[i]: the data column the i-th field of a record goes to.
  std::vector<size_t> target_columns_;
  std::vector<CellValue> cells_;
  std::unique_ptr<PartitionLoad> load_;
  CommitStats commit_stats_;
  bool warned_short_records_ = false;
  std::vector<std::string> warnings_;
};

}  // namespace otsync::odps
