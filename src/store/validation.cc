#include "store/validation.h"

#include <cstdlib>
#include <set>
#include <string>

namespace otsync::store {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

Status InvalidPrimaryKey(std::string message) {
  return Status(StatusCode::kInvalidPrimaryKey, std::move(message));
}

}  // namespace

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !IsNameStart(name.front())) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

Status ValidateTableOptions(const wire::TableOptions& options) {
  if (options.time_to_live_seconds == 0 || options.time_to_live_seconds < -1) {
    return Status::InvalidArgument("TimeToLive cannot be 0 or less than -1.");
  }
  if (options.time_to_live_seconds != -1 && options.time_to_live_seconds < kMinTimeToLiveSeconds) {
    return Status::InvalidArgument("TimeToLive must be -1 or at least 86400 seconds.");
  }
  if (options.max_versions < 1) {
    return Status::InvalidArgument("MaxVersions must be greater than 0.");
  }
  if (options.deviation_cell_version_in_seconds < 1) {
    return Status::InvalidArgument("DeviationCellVersionInSec must be greater than 0.");
  }
  return Status::OK();
}

Status ValidateStreamExpiration(int32_t expiration_hours) {
  if (expiration_hours < 1 || expiration_hours > kMaxStreamExpirationHours) {
    return Status::InvalidArgument(
        "The expiration time of stream must be in range: [1, 168] hours, got " +
        std::to_string(expiration_hours) + ".");
  }
  return Status::OK();
}

Status ValidateNewTable(const wire::TableDescription& table) {
  if (!IsValidName(table.name)) {
    return Status::InvalidArgument("Invalid table name: '" + table.name + "'.");
  }
  if (table.primary_key.empty() || table.primary_key.size() > kMaxPrimaryKeyColumns) {
    return Status::InvalidArgument("The number of primary key columns must be in range: [1, 4].");
  }
  std::set<std::string> names;
  int auto_increment_columns = 0;
  for (size_t i = 0; i < table.primary_key.size(); ++i) {
    const wire::PrimaryKeySchemaColumn& column = table.primary_key[i];
    if (!IsValidName(column.name)) {
      return Status::InvalidArgument("Invalid column name: '" + column.name + "'.");
    }
    if (!names.insert(column.name).second) {
      return Status::InvalidArgument("Duplicated primary key name: '" + column.name + "'.");
    }
    if (column.type != wire::PrimaryKeyType::kInteger &&
        column.type != wire::PrimaryKeyType::kString &&
        column.type != wire::PrimaryKeyType::kBinary) {
      return Status::InvalidArgument("Invalid type of primary key column: '" + column.name + "'.");
    }
    if (!column.auto_increment) continue;
    if (i == 0) {
      return Status::InvalidArgument(
          "The first primary key column can not be an auto increment column: '" + column.name +
          "'.");
    }
    if (column.type != wire::PrimaryKeyType::kInteger) {
      return Status::InvalidArgument("An auto increment column must be INTEGER: '" + column.name +
                                     "'.");
    }
    if (++auto_increment_columns > 1) {
      return Status::InvalidArgument("A table can have at most one auto increment column.");
    }
  }
  for (const wire::DefinedColumn& column : table.defined_columns) {
    if (!IsValidName(column.name)) {
      return Status::InvalidArgument("Invalid column name: '" + column.name + "'.");
    }
    if (!names.insert(column.name).second) {
      return Status::InvalidArgument("Duplicated column name: '" + column.name + "'.");
    }
  }
  OTSYNC_RETURN_IF_ERROR(ValidateTableOptions(table.options));
  if (table.stream.enabled) {
    OTSYNC_RETURN_IF_ERROR(ValidateStreamExpiration(table.stream.expiration_hours));
  }
  return Status::OK();
}

Status ValidatePrimaryKey(const wire::PrimaryKey& primary_key,
                          const std::vector<wire::PrimaryKeySchemaColumn>& schema,
                          PrimaryKeyUse use) {
  if (primary_key.size() != schema.size()) {
    return InvalidPrimaryKey("Validate PK size fail. Input: " + std::to_string(primary_key.size()) +
                             ", Meta: " + std::to_string(schema.size()) + ".");
  }
  for (size_t i = 0; i < schema.size(); ++i) {
    const wire::PrimaryKeyColumn& column = primary_key[i];
    const wire::PrimaryKeySchemaColumn& meta = schema[i];
    if (column.name != meta.name) {
      return InvalidPrimaryKey("Validate PK name fail. Input: " + column.name +
                               ", Meta: " + meta.name + ".");
    }
    const wire::ValueType type = column.value.type();
    const bool is_infinite = type == wire::ValueType::kInfMin || type == wire::ValueType::kInfMax;
    const bool type_ok = wire::MatchesPrimaryKeyType(column.value, meta.type) ||
                         (use == PrimaryKeyUse::kRangeBound && is_infinite) ||
                         (use == PrimaryKeyUse::kWrittenRow && meta.auto_increment &&
                          type == wire::ValueType::kAutoIncrement);
    if (!type_ok) {
      return InvalidPrimaryKey(
          "Validate PK type fail. Input: " + std::string(wire::ValueTypeName(type)) + ", Meta: " +
          std::string(wire::PrimaryKeyTypeName(meta.type)) + ", Column: " + meta.name + ".");
    }
    if ((type == wire::ValueType::kString || type == wire::ValueType::kBinary) &&
        column.value.bytes().size() > kMaxPrimaryKeyStringBytes) {
      return Status::InvalidArgument("The length of primary key column: '" + column.name +
                                     "' exceeded the MaxLength:1024 with CurrentLength:" +
                                     std::to_string(column.value.bytes().size()) + ".");
    }
  }
  return Status::OK();
}

Status ValidateRowChange(const wire::RowWrite& write, const wire::TableOptions& options,
                         int64_t now_millis) {
  const wire::Row& row = write.row;
  if (write.type == wire::WriteType::kDelete) {
    if (!row.delete_marker) {
      return Status::InvalidArgument(
          "Invalid request of delete row: missing RowDeleteMarker in request.");
    }
    if (!row.cells.empty()) {
      return Status::InvalidArgument("DeleteRow cannot carry attribute columns.");
    }
    return Status::OK();
  }
  if (row.delete_marker) {
    return Status::InvalidArgument("A RowDeleteMarker is only allowed in DeleteRow.");
  }
  if (write.type == wire::WriteType::kUpdate && row.cells.empty()) {
    return Status::InvalidArgument("UpdateRow must change at least one column.");
  }
  if (write.type == wire::WriteType::kUpdate && !options.allow_update) {
    return Status::InvalidArgument("UpdateRow is not allowed on this table (allow_update=false).");
  }
  if (row.cells.size() > kMaxColumnsPerRow) {
    return Status(StatusCode::kColumnCountLimit,
                  "The number of columns from the request exceeded the limit: " +
                      std::to_string(kMaxColumnsPerRow) + ".");
  }
  size_t row_bytes = 0;
  for (const wire::PrimaryKeyColumn& column : row.primary_key) {
    row_bytes += column.name.size() + column.value.DataSize();
  }
  const int64_t max_deviation_millis = options.deviation_cell_version_in_seconds * 1000;
  for (const wire::Cell& cell : row.cells) {
    if (!IsValidName(cell.name)) {
      return Status::InvalidArgument("Invalid column name: '" + cell.name + "'.");
    }
    if (write.type == wire::WriteType::kPut && cell.operation != wire::CellOperation::kPut) {
      return Status::InvalidArgument("OpType cannot be given for column name:" + cell.name +
                                     " in PutRow.");
    }
    switch (cell.operation) {
      case wire::CellOperation::kPut:
        if (!cell.value.has_value() || !wire::IsAttributeValueType(cell.value->type())) {
          return Status::InvalidArgument(
              "A valid value must be given for column name:" + cell.name + ".");
        }
        break;
      case wire::CellOperation::kIncrement:
        if (!cell.value.has_value() || cell.value->type() != wire::ValueType::kInteger) {
          return Status::InvalidArgument("The increment value of column name:" + cell.name +
                                         " must be INTEGER.");
        }
        break;
      case wire::CellOperation::kDeleteOneVersion:
        if (!cell.timestamp.has_value()) {
          return Status::InvalidArgument(
              "Timestamp must be given when type is DELETE_ONE_VERSION.");
        }
        break;
      case wire::CellOperation::kDeleteAllVersions:
        break;
      default:
        return Status::InvalidArgument("Unknown operation for column name:" + cell.name + ".");
    }
    if (cell.value.has_value()) {
      const size_t value_bytes = cell.value->DataSize();
      if (value_bytes > kMaxCellValueBytes) {
        return Status::InvalidArgument(
            "The length of attribute column: '" + cell.name +
            "' exceeded the MaxLength:" + std::to_string(kMaxCellValueBytes) +
            " with CurrentLength:" + std::to_string(value_bytes) + ".");
      }
      row_bytes += value_bytes;
    }
    row_bytes += cell.name.size();
    if (cell.timestamp.has_value() && cell.operation != wire::CellOperation::kDeleteOneVersion) {
      const int64_t timestamp = *cell.timestamp;
      if (timestamp < 0 || std::llabs(timestamp - now_millis) > max_deviation_millis) {
        return Status::InvalidArgument(
            "The timestamp " + std::to_string(timestamp) + " of column '" + cell.name +
            "' is out of range: it must be within " +
            std::to_string(options.deviation_cell_version_in_seconds) + " seconds of now.");
      }
    }
  }
  if (row_bytes > kMaxRowBytes) {
    return Status(StatusCode::kRowSizeLimit,
                  "The total data size of columns in one row exceeded the limit: " +
                      std::to_string(kMaxRowBytes) + " bytes.");
  }
  return Status::OK();
}

}  // namespace otsync::store
