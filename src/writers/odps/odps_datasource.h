// The `odps` data-source type: a folder of the local warehouse (warehouse.h) and the project name
// DataX jobs use to find it. The odps writer, the `otsync warehouse` commands and the console's
// warehouse pages work on the warehouse an `odps` data source names.
//
// Its fields, in datasources.json and the console's forms: warehouse (the folder's path) and
// project (letters, digits and underscores, beginning with a letter). A fresh data dir holds
// `odps_first`, <data-dir>/warehouse.
#pragma once

#include <string>

#include "base/result.h"
#include "sync/datasource_type.h"

namespace otsync::odps {

struct OdpsDataSourceConfig {
  std::string warehouse_path;  // The local warehouse folder (Parquet files and manifests).
  std::string project;

  bool operator==(const OdpsDataSourceConfig&) const = default;
};

// The descriptor for PluginRegistry::AddDataSourceType, tested by TestWarehouseDataSource.
sync::DataSourceType OdpsDataSourceType();

// A data source of type odps holding `config`.
sync::DataSource OdpsDataSource(std::string name, std::string description,
                                const OdpsDataSourceConfig& config);

// The config `source` holds; kInvalidArgument when it is of another type.
Result<OdpsDataSourceConfig> OdpsDataSourceConfigOf(const sync::DataSource& source);

// Opens the warehouse and counts its tables. A warehouse that does not exist yet passes when its
// parent folder exists (the first create-table creates it). A test never creates the warehouse.
Result<std::string> TestWarehouseDataSource(const sync::DataSource& source);

}  // namespace otsync::odps
