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
#include "wire/operations.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace otsync::store {

using wire::Direction;
using wire::RangeRequest;
using wire::RangeResult;
using wire::ReadOptions;
using wire::RowReadOutcome;
using wire::RowWrite;
using wire::RowWriteOutcome;
using wire::TableDescription;
using wire::TableReads;
using wire::TableUpdate;
using wire::TableWrites;

struct StoreOptions {
  std::string path;              // RocksDB directory; created when missing.
  std::shared_ptr<Clock> clock;  // Stamps cell versions and stream records.
  bool sync_writes = false;      // fsync the WAL on every write (machine-crash safety).
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
