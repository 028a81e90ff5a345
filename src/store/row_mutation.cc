#include "store/row_mutation.h"

#include <algorithm>

namespace otsync::store {
namespace {

void TrimVersions(const wire::TableOptions& options, StoredRow* row) {
  const size_t max_versions = options.max_versions > 0 ? options.max_versions : 1;
  for (StoredColumn& column : row->columns) {
    if (column.versions.size() > max_versions) column.versions.resize(max_versions);
  }
}

Result<wire::Value> Incremented(const StoredColumn* column, const wire::Cell& cell) {
  int64_t base = 0;
  if (column != nullptr && !column->versions.empty()) {
    const wire::Value& latest = column->versions.front().value;
    if (latest.type() != wire::ValueType::kInteger) {
      return Status::InvalidArgument("Cannot increment column '" + cell.name + "': its value is " +
                                     std::string(wire::ValueTypeName(latest.type())) +
                                     ", not INTEGER.");
    }
    base = latest.integer();
  }
  int64_t sum = 0;
  if (__builtin_add_overflow(base, cell.value->integer(), &sum)) {
    return Status::InvalidArgument("The increment of column '" + cell.name + "' overflows int64.");
  }
  return wire::Value::Integer(sum);
}

}  // namespace

Result<RowMutation> ApplyRowWrite(const wire::RowWrite& write, wire::PrimaryKey primary_key,
                                  const StoredRow& visible, const wire::TableOptions& options,
                                  int64_t now_millis) {
  RowMutation mutation;
  mutation.change.action = write.type;
  mutation.change.row.primary_key = std::move(primary_key);
  if (write.type == wire::WriteType::kDelete) return mutation;

  StoredRow row;
  if (write.type == wire::WriteType::kUpdate) row = visible;
  row.columns.reserve(row.columns.size() + write.row.cells.size());
  mutation.change.row.cells.reserve(write.row.cells.size());
  for (const wire::Cell& cell : write.row.cells) {
    const int64_t timestamp = cell.timestamp.value_or(now_millis);
    switch (cell.operation) {
      case wire::CellOperation::kPut:
        PutVersion(timestamp, *cell.value, row.FindOrInsert(cell.name));
        mutation.change.row.cells.push_back(
            {cell.name, *cell.value, timestamp, wire::CellOperation::kPut});
        break;
      case wire::CellOperation::kIncrement: {
        OTSYNC_ASSIGN_OR_RETURN(wire::Value sum, Incremented(row.Find(cell.name), cell));
        PutVersion(timestamp, sum, row.FindOrInsert(cell.name));
        mutation.change.row.cells.push_back(
            {cell.name, std::move(sum), timestamp, wire::CellOperation::kPut});
        break;
      }
      case wire::CellOperation::kDeleteOneVersion: {
        if (StoredColumn* column = row.FindOrInsert(cell.name)) {
          std::erase_if(column->versions, [&](const StoredVersion& version) {
            return version.timestamp == *cell.timestamp;
          });
        }
        mutation.change.row.cells.push_back(
            {cell.name, std::nullopt, *cell.timestamp, wire::CellOperation::kDeleteOneVersion});
        break;
      }
      case wire::CellOperation::kDeleteAllVersions:
        row.FindOrInsert(cell.name)->versions.clear();
        mutation.change.row.cells.push_back(
            {cell.name, std::nullopt, std::nullopt, wire::CellOperation::kDeleteAllVersions});
        break;
    }
  }
  row.RemoveEmptyColumns();
  TrimVersions(options, &row);
  if (write.type == wire::WriteType::kUpdate && row.columns.empty()) return mutation;
  mutation.new_row = std::move(row);
  return mutation;
}

AppliedRowChange ApplyPut(const wire::RowWrite& write, wire::PrimaryKey primary_key,
                          const wire::TableOptions& options, int64_t now_millis,
                          std::string* encoded) {
  AppliedRowChange change;
  change.action = wire::WriteType::kPut;
  change.row.primary_key = std::move(primary_key);
  change.row.cells.reserve(write.row.cells.size());
  for (const wire::Cell& cell : write.row.cells) {
    change.row.cells.push_back(
        {cell.name, cell.value, cell.timestamp.value_or(now_millis), wire::CellOperation::kPut});
  }
  EncodePutCells(write.row.cells, now_millis,
                 options.max_versions > 0 ? static_cast<size_t>(options.max_versions) : 1, encoded);
  return change;
}

}  // namespace otsync::store
