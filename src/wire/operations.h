// The data operations shared by the client, the storage engine and the server: read options,
// row writes, range requests and their outcomes. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "wire/conditions.h"
#include "wire/row.h"

namespace otsync::wire {

struct TimeRange {
  std::optional<int64_t> start_millis;     // Inclusive.
  std::optional<int64_t> end_millis;       // Exclusive.
  std::optional<int64_t> specific_millis;  // Exactly this version.
};

struct ReadOptions {
  std::vector<std::string> columns_to_get;  // Empty = every column.
  std::optional<TimeRange> time_range;
  int32_t max_versions = 0;  // 0 = absent (then time_range is required, as the service wants).
  std::optional<Filter> filter;
  std::string start_column;  // Inclusive, empty = none.
  std::string end_column;    // Exclusive, empty = none.
};

enum class WriteType : uint8_t { kPut = 1, kUpdate = 2, kDelete = 3 };
enum class ReturnType : uint8_t { kNone = 0, kPrimaryKey = 1, kAfterModify = 2 };

struct RowWrite {
  WriteType type = WriteType::kPut;
  Row row;  // PK (+ cells for put/update; cell operations only for update).
  Condition condition;
  ReturnType return_type = ReturnType::kNone;
  std::vector<std::string> return_columns;
};

struct RowWriteOutcome {
  Status status;                    // Per-row result in a batch.
  std::optional<Row> returned_row;  // Per ReturnType, when status is OK.
};

struct TableWrites {
  std::string table_name;
  std::vector<RowWrite> rows;
};

struct TableReads {
  std::string table_name;
  std::vector<PrimaryKey> primary_keys;
  ReadOptions options;
};

// A read row, or nullopt when the row does not exist or was filtered out.
struct RowReadOutcome {
  Status status;
  std::optional<Row> row;
};

enum class Direction : uint8_t { kForward = 0, kBackward = 1 };

struct RangeRequest {
  Direction direction = Direction::kForward;
  PrimaryKey inclusive_start;  // May hold INF_MIN / INF_MAX.
  PrimaryKey exclusive_end;
  int32_t limit = 0;  // 0 = absent; at most 5000 rows and 4 MB are returned per call anyway.
  ReadOptions read;
};

struct RangeResult {
  std::vector<Row> rows;
  std::optional<PrimaryKey> next_start_primary_key;  // Absent = range finished.
};

}  // namespace otsync::wire
