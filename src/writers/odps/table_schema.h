// The schema of a warehouse table as MaxCompute has it: typed data columns followed by partition
// columns, and the DDL-like text that declares one:
//
//   person(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING,
//          sequenceinfo STRING) PARTITIONED BY (pt STRING)
//
// Table and column names are case-insensitive, as in MaxCompute: they are kept lower-cased.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace otsync::odps {

enum class ColumnKind {
  kString,
  kBigint,
  kInt,
  kSmallint,
  kTinyint,
  kDouble,
  kFloat,
  kBoolean,
  kDatetime,  // Wall-clock date and time, millisecond precision as MaxCompute's DATETIME.
  kTimestamp,
  kDate,
  kDecimal,
  kBinary,
};

struct ColumnType {
  ColumnKind kind = ColumnKind::kString;
  int precision = 0;  // DECIMAL only: 1..38.
  int scale = 0;      // DECIMAL only: 0..precision.

  bool operator==(const ColumnType&) const = default;
};

// "STRING", "BIGINT", "DECIMAL(10,2)": the MaxCompute spelling.
std::string ColumnTypeName(const ColumnType& type);
// The DuckDB type that stores it: VARCHAR, BIGINT, DECIMAL(10,2), TIMESTAMP, BLOB, ...
std::string DuckDbTypeName(const ColumnType& type);
// Parses a MaxCompute type name, case-insensitively; "DECIMAL" alone is DECIMAL(38,18) as in
// MaxCompute 2.0.
Result<ColumnType> ParseColumnType(std::string_view text);

struct Column {
  std::string name;
  ColumnType type;
  bool operator==(const Column&) const = default;
};

struct TableSchema {
  std::string name;
  std::vector<Column> columns;            // Data columns, in table order.
  std::vector<Column> partition_columns;  // Partition levels, outermost first.

  bool partitioned() const { return !partition_columns.empty(); }
  // Index among the data columns, matched case-insensitively.
  std::optional<size_t> FindColumn(std::string_view name) const;
  // Back to the DDL-like text ParseTableSpec reads.
  std::string ToSpec() const;

  bool operator==(const TableSchema&) const = default;
};

// Lower-cased ASCII.
std::string ToLower(std::string_view text);

// Letters, digits and underscores, starting with a letter; at most 128 characters (MaxCompute's
// rule for table and column names), so no table collides with the warehouse's own "_otsync_"
// metadata tables.
Status ValidateIdentifier(std::string_view what, std::string_view name);

// Parses "name(col TYPE, ...) [PARTITIONED BY (col TYPE, ...)]". Names are lower-cased; a name
// used twice (data and partition columns together) is an error naming it.
Result<TableSchema> ParseTableSpec(std::string_view spec);

}  // namespace otsync::odps
