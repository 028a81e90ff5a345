#include "store/row_reader.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "store/filter_evaluator.h"

namespace otsync::store {
namespace {

bool InTimeRange(int64_t timestamp, const wire::TimeRange& range) {
  if (range.specific_millis.has_value()) return timestamp == *range.specific_millis;
  if (range.start_millis.has_value() && timestamp < *range.start_millis) return false;
  if (range.end_millis.has_value() && timestamp >= *range.end_millis) return false;
  return true;
}

// Keeps, per column, the versions `options` asks for (at most max_versions, within time_range),
// in place; drops columns left without any.
void KeepWindowed(const wire::ReadOptions& options, StoredRow* row) {
  for (StoredColumn& column : row->columns) {
    size_t kept = 0;
    for (StoredVersion& version : column.versions) {
      if (options.max_versions > 0 && kept >= static_cast<size_t>(options.max_versions)) break;
      if (options.time_range.has_value() && !InTimeRange(version.timestamp, *options.time_range)) {
        continue;
      }
      if (&column.versions[kept] != &version) column.versions[kept] = std::move(version);
      ++kept;
    }
    column.versions.resize(kept);
  }
  std::erase_if(row->columns, [](const StoredColumn& column) { return column.versions.empty(); });
}

bool NamesPrimaryKeyColumn(const std::vector<std::string>& columns_to_get,
                           const std::vector<wire::PrimaryKeySchemaColumn>& schema) {
  for (const wire::PrimaryKeySchemaColumn& column : schema) {
    if (std::find(columns_to_get.begin(), columns_to_get.end(), column.name) !=
        columns_to_get.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace

StoredRow VisibleRow(StoredRow stored, const wire::TableOptions& options, int64_t now_millis) {
  const bool expires = options.time_to_live_seconds > 0;
  const int64_t horizon = now_millis - int64_t{options.time_to_live_seconds} * 1000;
  const size_t max_versions = options.max_versions > 0 ? options.max_versions : 1;
  for (StoredColumn& column : stored.columns) {
    // Versions are newest first: the visible ones are a prefix.
    size_t kept = 0;
    while (kept < column.versions.size() && kept < max_versions &&
           !(expires && column.versions[kept].timestamp <= horizon)) {
      ++kept;
    }
    column.versions.resize(kept);
  }
  std::erase_if(stored.columns, [](const StoredColumn& column) { return column.versions.empty(); });
  return stored;
}

bool RowExists(const StoredRow& stored, const StoredRow& visible) {
  return RowExists(stored.columns.empty(), visible);
}

bool RowExists(bool written_without_columns, const StoredRow& visible) {
  return written_without_columns || !visible.columns.empty();
}

Status ValidateReadOptions(const wire::ReadOptions& options) {
  if (options.max_versions < 0) {
    return Status::InvalidArgument("max_versions must be greater than 0.");
  }
  if (options.max_versions == 0 && !options.time_range.has_value()) {
    return Status::InvalidArgument("Neither max_versions nor time_range is set.");
  }
  if (options.time_range.has_value()) {
    const wire::TimeRange& range = *options.time_range;
    if (!range.specific_millis.has_value() &&
        (!range.start_millis.has_value() || !range.end_millis.has_value())) {
      return Status::InvalidArgument(
          "time_range needs either specific_time or both start_time and end_time.");
    }
    if (range.start_millis.has_value() && range.end_millis.has_value() &&
        *range.start_millis >= *range.end_millis) {
      return Status::InvalidArgument("time_range: start_time must be less than end_time.");
    }
  }
  if (!options.start_column.empty() && !options.end_column.empty() &&
      options.start_column >= options.end_column) {
    return Status::InvalidArgument("start_column must be less than end_column.");
  }
  if (options.filter.has_value()) {
    OTSYNC_RETURN_IF_ERROR(ValidateFilter(*options.filter, /*pagination_allowed=*/true));
  }
  return Status::OK();
}

std::optional<wire::Row> ProjectRow(wire::PrimaryKey primary_key, StoredRow visible,
                                    const wire::ReadOptions& options,
                                    const std::vector<wire::PrimaryKeySchemaColumn>& schema) {
  const bool primary_key_only_row = visible.columns.empty() && options.columns_to_get.empty();
  StoredRow windowed = std::move(visible);
  KeepWindowed(options, &windowed);
  const wire::Filter* pagination = nullptr;
  if (options.filter.has_value()) {
    if (options.filter->kind == wire::Filter::Kind::kColumnPagination) {
      pagination = &*options.filter;
    } else if (!EvaluateFilter(*options.filter, windowed)) {
      return std::nullopt;
    }
  }

  wire::Row row;
  row.primary_key = std::move(primary_key);
  int64_t skipped = 0;
  int64_t taken = 0;
  for (StoredColumn& column : windowed.columns) {
    if (!options.columns_to_get.empty() &&
        std::find(options.columns_to_get.begin(), options.columns_to_get.end(), column.name) ==
            options.columns_to_get.end()) {
      continue;
    }
    if (!options.start_column.empty() && column.name < options.start_column) continue;
    if (!options.end_column.empty() && column.name >= options.end_column) continue;
    if (pagination != nullptr) {
      if (skipped < pagination->offset) {
        ++skipped;
        continue;
      }
      if (taken >= pagination->limit) break;
      ++taken;
    }
    for (StoredVersion& version : column.versions) {
      row.cells.push_back(wire::Cell{column.name, std::move(version.value), version.timestamp,
                                     wire::CellOperation::kPut});
    }
  }
  if (row.cells.empty() && pagination == nullptr && !primary_key_only_row &&
      !NamesPrimaryKeyColumn(options.columns_to_get, schema)) {
    return std::nullopt;
  }
  return row;
}

size_t PrimaryKeyDataSize(const wire::PrimaryKey& primary_key) {
  size_t bytes = 0;
  for (const wire::PrimaryKeyColumn& column : primary_key) {
    bytes += column.name.size() + column.value.DataSize();
  }
  return bytes;
}

size_t RowDataSize(const wire::Row& row) {
  size_t bytes = PrimaryKeyDataSize(row.primary_key);
  for (const wire::Cell& cell : row.cells) {
    bytes += CellDataSize(cell.name, cell.value.has_value() ? cell.value->DataSize() : 0);
  }
  return bytes;
}

bool ReadsWholeRows(const wire::ReadOptions& options) {
  return options.columns_to_get.empty() && !options.filter.has_value() &&
         !options.time_range.has_value() && options.start_column.empty() &&
         options.end_column.empty() && options.max_versions > 0;
}

Result<std::optional<size_t>> EncodeVisibleRow(const wire::PrimaryKey& primary_key,
                                               std::string_view stored,
                                               const wire::TableOptions& table_options,
                                               const wire::ReadOptions& options, int64_t now_millis,
                                               wire::PlainBufferWriter* out) {
  // VisibleRow keeps, per column, the newest versions younger than the TTL horizon, at most the
  // table's max_versions; the read then keeps at most its own max_versions of those. Both are
  // prefixes of the newest-first versions, so the row returned is the shorter prefix.
  const bool expires = table_options.time_to_live_seconds > 0;
  const int64_t horizon = now_millis - int64_t{table_options.time_to_live_seconds} * 1000;
  const uint64_t table_versions = table_options.max_versions > 0 ? table_options.max_versions : 1;
  const uint64_t versions_wanted =
      std::min(table_versions, static_cast<uint64_t>(options.max_versions));

  StoredRowReader reader(stored);
  uint64_t column_count = 0;
  OTSYNC_RETURN_IF_ERROR(reader.Start(&column_count));
  size_t data_size = PrimaryKeyDataSize(primary_key);
  bool begun = false;
  for (uint64_t c = 0; c < column_count; ++c) {
    std::string_view name;
    uint64_t version_count = 0;
    OTSYNC_RETURN_IF_ERROR(reader.NextColumn(&name, &version_count));
    bool visible = true;
    for (uint64_t v = 0; v < version_count; ++v) {
      int64_t timestamp = 0;
      wire::ValueView value;
      std::optional<uint8_t> name_value_checksum;
      OTSYNC_RETURN_IF_ERROR(reader.NextVersion(&timestamp, &value, &name_value_checksum));
      visible = visible && v < versions_wanted && !(expires && timestamp <= horizon);
      if (!visible) continue;  // Read on: the reader needs every version consumed.
      if (!begun) {
        out->BeginRow(primary_key);
        begun = true;
      }
      out->AppendCell(name, value, timestamp, name_value_checksum);
      data_size += CellDataSize(name, value.DataSize());
    }
  }
  OTSYNC_RETURN_IF_ERROR(reader.Finish());
  if (!begun) {
    // A row written without columns is returned as its key; one whose every cell has expired is
    // not returned at all.
    if (column_count != 0) return std::optional<size_t>();
    out->BeginRow(primary_key);
  }
  out->EndRow();
  return std::optional<size_t>(data_size);
}

}  // namespace otsync::store
