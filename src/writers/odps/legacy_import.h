// `otsync warehouse import-file FILE`: brings the tables of a single-file DuckDB warehouse (the
// layout of otsync before the warehouse became a folder: data tables beside _otsync_columns,
// _otsync_partitions and _otsync_windows) into a warehouse folder, with their partitions and
// their committed windows, in one commit. The file is opened read-only and left as it is.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace otsync::odps {

class WarehouseCommitter;

struct ImportReport {
  int64_t tables = 0;
  int64_t partitions = 0;
  int64_t rows = 0;
  int64_t windows = 0;
};

// kAlreadyExists (and nothing imported) when a table of the file exists in the warehouse.
Result<ImportReport> ImportSingleFileWarehouse(const std::string& file,
                                               WarehouseCommitter* committer,
                                               const std::string& memory_limit);

}  // namespace otsync::odps
