// Read semantics: which stored versions a reader sees and how ReadOptions shape the returned row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/status.h"
#include "store/row_codec.h"
#include "wire/operations.h"
#include "wire/plain_buffer.h"
#include "wire/table_schema.h"

namespace otsync::store {

// The versions still alive: newer than the TTL horizon (ts > now - ttl) and, per column, only
// the table's `max_versions` newest. Stored rows may hold more (TTL and lowered max_versions are
// applied lazily, here), so every reader and every read-modify-write goes through this.
// `stored` is a sink: pass std::move of a row no longer needed to filter it in place.
StoredRow VisibleRow(StoredRow stored, const wire::TableOptions& options, int64_t now_millis);

// A stored row exists for readers and conditions when it still has a visible cell, or when it
// was written with no attribute column at all (a PK-only row).
bool RowExists(const StoredRow& stored, const StoredRow& visible);
// The same, for a caller that moved the stored row into VisibleRow: `written_without_columns`
// is stored.columns.empty().
bool RowExists(bool written_without_columns, const StoredRow& visible);

// max_versions or time_range must be given; time range bounds must be ordered; filters well
// formed.
Status ValidateReadOptions(const wire::ReadOptions& options);

// The row a read returns, or nullopt when the filter rejects it or nothing requested is in it.
// REQUIRED: RowExists(stored, visible).
// Decision (documented service behaviour for GetRange, applied to every read): when no cell of
// the row survives columns_to_get, start/end_column and time_range, the row is not returned.
// Exceptions that return the PK alone: a PK-only row read without columns_to_get, a
// columns_to_get naming a PK column, and a column pagination window past the last column.
// Cells come sorted by column name, newest timestamp first.
// `primary_key` and `visible` are sinks: pass std::move of what the caller no longer needs, and
// the values move into the returned row instead of being copied.
std::optional<wire::Row> ProjectRow(wire::PrimaryKey primary_key, StoredRow visible,
                                    const wire::ReadOptions& options,
                                    const std::vector<wire::PrimaryKeySchemaColumn>& schema);

// The measure of a page's byte limit (GetRange's 4 MiB): the names and values of a returned
// row, and 8 bytes per cell for its timestamp. RowDataSize is the sum of the two others over a row.
size_t PrimaryKeyDataSize(const wire::PrimaryKey& primary_key);
inline size_t CellDataSize(std::string_view name, size_t value_size) {
  return name.size() + value_size + 8;
}
size_t RowDataSize(const wire::Row& row);

// Whether `options` asks for whole rows: no columns_to_get, filter, time range or column window,
// only max_versions. For such a read EncodeVisibleRow answers without building the row.
bool ReadsWholeRows(const wire::ReadOptions& options);

// Appends to `*out` the row a whole-row read of the stored bytes returns: exactly the bytes
// PlainBufferWriter::AppendRow writes for
// ProjectRow(primary_key, VisibleRow(DecodeStoredRow(stored), table_options, now_millis), ...),
// read from the stored bytes in one pass and building no row. Returns the returned row's data size
// (RowDataSize of that row), or
// nullopt when the row is not returned (it has columns and none is visible); then nothing was
// appended. Corruption when `stored` is malformed.
// REQUIRED: ReadsWholeRows(options).
Result<std::optional<size_t>> EncodeVisibleRow(const wire::PrimaryKey& primary_key,
                                               std::string_view stored,
                                               const wire::TableOptions& table_options,
                                               const wire::ReadOptions& options, int64_t now_millis,
                                               wire::PlainBufferWriter* out);

}  // namespace otsync::store
