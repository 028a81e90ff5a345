#include "writers/odps/odps_writer.h"

#include <utility>

namespace otsync::odps {
namespace {

std::string ColumnList(const TableSchema& schema) {
  std::string list;
  for (const Column& column : schema.columns) {
    if (!list.empty()) list += ", ";
    list += column.name;
  }
  return "(" + list + ")";
}

}  // namespace

OdpsWriter::OdpsWriter(OdpsWriterSpec spec, std::shared_ptr<Warehouse> warehouse)
    : spec_(std::move(spec)), warehouse_(std::move(warehouse)) {}

OdpsWriter::~OdpsWriter() { Abort(); }

Result<std::unique_ptr<OdpsWriter>> OdpsWriter::Open(OdpsWriterSpec spec,
                                                     const std::string& warehouse_path) {
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse, Warehouse::Open(warehouse_path));
  return std::make_unique<OdpsWriter>(std::move(spec),
                                      std::shared_ptr<Warehouse>(std::move(warehouse)));
}

Status OdpsWriter::Prepare() {
  Result<TableSchema> schema = warehouse_->DescribeTable(spec_.table);
  if (!schema.ok()) {
    return schema.status().WithContext("odps writer: the destination table is missing");
  }
  schema_ = std::move(schema).value();
  Result<PartitionValues> partition =
      ResolvePartition(schema_, NormalizePartition(spec_.partition), spec_.truncate);
  if (!partition.ok()) return partition.status().WithContext("odps writer");
  partition_ = std::move(partition).value();
  partition_spec_ = FormatPartition(partition_);

  target_columns_.clear();
  if (spec_.columns.size() == 1 && spec_.columns[0] == "*") {
    for (size_t i = 0; i < schema_.columns.size(); ++i) target_columns_.push_back(i);
  } else {
    std::vector<bool> used(schema_.columns.size());
    for (const std::string& name : spec_.columns) {
      std::optional<size_t> index = schema_.FindColumn(name);
      if (!index.has_value()) {
        std::string lower = ToLower(name);
        for (const Column& partition_column : schema_.partition_columns) {
          if (partition_column.name == lower) {
            return Status::InvalidArgument(
                "odps writer: column " + name + " is a partition column of table " + schema_.name +
                "; dynamic partitions are not supported, give its value in partition instead");
          }
        }
        return Status::InvalidArgument("odps writer: column " + name + " does not exist in table " +
                                       schema_.name + "; its columns are " + ColumnList(schema_));
      }
      if (used[*index]) {
        return Status::InvalidArgument("odps writer: column " + name +
                                       " is configured twice (names are case-insensitive)");
      }
      used[*index] = true;
      target_columns_.push_back(*index);
    }
  }
  cells_.assign(schema_.columns.size(), CellValue{});
  prepared_ = true;
  return Status::OK();
}

Result<std::optional<sync::CommittedWindow>> OdpsWriter::FindCommittedWindow(
    const sync::WindowKey& key) {
  if (!prepared_) return Status::Internal("odps writer: FindCommittedWindow before Prepare");
  return warehouse_->FindCommittedWindow(schema_.name, partition_spec_, key);
}

Status OdpsWriter::EnsureLoad() {
  if (load_ != nullptr) return Status::OK();
  if (!prepared_) return Status::Internal("odps writer: used before Prepare");
  OTSYNC_ASSIGN_OR_RETURN(load_, warehouse_->BeginLoad(schema_, partition_, spec_.truncate));
  return Status::OK();
}

Status OdpsWriter::Write(const std::vector<sync::Record>& records,
                         std::vector<sync::DirtyRecord>* dirty) {
  OTSYNC_RETURN_IF_ERROR(EnsureLoad());
  const size_t configured = target_columns_.size();
  for (size_t r = 0; r < records.size(); ++r) {
    const sync::Record& record = records[r];
    sync::PrefetchRecordsAfter(records, r);
    const size_t fields = record.fields.size();
    if (fields > configured) {
      return Status::InvalidArgument("odps writer: the reader gives " + std::to_string(fields) +
                                     " columns, more than the " + std::to_string(configured) +
                                     " columns configured for " + DescribeDestination() +
                                     "; configure one destination column per source column");
    }
    if (fields < configured && !warned_short_records_) {
      warned_short_records_ = true;
      std::string missing;
      for (size_t i = fields; i < configured; ++i) {
        missing += (missing.empty() ? "" : ", ") + schema_.columns[target_columns_[i]].name;
      }
      warnings_.push_back("odps writer: the reader gives " + std::to_string(fields) +
                          " fields for " + std::to_string(configured) + " columns, so " + missing +
                          (configured - fields == 1 ? " is" : " are") + " NULL");
    }
    // Every field converted sets its column's cell; the configured columns past the record's
    // fields are NULL (the columns not configured stay NULL from Prepare).
    for (size_t i = fields; i < configured; ++i) {
      cells_[target_columns_[i]].kind = CellValue::Kind::kNull;
    }
    bool converted = true;
    for (size_t i = 0; i < fields; ++i) {
      const Column& column = schema_.columns[target_columns_[i]];
      Status status = ConvertField(record.fields[i], column.type, spec_.empty_as_null,
                                   &cells_[target_columns_[i]]);
      if (!status.ok()) {
        dirty->push_back({record, "column '" + column.name + "': " + status.message()});
        converted = false;
        break;
      }
    }
    if (!converted) continue;
    Status appended = load_->AppendRow(cells_);
    if (!appended.ok()) {
      Abort();
      return appended;
    }
  }
  return Status::OK();
}

Status OdpsWriter::Commit(const sync::CommittedWindow& window) {
  OTSYNC_RETURN_IF_ERROR(EnsureLoad());
  Status status = load_->Commit(window);
  commit_stats_ = load_->commit_stats();
  load_.reset();
  return status;
}

void OdpsWriter::Abort() {
  if (load_ != nullptr) {
    load_->Abort();
    load_.reset();
  }
}

int64_t OdpsWriter::staged_rows() const { return load_ != nullptr ? load_->rows() : 0; }

std::string OdpsWriter::DescribeDestination() const {
  std::string table = schema_.name.empty() ? ToLower(spec_.table) : schema_.name;
  std::string where;
  std::string filter;
  for (const PartitionLevel& level : partition_) {
    filter += (filter.empty() ? " WHERE " : " AND ") + level.name + " = '" + level.value + "'";
  }
  where = partition_spec_.empty() ? "table " + table
                                  : "partition " + partition_spec_ + " of table " + table;
  return where + " in " + warehouse_->path() + " (query it with: SELECT * FROM " + table + filter +
         ")";
}

}  // namespace otsync::odps
