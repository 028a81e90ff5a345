#include "readers/otsstream/record_formatter.h"

#include <cstdio>
#include <map>
#include <optional>

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

Status CheckMultiVersion(const client::StreamRecord& record) {
  for (const wire::PrimaryKeyColumn& column : record.row.primary_key) {
    OTSYNC_RETURN_IF_ERROR(CheckPrimaryKeyValue(column.value));
  }
  switch (record.action) {
    case wire::StreamAction::kDeleteRow:
      return Status::OK();  // One DR row, whatever the cells.
    case wire::StreamAction::kPutRow:
    case wire::StreamAction::kUpdateRow:
      break;
    default:
      return Status::InvalidArgument(
          "Unknown stream record type: " + std::to_string(static_cast<int>(record.action)) + ".");
  }
  for (const wire::Cell& cell : record.row.cells) {
    switch (cell.operation) {
      case wire::CellOperation::kPut:
        if (!cell.value) {
          return Status::InvalidArgument("stream record column '" + cell.name +
                                         "' is a put without a value");
        }
        OTSYNC_RETURN_IF_ERROR(CheckColumnValue(*cell.value));
        break;
      case wire::CellOperation::kDeleteOneVersion:
      case wire::CellOperation::kDeleteAllVersions:
        break;
      default:
        return Status::InvalidArgument("Unknown record column type: " +
                                       std::to_string(static_cast<int>(cell.operation)) + ".");
    }
  }
  return Status::OK();
}

Status CheckSingleVersion(const client::StreamRecord& record) {
  if (record.action == wire::StreamAction::kDeleteRow) return Status::OK();  // Not emitted.
  if (record.action != wire::StreamAction::kPutRow &&
      record.action != wire::StreamAction::kUpdateRow) {
    return Status::InvalidArgument(
        "Unknown stream record type: " + std::to_string(static_cast<int>(record.action)) + ".");
  }
  for (const wire::PrimaryKeyColumn& column : record.row.primary_key) {
    OTSYNC_RETURN_IF_ERROR(CheckPrimaryKeyValue(column.value));
  }
  for (const wire::Cell& cell : record.row.cells) {
    if (cell.operation != wire::CellOperation::kPut || !cell.value) continue;
    OTSYNC_RETURN_IF_ERROR(CheckColumnValue(*cell.value));
  }
  return Status::OK();
}

// Fills the fields of multi-version rows in place (RecordSink::TakeRecord): the primary key, then
// columnName, timestamp, columnValue, opType and, when exported, sequenceInfo.
class MultiVersionRows {
 public:
  MultiVersionRows(const client::StreamRecord& record, std::string_view shard_id,
                   const RecordFormat& format, sync::RecordSink& sink)
      : key_(record.row.primary_key),
        width_(key_.size() + (format.export_sequence_info ? 5 : 4)),
        sink_(sink) {
    if (format.export_sequence_info) {
      sequence_ = SequenceInfoText(record.sequence, shard_id);
      prefix_length_ = sequence_.size();
    }
  }

  // `name` and `value` null: a Null field; `version` absent: a Null field.
  Status Emit(const std::string* name, std::optional<int64_t> version, const wire::Value* value,
              std::string_view op_type) {
    Record row = sink_.TakeRecord();
    row.fields.resize(width_);
    Field* field = row.fields.data();
    for (const wire::PrimaryKeyColumn& column : key_) *field++ = column.value;
    if (name != nullptr) {
      field->SetBytes(wire::ValueType::kString, *name);
    } else {
      field->SetValueless(wire::ValueType::kNull);
    }
    ++field;
    if (version.has_value()) {
      field->SetInteger(*version);
    } else {
      field->SetValueless(wire::ValueType::kNull);
    }
    ++field;
    if (value != nullptr) {
      *field = *value;
    } else {
      field->SetValueless(wire::ValueType::kNull);
    }
    ++field;
    field->SetBytes(wire::ValueType::kString, op_type);
    if (prefix_length_ > 0) {
      char suffix[24];
      const int length =
          std::snprintf(suffix, sizeof(suffix), ":%010lld", static_cast<long long>(column_index_));
      sequence_.resize(prefix_length_);
      sequence_.append(suffix, static_cast<size_t>(length));
      (++field)->SetBytes(wire::ValueType::kString, sequence_);
    }
    ++column_index_;
    return sink_.Emit(std::move(row));
  }

 private:
  const wire::PrimaryKey& key_;
  const size_t width_;
  sync::RecordSink& sink_;
  std::string sequence_;  // The record's sequenceInfo prefix, then one row's.
  size_t prefix_length_ = 0;
  int64_t column_index_ = 0;
};

Status EmitMultiVersion(const client::StreamRecord& record, std::string_view shard_id,
                        const RecordFormat& format, sync::RecordSink& sink) {
  MultiVersionRows rows(record, shard_id, format, sink);
  if (record.action == wire::StreamAction::kDeleteRow ||
      record.action == wire::StreamAction::kPutRow) {
    OTSYNC_RETURN_IF_ERROR(rows.Emit(nullptr, std::nullopt, nullptr, "DR"));
    if (record.action == wire::StreamAction::kDeleteRow) return Status::OK();
  }
  for (const wire::Cell& cell : record.row.cells) {
    switch (cell.operation) {
      case wire::CellOperation::kPut:
        OTSYNC_RETURN_IF_ERROR(rows.Emit(&cell.name, cell.timestamp, &*cell.value, "U"));
        break;
      case wire::CellOperation::kDeleteOneVersion:
        OTSYNC_RETURN_IF_ERROR(rows.Emit(&cell.name, cell.timestamp, nullptr, "DO"));
        break;
      default:  // kDeleteAllVersions: CheckMultiVersion let no other kind through.
        OTSYNC_RETURN_IF_ERROR(rows.Emit(&cell.name, std::nullopt, nullptr, "DA"));
        break;
    }
  }
  return Status::OK();
}

Status EmitSingleVersion(const client::StreamRecord& record, std::string_view shard_id,
                         const RecordFormat& format, sync::RecordSink& sink) {
  if (record.action == wire::StreamAction::kDeleteRow) return Status::OK();
  std::map<std::string_view, const wire::Value*> values;
  for (const wire::PrimaryKeyColumn& column : record.row.primary_key) {
    values[column.name] = &column.value;
  }
  for (const wire::Cell& cell : record.row.cells) {
    if (cell.operation != wire::CellOperation::kPut || !cell.value) continue;
    values[cell.name] = &*cell.value;
  }
  Record row = sink.TakeRecord();
  row.fields.resize(format.columns.size() + (format.export_sequence_info ? 1 : 0));
  bool any_value = false;
  for (size_t i = 0; i < format.columns.size(); ++i) {
    auto it = values.find(format.columns[i]);
    if (it == values.end()) {
      row.fields[i].SetValueless(wire::ValueType::kNull);
    } else {
      any_value = true;
      row.fields[i] = *it->second;
    }
  }
  if (!any_value) return Status::OK();
  if (format.export_sequence_info) {
    row.fields.back().SetBytes(wire::ValueType::kString,
                               SequenceInfoText(record.sequence, shard_id));
  }
  return sink.Emit(std::move(row));
}

// Collects emitted records into a vector (FormatStreamRecord).
class AppendingSink final : public sync::RecordSink {
 public:
  explicit AppendingSink(std::vector<Record>* out) : out_(out) {}
  Status Emit(Record record) override {
    out_->push_back(std::move(record));
    return Status::OK();
  }
  Status EmitDirty(sync::DirtyRecord record) override { return Status::OK(); }
  void ReportLagMillis(int64_t lag_millis) override {}

 private:
  std::vector<Record>* out_;
};

}  // namespace

std::string SequenceInfoText(const wire::SequenceInfo& sequence, std::string_view shard_id) {
  char prefix[64];
  std::snprintf(prefix, sizeof(prefix), "%010lld_%020lld_%010lld_",
                static_cast<long long>(sequence.epoch), static_cast<long long>(sequence.timestamp),
                static_cast<long long>(sequence.row_index));
  return prefix + std::string(shard_id);
}

Status CheckStreamRecord(const client::StreamRecord& record, const RecordFormat& format) {
  if (format.mode == OtsStreamMode::kSingleVersionAndUpdateOnly) return CheckSingleVersion(record);
  return CheckMultiVersion(record);
}

Status EmitStreamRecordRows(const client::StreamRecord& record, std::string_view shard_id,
                            const RecordFormat& format, sync::RecordSink& sink) {
  if (format.mode == OtsStreamMode::kSingleVersionAndUpdateOnly) {
    return EmitSingleVersion(record, shard_id, format, sink);
  }
  return EmitMultiVersion(record, shard_id, format, sink);
}

Status FormatStreamRecord(const client::StreamRecord& record, std::string_view shard_id,
                          const RecordFormat& format, std::vector<sync::Record>* out) {
  OTSYNC_RETURN_IF_ERROR(CheckStreamRecord(record, format));
  AppendingSink sink(out);
  return EmitStreamRecordRows(record, shard_id, format, sink);
}

}  // namespace otsync::readers::otsstream
