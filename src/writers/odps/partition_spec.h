// Partition specs as MaxCompute writes them ("pt=20171019", "pt=20171019,region=hz") and their
// check against a table, with the rules of DataX's odpswriter (docs/datax-semantics.md §5.2): a
// partitioned table needs the partition, a non-partitioned one refuses it, and the spec names every
// level down to the last.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "writers/odps/table_schema.h"

namespace otsync::odps {

struct PartitionLevel {
  std::string name;  // Lower-cased.
  std::string value;
  bool operator==(const PartitionLevel&) const = default;
};

// Levels outermost first; empty for a non-partitioned table.
using PartitionValues = std::vector<PartitionLevel>;

// "pt=20171019,region=hz"; "" for no levels.
std::string FormatPartition(const PartitionValues& partition);

// Parses an already normalised spec (NormalizePartition): comma-separated name=value items.
Result<PartitionValues> ParsePartition(std::string_view partition);

// Checks `partition` (normalised) against `schema` for a write. Levels may be given in any order
// and are returned in the table's order. The message of every error names the table, the spec and
// what the table expects.
Result<PartitionValues> ResolvePartition(const TableSchema& schema, std::string_view partition,
                                         bool truncate);

}  // namespace otsync::odps
