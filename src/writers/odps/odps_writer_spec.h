// The parameters of the `odps` writer (the seed's wizard fields and DataX odpswriter, reference
// docs/datax-semantics.md §5.1), landing rows in a table of the local warehouse.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "sync/config_object.h"
#include "sync/job_binding.h"
#include "writers/odps/odps_datasource.h"

namespace otsync::odps {

struct OdpsWriterSpec {
  // A registered `odps` data source. DataX jobs name a `project` instead; at least one is set.
  std::string datasource;
  std::string project;
  std::string table;
  // Normalised as DataX does ("pt=1 / type = a" -> "pt=1,type=a"); empty for a
  // non-partitioned table. That it names the last partition level is checked against the table.
  std::string partition;
  std::vector<std::string> columns;  // Non-empty; {"*"} means every column in table order.
  bool truncate = false;             // true: Insert Overwrite; false: Insert Into.
  bool empty_as_null = false;
  bool compress = false;

  bool operator==(const OdpsWriterSpec&) const = default;
};

// DataX's partition normalisation (docs/datax-semantics.md §5.1): trim; drop spaces around '=' and
// ','; a '/' with spaces around it becomes ','; every single quote is deleted.
std::string NormalizePartition(std::string_view partition);

Result<OdpsWriterSpec> ParseOdpsWriterSpec(const sync::ConfigObject& parameter,
                                           std::vector<std::string>& warnings);

// The warehouse the spec writes to: its `datasource`, or else the single `odps` data source whose
// project is the spec's `project` (DataX jobs name projects, not data sources).
Result<OdpsDataSourceConfig> ResolveWarehouse(const OdpsWriterSpec& spec,
                                              const sync::DataSourceLookup& sources);

}  // namespace otsync::odps
