// The service's rules for table definitions, primary keys and row changes, with the service's
// error codes and messages. Pure functions of their inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "store/stream_types.h"
#include "wire/operations.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace otsync::store {

inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kMaxPrimaryKeyColumns = 4;
inline constexpr size_t kMaxPrimaryKeyStringBytes = 1024;
inline constexpr size_t kMaxCellValueBytes = 2 * 1024 * 1024;
inline constexpr size_t kMaxColumnsPerRow = 1024;
inline constexpr size_t kMaxRowBytes = 4 * 1024 * 1024;
inline constexpr int32_t kMinTimeToLiveSeconds = 86400;

// `[A-Za-z_][A-Za-z0-9_]*`, 1 to 255 characters: table and column names alike.
bool IsValidName(std::string_view name);

Status ValidateTableOptions(const wire::TableOptions& options);
Status ValidateStreamExpiration(int32_t expiration_hours);
// Everything CreateTable checks about the request itself (not whether the table exists).
Status ValidateNewTable(const wire::TableDescription& table);

enum class PrimaryKeyUse {
  kExactRow,  // GetRow, DeleteRow, BatchGetRow: real values only.
  // PutRow, UpdateRow (and their BatchWriteRow rows): the AUTO_INCREMENT column may hold the
  // AUTO_INCREMENT placeholder, which names a new row with a generated value.
  kWrittenRow,
  kRangeBound,  // GetRange bounds: INF_MIN / INF_MAX allowed in any column.
};

// Count, names, order and types against the schema (kInvalidPrimaryKey), string sizes.
Status ValidatePrimaryKey(const wire::PrimaryKey& primary_key,
                          const std::vector<wire::PrimaryKeySchemaColumn>& schema,
                          PrimaryKeyUse use);

// The attribute cells of a row change: names, operations allowed for the write type, values,
// sizes, column count, and user timestamps within `deviation_cell_version_in_seconds` of
// `now_millis`. The primary key is checked separately.
Status ValidateRowChange(const wire::RowWrite& write, const wire::TableOptions& options,
                         int64_t now_millis);

}  // namespace otsync::store
