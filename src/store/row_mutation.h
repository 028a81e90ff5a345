// Write semantics: how PutRow, UpdateRow and DeleteRow turn the stored row into the new one, and
// the record of what was applied.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.h"
#include "store/row_codec.h"
#include "wire/operations.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace otsync::store {

// One applied row change, as the stream log (issue 3) records it: the action, the final primary
// key (AUTO_INCREMENT resolved) and the cells in request order with their operation and final
// timestamp. Put cells carry value + timestamp (an INCREMENT is recorded as a put of the
// resulting value); delete-one-version cells carry the timestamp; delete-all cells neither.
// DELETE changes carry no cells.
// `row` is exactly the `change` argument of StreamLog::Append (stream_log.h).
struct AppliedRowChange {
  wire::WriteType action = wire::WriteType::kPut;
  wire::Row row;  // primary_key + cells; never a delete marker or sequence info.
};

struct RowMutation {
  std::optional<StoredRow> new_row;  // nullopt: the row is gone after the write.
  AppliedRowChange change;
};

// REQUIRED: `write` passed ValidateRowChange; `primary_key` is its final, real primary key.
// `visible` is VisibleRow() of the current stored row (empty when the row is absent); a PutRow
// does not look at it. Cells without a timestamp get `now_millis`. Every column of the result
// keeps at most options.max_versions versions. An UpdateRow that leaves no column deletes the
// row, so deleting columns of a missing row never creates it.
// Errors: INCREMENT of a non-INTEGER cell, or an overflowing increment (InvalidArgument).
Result<RowMutation> ApplyRowWrite(const wire::RowWrite& write, wire::PrimaryKey primary_key,
                                  const StoredRow& visible, const wire::TableOptions& options,
                                  int64_t now_millis);

// A PutRow as ApplyRowWrite applies it, for a writer that needs its new row only stored: the
// change, and in `*encoded` what EncodeStoredRow writes for its new row, made from the cells
// without building the StoredRow (EncodePutCells). Most writes are such puts.
// REQUIRED: `write` is a PutRow that passed ValidateRowChange (every cell a put with a value).
AppliedRowChange ApplyPut(const wire::RowWrite& write, wire::PrimaryKey primary_key,
                          const wire::TableOptions& options, int64_t now_millis,
                          std::string* encoded);

}  // namespace otsync::store
