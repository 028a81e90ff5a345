#include "writers/odps/partition_spec.h"

#include <optional>

namespace otsync::odps {
namespace {

std::string PartitionColumnList(const TableSchema& schema) {
  std::string list;
  for (const Column& column : schema.partition_columns) {
    if (!list.empty()) list += ", ";
    list += column.name;
  }
  return "(" + list + ")";
}

std::string ExamplePartition(const TableSchema& schema) {
  std::string example;
  for (const Column& column : schema.partition_columns) {
    if (!example.empty()) example += ",";
    example += column.name + "=...";
  }
  return example;
}

bool IsIntegerKind(ColumnKind kind) {
  return kind == ColumnKind::kBigint || kind == ColumnKind::kInt || kind == ColumnKind::kSmallint ||
         kind == ColumnKind::kTinyint;
}

bool IsInteger(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string FormatPartition(const PartitionValues& partition) {
  std::string text;
  for (const PartitionLevel& level : partition) {
    if (!text.empty()) text += ",";
    text += level.name + "=" + level.value;
  }
  return text;
}

Result<PartitionValues> ParsePartition(std::string_view partition) {
  PartitionValues levels;
  if (partition.empty()) return levels;
  size_t start = 0;
  while (start <= partition.size()) {
    size_t comma = partition.find(',', start);
    if (comma == partition.npos) comma = partition.size();
    std::string_view item = partition.substr(start, comma - start);
    size_t equals = item.find('=');
    if (equals == 0 || equals == item.npos || equals + 1 == item.size() ||
        item.find('=', equals + 1) != item.npos) {
      return Status::InvalidArgument("partition \"" + std::string(partition) +
                                     "\" is malformed; the right form is pt=1,ds=hangzhou");
    }
    levels.push_back({ToLower(item.substr(0, equals)), std::string(item.substr(equals + 1))});
    start = comma + 1;
  }
  return levels;
}

Result<PartitionValues> ResolvePartition(const TableSchema& schema, std::string_view partition,
                                         bool truncate) {
  // Built by appending: GCC 12 at -O3 reports a false -Wrestrict for "\"" + std::string.
  std::string quoted(1, '"');
  quoted.append(partition).push_back('"');
  if (!schema.partitioned()) {
    if (partition.empty()) return PartitionValues{};
    return Status::InvalidArgument(
        "table " + schema.name + " is not partitioned, so partition " + quoted +
        " must not be set" +
        (truncate ? " (truncate clears the whole table)" : " (rows are appended to the table)"));
  }
  if (partition.empty()) {
    return Status::InvalidArgument(
        "table " + schema.name + " is partitioned by " + PartitionColumnList(schema) +
        (truncate ? ": truncate needs the partition to clear" : ": writing needs a partition") +
        "; set partition, e.g. " + ExamplePartition(schema));
  }
  OTSYNC_ASSIGN_OR_RETURN(PartitionValues given, ParsePartition(partition));
  std::vector<std::optional<std::string>> values(schema.partition_columns.size());
  for (const PartitionLevel& level : given) {
    size_t index = 0;
    while (index < schema.partition_columns.size() &&
           schema.partition_columns[index].name != level.name) {
      ++index;
    }
    if (index == schema.partition_columns.size()) {
      return Status::InvalidArgument("partition " + quoted + ": table " + schema.name +
                                     " has no partition column " + level.name +
                                     "; its partition columns are " + PartitionColumnList(schema));
    }
    if (values[index].has_value()) {
      return Status::InvalidArgument("partition " + quoted + " names level " + level.name +
                                     " twice");
    }
    const Column& column = schema.partition_columns[index];
    if (IsIntegerKind(column.type.kind) && !IsInteger(level.value)) {
      return Status::InvalidArgument("partition " + quoted + ": level " + level.name + " is " +
                                     ColumnTypeName(column.type) + ", but \"" + level.value +
                                     "\" is not an integer");
    }
    values[index] = level.value;
  }
  PartitionValues resolved;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i].has_value()) {
      return Status::InvalidArgument(
          "partition " + quoted + " must name every level down to the last: table " + schema.name +
          " is partitioned by " + PartitionColumnList(schema) + "; missing " +
          schema.partition_columns[i].name + ", e.g. " + ExamplePartition(schema));
    }
    resolved.push_back({schema.partition_columns[i].name, std::move(*values[i])});
  }
  return resolved;
}

}  // namespace otsync::odps
