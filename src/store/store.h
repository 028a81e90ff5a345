// Store: the storage engine behind otsd. Instances, tables, multi-version rows and (with the
// Stream issue) each table's change log, all in one RocksDB database. Knows nothing of HTTP or
// protobuf: the server converts requests to these calls.
//
// Contracts:
//  - Every write that the store acknowledges is in the RocksDB WAL (and fsynced when
//    StoreOptions::sync_writes is set) before the call returns.
//  - A row change and its stream record are written in the same RocksDB WriteBatch.
//  - Errors carry the service's messages (reference §1.7), e.g. NotFound "Requested table does
//    not exist.", ConditionCheckFailed "Condition check failed.".
//
// Thread safety: every method may be called from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/conditions.h"
#include "store/table_schema.h"
#include "wire/row.h"

namespace otsync::store {

struct StoreOptions {
  std::string path;                    // RocksDB directory; created when missing.
  std::shared_ptr<Clock> clock;        // Stamps cell versions and stream records.
  bool sync_writes = false;            // fsync the WAL on every write (machine-crash safety).
};

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
  wire::Row row;  // PK (+ cells for put/update; cell operations only for update).
  Condition condition;
  ReturnType return_type = ReturnType::kNone;
  std::vector<std::string> return_columns;
};

struct RowWriteOutcome {
  Status status;                          // Per-row result in a batch.
  std::optional<wire::Row> returned_row;  // Per ReturnType, when status is OK.
};

struct TableWrites {
  std::string table_name;
  std::vector<RowWrite> rows;
};

struct TableReads {
  std::string table_name;
  std::vector<wire::PrimaryKey> primary_keys;
  ReadOptions options;
};

// A read row, or nullopt when the row does not exist or was filtered out.
struct RowReadOutcome {
  Status status;
  std::optional<wire::Row> row;
};

enum class Direction : uint8_t { kForward = 0, kBackward = 1 };

struct RangeRequest {
  Direction direction = Direction::kForward;
  wire::PrimaryKey inclusive_start;  // May hold INF_MIN / INF_MAX.
  wire::PrimaryKey exclusive_end;
  int32_t limit = 0;  // 0 = absent; at most 5000 rows and 4 MB are returned per call anyway.
  ReadOptions read;
};

struct RangeResult {
  std::vector<wire::Row> rows;
  std::optional<wire::PrimaryKey> next_start_primary_key;  // Absent = range finished.
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  virtual ~Store() = default;

  virtual Status CreateTable(const std::string& instance, const TableDescription& table) = 0;
  virtual Result<std::vector<std::string>> ListTables(const std::string& instance) = 0;
  virtual Result<TableDescription> DescribeTable(const std::string& instance,
                                                 const std::string& table) = 0;
  virtual Result<TableDescription> UpdateTable(const std::string& instance,
                                               const std::string& table,
                                               const TableUpdate& update) = 0;
  virtual Status DeleteTable(const std::string& instance, const std::string& table) = 0;

  virtual Result<RowReadOutcome> GetRow(const std::string& instance, const std::string& table,
                                        const wire::PrimaryKey& primary_key,
                                        const ReadOptions& options) = 0;
  virtual Result<RowWriteOutcome> WriteRow(const std::string& instance, const std::string& table,
                                           const RowWrite& write) = 0;
  // Outcomes in request order, one vector per table. A request-level error (too many rows,
  // duplicated table) fails the whole call; row-level errors are in the outcomes.
  virtual Result<std::vector<std::vector<RowReadOutcome>>> BatchGetRows(
      const std::string& instance, const std::vector<TableReads>& tables) = 0;
  virtual Result<std::vector<std::vector<RowWriteOutcome>>> BatchWriteRows(
      const std::string& instance, const std::vector<TableWrites>& tables) = 0;
  virtual Result<RangeResult> GetRange(const std::string& instance, const std::string& table,
                                       const RangeRequest& request) = 0;
  // Split points of roughly `split_size_bytes` each, as PK-only keys in increasing order.
  virtual Result<std::vector<wire::PrimaryKey>> ComputeSplitPointsBySize(
      const std::string& instance, const std::string& table, int64_t split_size_bytes) = 0;
};

}  // namespace otsync::store
