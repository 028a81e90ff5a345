#include "readers/otsstream/record_formatter.h"

#include <cstdio>
#include <map>

namespace otsync::readers::otsstream {
namespace {

using sync::Field;
using sync::Record;

Status CheckPrimaryKeyValue(const wire::Value& value) {
  switch (value.type()) {
    case wire::ValueType::kInteger:
    case wire::ValueType::kString:
    case wire::ValueType::kBinary:
      return Status::OK();
    default:
      return Status::InvalidArgument(
          "Unknown primary key type: " + std::string(wire::ValueTypeName(value.type())) + ".");
  }
}

Status CheckColumnValue(const wire::Value& value) {
  if (wire::IsAttributeValueType(value.type())) return Status::OK();
  return Status::InvalidArgument(
      "Unknown column type: " + std::string(wire::ValueTypeName(value.type())) + ".");
}

std::string MultiVersionSequenceInfo(const std::string& record_sequence, int64_t column_index) {
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), ":%010lld", static_cast<long long>(column_index));
  return record_sequence + suffix;
}

Status FormatMultiVersion(const client::StreamRecord& record, std::string_view shard_id,
                          const RecordFormat& format, std::vector<Record>* out) {
  std::vector<Field> key;
  key.reserve(record.row.primary_key.size());
  for (const wire::PrimaryKeyColumn& column : record.row.primary_key) {
    OTSYNC_RETURN_IF_ERROR(CheckPrimaryKeyValue(column.value));
    key.push_back(column.value);
  }
  const std::string record_sequence =
      format.export_sequence_info ? SequenceInfoText(record.sequence, shard_id) : std::string();
  int64_t column_index = 0;
  const auto emit = [&](Field name, Field version, Field value, const char* op_type) {
    Record row;
    row.fields.reserve(key.size() + 5);
    row.fields.insert(row.fields.end(), key.begin(), key.end());
    row.fields.push_back(std::move(name));
    row.fields.push_back(std::move(version));
    row.fields.push_back(std::move(value));
    row.fields.push_back(Field::String(op_type));
    if (format.export_sequence_info) {
      row.fields.push_back(Field::String(MultiVersionSequenceInfo(record_sequence, column_index)));
    }
    ++column_index;
    out->push_back(std::move(row));
  };

  switch (record.action) {
    case wire::StreamAction::kDeleteRow:
      emit(Field::Null(), Field::Null(), Field::Null(), "DR");
      return Status::OK();
    case wire::StreamAction::kPutRow:
      emit(Field::Null(), Field::Null(), Field::Null(), "DR");
      break;
    case wire::StreamAction::kUpdateRow:
      break;
    default:
      return Status::InvalidArgument(
          "Unknown stream record type: " + std::to_string(static_cast<int>(record.action)) + ".");
  }
  for (const wire::Cell& cell : record.row.cells) {
    const Field version = cell.timestamp ? Field::Integer(*cell.timestamp) : Field::Null();
    switch (cell.operation) {
      case wire::CellOperation::kPut: {
        if (!cell.value) {
          return Status::InvalidArgument("stream record column '" + cell.name +
                                         "' is a put without a value");
        }
        OTSYNC_RETURN_IF_ERROR(CheckColumnValue(*cell.value));
        emit(Field::String(cell.name), version, *cell.value, "U");
        break;
      }
      case wire::CellOperation::kDeleteOneVersion:
        emit(Field::String(cell.name), version, Field::Null(), "DO");
        break;
      case wire::CellOperation::kDeleteAllVersions:
        emit(Field::String(cell.name), Field::Null(), Field::Null(), "DA");
        break;
      default:
        return Status::InvalidArgument("Unknown record column type: " +
                                       std::to_string(static_cast<int>(cell.operation)) + ".");
    }
  }
  return Status::OK();
}

Status FormatSingleVersion(const client::StreamRecord& record, std::string_view shard_id,
                           const RecordFormat& format, std::vector<Record>* out) {
  if (record.action == wire::StreamAction::kDeleteRow) return Status::OK();
  if (record.action != wire::StreamAction::kPutRow &&
      record.action != wire::StreamAction::kUpdateRow) {
    return Status::InvalidArgument(
        "Unknown stream record type: " + std::to_string(static_cast<int>(record.action)) + ".");
  }
  std::map<std::string_view, const wire::Value*> values;
  for (const wire::PrimaryKeyColumn& column : record.row.primary_key) {
    OTSYNC_RETURN_IF_ERROR(CheckPrimaryKeyValue(column.value));
    values[column.name] = &column.value;
  }
  for (const wire::Cell& cell : record.row.cells) {
    if (cell.operation != wire::CellOperation::kPut || !cell.value) continue;
    OTSYNC_RETURN_IF_ERROR(CheckColumnValue(*cell.value));
    values[cell.name] = &*cell.value;
  }
  Record row;
  row.fields.reserve(format.columns.size() + 1);
  bool any_value = false;
  for (const std::string& name : format.columns) {
    auto it = values.find(name);
    if (it == values.end()) {
      row.fields.push_back(Field::Null());
    } else {
      any_value = true;
      row.fields.push_back(*it->second);
    }
  }
  if (!any_value) return Status::OK();
  if (format.export_sequence_info) {
    row.fields.push_back(Field::String(SequenceInfoText(record.sequence, shard_id)));
  }
  out->push_back(std::move(row));
  return Status::OK();
}

}  // namespace

std::string SequenceInfoText(const wire::SequenceInfo& sequence, std::string_view shard_id) {
  char prefix[64];
  std::snprintf(prefix, sizeof(prefix), "%010lld_%020lld_%010lld_",
                static_cast<long long>(sequence.epoch), static_cast<long long>(sequence.timestamp),
                static_cast<long long>(sequence.row_index));
  return prefix + std::string(shard_id);
}

Status FormatStreamRecord(const client::StreamRecord& record, std::string_view shard_id,
                          const RecordFormat& format, std::vector<sync::Record>* out) {
  if (format.mode == OtsStreamMode::kSingleVersionAndUpdateOnly) {
    return FormatSingleVersion(record, shard_id, format, out);
  }
  return FormatMultiVersion(record, shard_id, format, out);
}

}  // namespace otsync::readers::otsstream
