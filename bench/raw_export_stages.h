// The two stages no export design can skip, measured raw so that export_bench can set the
// export beside the limit they imply (issue 14):
//   RawStreamScan    iterates the stream records otsd holds for one table, straight from otsd's
//                    RocksDB (no server, no protocol, no decoding);
//   RawParquetAppend writes output rows the cheapest way the warehouse can: DuckDB data chunks
//                    written out by COPY as Parquet files with the warehouse's own settings, and
//                    synced.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/stream_types.h"
#include "sync/record.h"
#include "writers/odps/table_schema.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace otsync::bench {

struct RawScanPass {
  double seconds = 0;
  int64_t records = 0;
  int64_t bytes = 0;  // Keys and values.
};

// otsd's RocksDB opened as a secondary instance beside the running otsd: it sees what otsd had
// written (flushed or in its WAL) when Open returned, and never writes otsd's files.
class RawStreamScan {
 public:
  // Opens `otsd_data_dir` with the secondary's own files in `secondary_dir` and finds the record
  // prefixes of every shard of `table`'s stream (closed parents included). Not for timing.
  static Result<std::unique_ptr<RawStreamScan>> Open(const std::string& otsd_data_dir,
                                                     const std::string& secondary_dir,
                                                     const store::TableRef& table);
  ~RawStreamScan();
  RawStreamScan(const RawStreamScan&) = delete;
  RawStreamScan& operator=(const RawStreamScan&) = delete;

  // One pass of RocksDB iterators over the stream-records column family, shard after shard,
  // stepping through each entry's records (a batch's records to a shard share an entry) and
  // adding up the entries' key and value sizes; timed from the first iterator's creation to the
  // last one's end.
  Result<RawScanPass> Pass() const;

  // Where the records lie, as RocksDB reports it for the column family: "X MiB in N SST files,
  // M entries in memtables" (all of the column family, other tables' records included).
  std::string Placement() const;

 private:
  RawStreamScan() = default;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* records_ = nullptr;
  std::vector<uint64_t> shard_numbers_;
};

// Fills `rows` (empty on the call) with the next rows to append, one field per data column of
// the schema; false when there are no more.
using RowSource = std::function<bool(std::vector<sync::Record>* rows)>;

struct RawAppendRun {
  double seconds = 0;
  int64_t rows = 0;
  int64_t files = 0;
};

// Writes every row of `source`, each field converted to its column's type as the odps writer
// converts it (odps::ConvertField), into DuckDB data chunks of 2,048 rows, filled by this file's
// own code (the baseline must not move with the code it measures) the way the loads put values
// in (texts through odps::SetStringSlot into the chunk's TextArena, chunks refilled once read:
// staging_chunk.h), and writes them as the loads
// do (parquet_load.h): an in-memory DuckDB with the warehouse's memory limit and thread count runs
// COPY (SELECT ... FROM staged_rows()) TO ... odps::kLoadParquetOptions on a file writer thread,
// taking each chunk as it is filled, for each part-NNNNN.parquet of `folder`; a file ends at
// odps::kRowsPerFile rows or odps::kBytesPerFile (counted as the loads count them; checked after
// each chunk) and is synced; at the end `folder` is synced. `partition` holds the value of each of
// the schema's partition columns, a constant of the SELECT. Timed: opening DuckDB, then filling
// the chunks while the file writer takes them, to the last file synced. Not timed: `source`
// making the rows and their conversion, all done before the clock starts (so the file writer
// never works while it is stopped; the converted rows take ~16 bytes a value plus the texts).
Result<RawAppendRun> RawParquetAppend(const std::string& folder, const odps::TableSchema& schema,
                                      const std::vector<std::string>& partition,
                                      const RowSource& source);

}  // namespace otsync::bench
