// A DuckDB session over one manifest: the warehouse as SQL sees it. Each table is a view over
// its Parquet files (or an empty table before its first rows), so every query of a session
// reads one consistent state, however many commits happen meanwhile; the warehouse's own
// bookkeeping is queryable as the tables
//   _otsync_columns     (table_name, ordinal, column_name, column_type, is_partition)
//   _otsync_partitions  (table_name, partition_spec, created_at)
//   _otsync_windows     (table_name, partition_spec, source_table, stream_id, start_millis,
//                        end_millis, end_checkpoints, row_count, truncate, committed_at)
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "writers/odps/duckdb_support.h"
#include "writers/odps/manifest.h"

namespace otsync::odps {

// `root` is the warehouse folder the manifest's file paths are relative to; `spill_folder` is
// where DuckDB may spill a large query (made only when needed).
Result<std::unique_ptr<DuckDbSession>> OpenSnapshotSession(const WarehouseManifest& manifest,
                                                           const std::string& root,
                                                           const std::string& memory_limit,
                                                           const std::string& spill_folder);

}  // namespace otsync::odps
