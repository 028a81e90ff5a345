#include "raw_export_stages.h"

#include <duckdb.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <utility>

#include "base/durable_file.h"
#include "bench_support.h"
#include "store/stream_keys.h"
#include "store/stream_metadata.h"
#include "writers/odps/duckdb_support.h"
#include "writers/odps/parquet_load.h"
#include "writers/odps/staged_rows.h"
#include "writers/odps/staging_chunk.h"
#include "writers/odps/value_conversion.h"
#include "writers/odps/warehouse.h"

namespace otsync::bench {
namespace {

namespace keys = store::stream_keys;

Status FromRocks(const rocksdb::Status& status, const std::string& context) {
  return status.ok() ? Status::OK() : Status::IOError(context + ": " + status.ToString());
}

// The shard numbers of `table`'s stream, read from the metadata column family.
Result<std::vector<uint64_t>> ShardNumbers(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta,
                                           const store::TableRef& table) {
  std::string stream_bytes;
  OTSYNC_RETURN_IF_ERROR(
      FromRocks(db->Get(rocksdb::ReadOptions(), meta, keys::StreamKey(table), &stream_bytes),
                "reading the stream of " + table.table));
  OTSYNC_ASSIGN_OR_RETURN(store::StreamMeta stream, store::DecodeStreamMeta(stream_bytes));
  const std::string prefix = keys::ShardKey(stream.stream_id, "");
  std::vector<uint64_t> numbers;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), meta));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    OTSYNC_ASSIGN_OR_RETURN(store::ShardMeta shard,
                            store::DecodeShardMeta(it->value().ToStringView()));
    numbers.push_back(shard.number);
  }
  OTSYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing the shards of " + table.table));
  if (numbers.empty()) return Status::NotFound("the stream of " + table.table + " has no shards");
  return numbers;
}

// Sets row `row` of `vector` (VARCHAR, BIGINT, DOUBLE, BOOLEAN or BLOB) to `value`; returns the
// bytes the warehouse's loads count for it beyond its slot (staging_chunk.h: a text's length), or
// -1 for a kind it does not write.
int64_t SetCell(duckdb_vector vector, idx_t row, const odps::CellValue& value) {
  using Kind = odps::CellValue::Kind;
  switch (value.kind) {
    case Kind::kNull:
      duckdb_vector_ensure_validity_writable(vector);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), row);
      return 0;
    case Kind::kInteger:
      static_cast<int64_t*>(duckdb_vector_get_data(vector))[row] = value.integer;
      return 0;
    case Kind::kDouble:
      static_cast<double*>(duckdb_vector_get_data(vector))[row] = value.number;
      return 0;
    case Kind::kBoolean:
      static_cast<bool*>(duckdb_vector_get_data(vector))[row] = value.integer != 0;
      return 0;
    case Kind::kText:
    case Kind::kBlob:
      duckdb_vector_assign_string_element_len(vector, row, value.text.data(), value.text.size());
      return static_cast<int64_t>(value.text.size());
    case Kind::kTimestampMicros:
    case Kind::kDateDays:
      break;
  }
  return -1;
}

// The Parquet files of the raw append, written as the loads write theirs (parquet_load.h): a
// COPY per file on a thread of its own reads the file's chunks as they are added.
class ParquetStager {
 public:
  ParquetStager(std::string folder, std::vector<std::string> names, std::vector<duckdb_type> types,
                std::string select_sql)
      : folder_(std::move(folder)),
        staged_(std::move(names), std::move(types), odps::kQueuedChunks),
        select_sql_(std::move(select_sql)) {}
  ~ParquetStager() {
    staged_.Close();
    if (writer_.joinable()) writer_.join();
  }

  Status Open() {
    // The warehouse's settings for a load's staging database (parquet_load.h).
    OTSYNC_ASSIGN_OR_RETURN(
        session_, odps::DuckDbSession::OpenInMemory(odps::WarehouseMemoryLimit(),
                                                    folder_ + "/spill", odps::kLoadThreads));
    return staged_.Register(session_->connection());
  }

  // Starts the next file: its COPY runs until EndFile.
  void BeginFile() {
    char name[32];
    std::snprintf(name, sizeof(name), "/part-%05lld.parquet", static_cast<long long>(files_));
    writer_ = std::thread([this, path = folder_ + name] {
      written_ = odps::Execute(session_->connection(),
                               "COPY (" + select_sql_ + ") TO " + odps::QuoteLiteral(path) + " " +
                                   odps::kLoadParquetOptions,
                               "raw append: COPY TO parquet");
      if (written_.ok()) written_ = SyncPath(path);
      if (!written_.ok()) staged_.Close();
    });
  }
  // Takes `chunk` as the next rows of the file begun.
  Status Add(duckdb_data_chunk chunk) {
    if (staged_.Add(chunk)) return Status::OK();
    if (writer_.joinable()) writer_.join();
    return written_.ok() ? Status::Internal("raw append: the file's COPY stopped") : written_;
  }
  // Ends the file begun and waits for its COPY and sync.
  Status EndFile() {
    staged_.EndFile();
    if (writer_.joinable()) writer_.join();
    OTSYNC_RETURN_IF_ERROR(written_);
    ++files_;
    return Status::OK();
  }
  int64_t files() const { return files_; }

 private:
  std::string folder_;
  odps::StagedRows staged_;  // Outlives session_, whose COPYs read it.
  std::string select_sql_;
  std::unique_ptr<odps::DuckDbSession> session_;
  std::thread writer_;
  Status written_;  // The last file's COPY and sync; read after writer_ is joined.
  int64_t files_ = 0;
};

// One file's rows, converted and counted before the clock runs, in storage kept from file to
// file: the timed part must not wait for pages that the preparation freed and the kernel took
// back.
struct PreparedFile {
  std::vector<odps::CellValue> cells;  // Row r, column c at r * columns + c; texts in `texts`.
  std::vector<std::pair<size_t, size_t>> text_spans;  // Offset and size, beside `cells`.
  std::string texts;
  int64_t rows = 0;
  int64_t bytes = 0;  // As the loads count them (staging_chunk.h).

  void Clear() {
    cells.clear();
    text_spans.clear();
    texts.clear();
    rows = 0;
    bytes = 0;
  }
  // Points every text cell at its bytes, once `texts` no longer grows.
  void PointTexts() {
    for (size_t i = 0; i < cells.size(); ++i) {
      cells[i].text = std::string_view(texts).substr(text_spans[i].first, text_spans[i].second);
    }
  }
};

}  // namespace

Result<std::unique_ptr<RawStreamScan>> RawStreamScan::Open(const std::string& otsd_data_dir,
                                                           const std::string& secondary_dir,
                                                           const store::TableRef& table) {
  rocksdb::Options options;
  options.max_open_files = -1;  // A secondary instance requires it.
  const std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {keys::kMetaColumnFamily, rocksdb::ColumnFamilyOptions()},
      {keys::kRecordsColumnFamily, rocksdb::ColumnFamilyOptions()},
  };
  std::unique_ptr<RawStreamScan> scan(new RawStreamScan());
  rocksdb::DB* db = nullptr;
  OTSYNC_RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::OpenAsSecondary(options, otsd_data_dir, secondary_dir, families,
                                             &scan->handles_, &db),
                "opening otsd's RocksDB " + otsd_data_dir + " as a secondary"));
  scan->db_.reset(db);
  scan->records_ = scan->handles_[2];
  OTSYNC_ASSIGN_OR_RETURN(scan->shard_numbers_, ShardNumbers(db, scan->handles_[1], table));
  return scan;
}

RawStreamScan::~RawStreamScan() {
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
}

Result<RawScanPass> RawStreamScan::Pass() const {
  RawScanPass pass;
  const Clock::time_point start = Clock::now();
  for (uint64_t number : shard_numbers_) {
    const std::string prefix = keys::ShardPrefix(number);
    const std::string end = keys::PrefixEnd(prefix);
    const rocksdb::Slice upper_bound(end);
    rocksdb::ReadOptions read_options;
    read_options.iterate_upper_bound = &upper_bound;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, records_));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      pass.bytes += static_cast<int64_t>(it->key().size() + it->value().size());
      ++pass.records;
    }
    OTSYNC_RETURN_IF_ERROR(FromRocks(it->status(), "iterating the stream records"));
  }
  pass.seconds = Seconds(Clock::now() - start);
  return pass;
}

std::string RawStreamScan::Placement() const {
  auto property = [this](const std::string& name) {
    uint64_t value = 0;
    return db_->GetIntProperty(records_, name, &value) ? value : 0;
  };
  const uint64_t sst_bytes = property("rocksdb.total-sst-files-size");
  const uint64_t memtable_entries = property("rocksdb.num-entries-active-mem-table") +
                                    property("rocksdb.num-entries-imm-mem-tables");
  uint64_t files = 0;
  for (int level = 0; level < db_->NumberLevels(records_); ++level) {
    std::string count;
    if (db_->GetProperty(records_, "rocksdb.num-files-at-level" + std::to_string(level), &count)) {
      files += std::strtoull(count.c_str(), nullptr, 10);
    }
  }
  return Fixed(static_cast<double>(sst_bytes) / (1 << 20), 1) + " MiB in " + std::to_string(files) +
         " SST files, " + std::to_string(memtable_entries) + " entries in memtables";
}

Result<RawAppendRun> RawParquetAppend(const std::string& folder, const odps::TableSchema& schema,
                                      const std::vector<std::string>& partition,
                                      const RowSource& source) {
  if (partition.size() != schema.partition_columns.size()) {
    return Status::InvalidArgument("raw append: one value per partition column is needed");
  }
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) return Status::IOError("raw append: creating " + folder + ": " + error.message());
  std::vector<std::string> names;
  std::vector<duckdb_type> types;
  int64_t slot_bytes = 0;  // Of a row in the chunk, as the loads count it (staging_chunk.h).
  for (const odps::Column& column : schema.columns) {
    // The types SetCell writes in their DuckDB layout.
    static const std::pair<const char*, std::pair<duckdb_type, int>> kSupported[] = {
        {"VARCHAR", {DUCKDB_TYPE_VARCHAR, 16}}, {"BLOB", {DUCKDB_TYPE_BLOB, 16}},
        {"BIGINT", {DUCKDB_TYPE_BIGINT, 8}},    {"DOUBLE", {DUCKDB_TYPE_DOUBLE, 8}},
        {"BOOLEAN", {DUCKDB_TYPE_BOOLEAN, 1}},
    };
    const std::string type = odps::DuckDbTypeName(column.type);
    const auto* found = std::find_if(std::begin(kSupported), std::end(kSupported),
                                     [&type](const auto& entry) { return type == entry.first; });
    if (found == std::end(kSupported)) {
      return Status::InvalidArgument("raw append: column " + column.name + " of type " + type +
                                     " is not supported");
    }
    names.push_back(column.name);
    types.push_back(found->second.first);
    slot_bytes += found->second.second;
  }
  ParquetStager stager(folder, std::move(names), types,
                       "SELECT " + odps::ColumnsOfStagedRows(schema, partition) + " FROM " +
                           odps::kStagedRowsFunction + "()");
  RawAppendRun run;
  Clock::duration timed{};
  Clock::time_point start = Clock::now();
  OTSYNC_RETURN_IF_ERROR(stager.Open());
  timed += Clock::now() - start;

  const size_t data_columns = schema.columns.size();
  const idx_t chunk_rows = duckdb_vector_size();
  std::vector<sync::Record> rows;
  size_t next = 0;  // The first row of `rows` not yet taken.
  bool more = true;
  PreparedFile file;
  odps::CellValue converted;
  while (more || next < rows.size()) {
    // Not timed: the next file's rows, made, converted and counted, up to where a load would cut
    // the file (checked after each chunk's worth of rows, as the loads check).
    file.Clear();
    while (file.rows < odps::kRowsPerFile && file.bytes < odps::kBytesPerFile) {
      int64_t chunk = 0;
      for (; chunk < static_cast<int64_t>(chunk_rows); ++chunk) {
        if (next == rows.size()) {
          rows.clear();
          next = 0;
          if (!more || !(more = source(&rows)) || rows.empty()) break;
        }
        const sync::Record& row = rows[next++];
        if (row.fields.size() != data_columns) {
          return Status::InvalidArgument("raw append: a row has the wrong number of fields");
        }
        for (size_t c = 0; c < data_columns; ++c) {
          converted = odps::CellValue();
          OTSYNC_RETURN_IF_ERROR(
              odps::ConvertField(row.fields[c], schema.columns[c].type, false, &converted));
          std::pair<size_t, size_t> span{file.texts.size(), 0};
          if (converted.kind == odps::CellValue::Kind::kText ||
              converted.kind == odps::CellValue::Kind::kBlob) {
            span.second = converted.text.size();
            file.texts.append(converted.text);
            file.bytes += static_cast<int64_t>(span.second);
          }
          odps::CellValue& cell = file.cells.emplace_back();
          cell.kind = converted.kind;
          cell.integer = converted.integer;
          cell.number = converted.number;
          file.text_spans.push_back(span);
        }
      }
      if (chunk == 0) break;
      file.rows += chunk;
      file.bytes += slot_bytes * chunk;
    }
    if (file.rows == 0) continue;
    file.PointTexts();
    // Timed: filling the file's chunks while its COPY takes them, to the file synced.
    start = Clock::now();
    stager.BeginFile();
    for (int64_t first = 0; first < file.rows; first += static_cast<int64_t>(chunk_rows)) {
      const idx_t count = static_cast<idx_t>(
          std::min<int64_t>(static_cast<int64_t>(chunk_rows), file.rows - first));
      duckdb_data_chunk chunk = odps::NewDataChunk(types);
      for (size_t c = 0; c < data_columns; ++c) {
        duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
        for (idx_t r = 0; r < count; ++r) {
          const size_t cell = (static_cast<size_t>(first) + r) * data_columns + c;
          if (SetCell(vector, r, file.cells[cell]) < 0) {
            duckdb_destroy_data_chunk(&chunk);
            return Status::InvalidArgument("raw append: a value of an unknown kind");
          }
        }
      }
      duckdb_data_chunk_set_size(chunk, count);
      OTSYNC_RETURN_IF_ERROR(stager.Add(chunk));
    }
    OTSYNC_RETURN_IF_ERROR(stager.EndFile());
    timed += Clock::now() - start;
    run.rows += file.rows;
  }
  start = Clock::now();
  OTSYNC_RETURN_IF_ERROR(SyncPath(folder));
  timed += Clock::now() - start;
  run.seconds = Seconds(timed);
  run.files = stager.files();
  return run;
}

}  // namespace otsync::bench
