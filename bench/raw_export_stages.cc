#include "raw_export_stages.h"

#include <duckdb.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string_view>
#include <utility>

#include "base/durable_file.h"
#include "bench_support.h"
#include "store/stream_keys.h"
#include "store/stream_metadata.h"
#include "store/stream_record_block.h"
#include "writers/odps/duckdb_support.h"
#include "writers/odps/parquet_load.h"
#include "writers/odps/staged_file_writer.h"
#include "writers/odps/staged_rows.h"
#include "writers/odps/staging_chunk.h"
#include "writers/odps/text_arena.h"
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

// One converted value, compact so that every row of a run fits in memory before the clock
// starts: a text's bytes lie in the run's text store at `value`.
struct RawCell {
  int64_t value = 0;  // An integer or boolean; a double's bits; a text's offset.
  uint32_t size = 0;  // A text's length.
  odps::CellValue::Kind kind = odps::CellValue::Kind::kNull;
};

// `converted` as a RawCell, its text appended to `texts`; false for a kind the raw append does not
// write (VARCHAR, BIGINT, DOUBLE, BOOLEAN and BLOB columns only).
bool ToRawCell(const odps::CellValue& converted, std::string* texts, RawCell* cell) {
  using Kind = odps::CellValue::Kind;
  cell->kind = converted.kind;
  switch (converted.kind) {
    case Kind::kNull:
      return true;
    case Kind::kInteger:
    case Kind::kBoolean:
      cell->value = converted.integer;
      return true;
    case Kind::kDouble:
      cell->value = std::bit_cast<int64_t>(converted.number);
      return true;
    case Kind::kText:
    case Kind::kBlob:
      cell->value = static_cast<int64_t>(texts->size());
      cell->size = static_cast<uint32_t>(converted.text.size());
      texts->append(converted.text);
      return true;
    case Kind::kTimestampMicros:
    case Kind::kDateDays:
      break;
  }
  return false;
}

// Sets row `row` of `vector` to `cell`, whose text lies in `texts`; a text longer than 12 bytes is
// copied into `arena`, the chunk's.
void SetCell(duckdb_vector vector, idx_t row, const RawCell& cell, const std::string& texts,
             odps::TextArena* arena) {
  using Kind = odps::CellValue::Kind;
  switch (cell.kind) {
    case Kind::kNull:
      duckdb_vector_ensure_validity_writable(vector);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), row);
      return;
    case Kind::kInteger:
      static_cast<int64_t*>(duckdb_vector_get_data(vector))[row] = cell.value;
      return;
    case Kind::kDouble:
      static_cast<double*>(duckdb_vector_get_data(vector))[row] = std::bit_cast<double>(cell.value);
      return;
    case Kind::kBoolean:
      static_cast<bool*>(duckdb_vector_get_data(vector))[row] = cell.value != 0;
      return;
    case Kind::kText:
    case Kind::kBlob:
      odps::SetStringSlot(static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector)) + row,
                          std::string_view(texts.data() + cell.value, cell.size), arena);
      return;
    case Kind::kTimestampMicros:
    case Kind::kDateDays:
      return;
  }
}

// The Parquet files of the raw append, written as the loads write theirs (parquet_load.h): a file
// writer thread runs one COPY per file, taking the file's chunks as they are added.
class ParquetStager {
 public:
  ParquetStager(std::string folder, std::vector<std::string> names, std::vector<duckdb_type> types,
                std::string select_sql)
      : folder_(std::move(folder)),
        staged_(std::move(names), std::move(types), odps::kQueuedChunks, odps::kQueuedBytes),
        select_sql_(std::move(select_sql)) {}
  Status Open() {
    // The warehouse's settings for a load's staging database (parquet_load.h).
    OTSYNC_ASSIGN_OR_RETURN(
        session_, odps::DuckDbSession::OpenInMemory(odps::WarehouseMemoryLimit(),
                                                    folder_ + "/spill", odps::kLoadThreads));
    OTSYNC_RETURN_IF_ERROR(staged_.Register(session_->connection()));
    writer_ = std::make_unique<odps::StagedFileWriter>(session_->connection(), &staged_,
                                                       select_sql_, odps::kLoadParquetOptions,
                                                       folder_, "the raw append's rows");
    return Status::OK();
  }

  // A chunk the file writer has read, to be filled again, or an empty one.
  odps::StagedChunk TakeSpent() { return staged_.TakeSpent(); }

  // Takes `chunk` of `rows` rows taking `bytes` in it; ends the file where the loads would.
  Status Add(odps::StagedChunk chunk, int64_t rows, int64_t bytes) {
    chunk.set_bytes(bytes);
    if (!staged_.Add(std::move(chunk))) {
      Status stopped = writer_->Join();
      return stopped.ok() ? Status::Internal("raw append: the file writer stopped") : stopped;
    }
    file_rows_ += rows;
    file_bytes_ += bytes;
    if (odps::FileIsFull(file_rows_, file_bytes_)) EndFile();
    return Status::OK();
  }

  // Ends the last file and waits for every file to be written and synced.
  Status Finish() {
    EndFile();
    staged_.Finish();
    return writer_->Join();
  }
  // After Finish.
  int64_t files() const { return static_cast<int64_t>(writer_->files().size()); }

 private:
  void EndFile() {
    if (file_rows_ > 0) staged_.EndFile();
    file_rows_ = 0;
    file_bytes_ = 0;
  }

  std::string folder_;
  odps::StagedRows staged_;  // Outlives session_, whose COPYs read it.
  std::string select_sql_;
  std::unique_ptr<odps::DuckDbSession> session_;
  // Last: destroyed (closing staged_ and joining) before the rest.
  std::unique_ptr<odps::StagedFileWriter> writer_;
  int64_t file_rows_ = 0;
  int64_t file_bytes_ = 0;
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
    store::StoredRecordCursor cursor;
    store::StoredStreamRecord record;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      // Each record of the entry, as otsd's read hands them over (stream_record_block.h).
      OTSYNC_RETURN_IF_ERROR(store::OpenRecordEntry(number, it->key().ToStringView(),
                                                    it->value().ToStringView(), &cursor));
      while (cursor.Next(&record)) ++pass.records;
      pass.bytes += static_cast<int64_t>(it->key().size() + it->value().size());
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
  // Not timed: every row made and converted, each chunk's bytes counted as the loads count them.
  std::vector<RawCell> cells;  // Row r, column c at r * data_columns + c.
  std::string texts;
  std::vector<int64_t> chunk_bytes;
  {
    std::vector<sync::Record> rows;
    odps::CellValue converted;
    int64_t in_chunk = 0;
    while (source(&rows)) {
      for (const sync::Record& row : rows) {
        if (row.fields.size() != data_columns) {
          return Status::InvalidArgument("raw append: a row has the wrong number of fields");
        }
        if (in_chunk == 0) chunk_bytes.push_back(0);
        for (size_t c = 0; c < data_columns; ++c) {
          converted = odps::CellValue();
          OTSYNC_RETURN_IF_ERROR(
              odps::ConvertField(row.fields[c], schema.columns[c].type, false, &converted));
          if (!ToRawCell(converted, &texts, &cells.emplace_back())) {
            return Status::InvalidArgument("raw append: a value of a kind it does not write");
          }
          chunk_bytes.back() += cells.back().size;
        }
        chunk_bytes.back() += slot_bytes;
        if (++in_chunk == static_cast<int64_t>(chunk_rows)) in_chunk = 0;
      }
      rows.clear();
    }
  }
  const int64_t row_count = static_cast<int64_t>(cells.size() / data_columns);

  // Timed: filling the chunks while the file writer takes them, to the last file synced.
  start = Clock::now();
  for (int64_t first = 0, chunk_index = 0; first < row_count;
       first += static_cast<int64_t>(chunk_rows), ++chunk_index) {
    const idx_t count =
        static_cast<idx_t>(std::min<int64_t>(static_cast<int64_t>(chunk_rows), row_count - first));
    // As a load's chunks (staging_chunk.cc): refilled once the file writer has read them.
    odps::StagedChunk chunk = odps::EmptyStagedChunk(stager.TakeSpent(), types);
    for (size_t c = 0; c < data_columns; ++c) {
      duckdb_vector vector = duckdb_data_chunk_get_vector(chunk.rows(), c);
      for (idx_t r = 0; r < count; ++r) {
        SetCell(vector, r, cells[(static_cast<size_t>(first) + r) * data_columns + c], texts,
                chunk.texts());
      }
    }
    duckdb_data_chunk_set_size(chunk.rows(), count);
    OTSYNC_RETURN_IF_ERROR(
        stager.Add(std::move(chunk), static_cast<int64_t>(count), chunk_bytes[chunk_index]));
    run.rows += static_cast<int64_t>(count);
  }
  OTSYNC_RETURN_IF_ERROR(stager.Finish());
  timed += Clock::now() - start;
  start = Clock::now();
  OTSYNC_RETURN_IF_ERROR(SyncPath(folder));
  timed += Clock::now() - start;
  run.seconds = Seconds(timed);
  run.files = stager.files();
  return run;
}

}  // namespace otsync::bench
