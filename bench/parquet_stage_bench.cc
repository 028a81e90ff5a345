// parquet_stage_bench: how fast DuckDB takes the export's output rows into synced Parquet files,
// by the settings of the staging database (issue 14, item 3: can the limit itself be raised?).
//
// The rows have the export bench's shape (id, colname, version, colvalue, optype, sequenceinfo
// NULL, the partition value; a DR row then five U rows per record) and are made before any timing.
// Each variant runs what a warehouse load does (parquet_load.cc) at the fastest interface: rows
// into DuckDB data chunks of 2,048 (filled by this file's own code); every 512Ki rows an in-memory
// DuckDB writes the chunks with COPY (SELECT ... FROM staged_rows()) TO 'part-N.parquet' and the
// file is synced. Timed: from the first chunk to the last file synced. The variants run in turn,
// once per repetition, so that all see the same drift of the machine; the report gives each one's
// median and its ratio to the first (one thread filling a file's chunks, then its COPY: the
// loads' route until the file writer), the CPU time of the whole process (DuckDB's threads
// included) and the files' size.
#include <duckdb.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "base/durable_file.h"
#include "bench_support.h"
#include "testing/temporary_directory.h"
#include "writers/odps/duckdb_support.h"
#include "writers/odps/parquet_load.h"
#include "writers/odps/staged_file_writer.h"
#include "writers/odps/staged_rows.h"
#include "writers/odps/warehouse.h"

namespace otsync::bench {
namespace {

// Every variant differs in one setting from the first (the one-thread route) or from the
// warehouse's own (streamed, parquet_load.h's options).
struct Variant {
  std::string name;
  std::string options = odps::kLoadParquetOptions;  // COPY's.
  int threads = odps::kLoadThreads;
  // Two staging databases: the COPY of one file runs on a thread beside the filling of the next.
  bool overlapped = false;
  // The rows go through an in-memory staging table (an appender takes the chunks; COPY reads the
  // table) instead of COPY reading the chunks themselves (staged_rows.h).
  bool staging_table = false;
  // The COPY of each file runs on a thread of its own and takes the chunks as they are filled
  // (at most odps::kQueuedChunks waiting), as the loads do since the file writer.
  bool streamed = false;
};

// COPY's options with `compression`, `row_group_size` and `dictionary_limit` (at most that many
// values a column and row group in a dictionary; 0: DuckDB's own limit).
std::string Options(const std::string& compression, int64_t row_group_size,
                    int64_t dictionary_limit = 1024) {
  return "(FORMAT parquet, COMPRESSION " + compression + ", ROW_GROUP_SIZE " +
         std::to_string(row_group_size) +
         (dictionary_limit > 0 ? ", DICTIONARY_SIZE_LIMIT " + std::to_string(dictionary_limit)
                               : std::string()) +
         ")";
}

// The warehouse's COPY options with `option` added.
std::string WithOption(const std::string& option) {
  std::string options = odps::kLoadParquetOptions;
  return options.substr(0, options.size() - 1) + ", " + option + ")";
}

struct Measure {
  double seconds = 0;
  double append_seconds = 0;  // In the appending thread.
  double copy_seconds = 0;    // COPY and sync, wherever they ran.
  double cpu_seconds = 0;
  int64_t file_bytes = 0;
};

// The rows, column by column; a null colname marks a DR row.
struct Rows {
  std::vector<std::string> ids;
  std::vector<std::string> colnames;  // "" for a DR row.
  std::vector<std::string> values;
  int64_t count = 0;
};

Rows MakeRows(int64_t count) {
  static const char* const kNames[] = {"name", "email", "age", "balance", "active"};
  Rows rows;
  rows.count = count;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t record = i / 6;
    const int kind = static_cast<int>(i % 6);
    char id[24];
    std::snprintf(id, sizeof(id), "%016llx", static_cast<unsigned long long>(Mix(record)));
    rows.ids.emplace_back(id);
    if (kind == 0) {
      rows.colnames.emplace_back();
      rows.values.emplace_back();
      continue;
    }
    rows.colnames.emplace_back(kNames[kind - 1]);
    switch (kind) {
      case 1:
        rows.values.push_back(Filler(record, 20));
        break;
      case 2:
        rows.values.push_back(Filler(record + 7, 52) + "@example.org");
        break;
      case 3:
        rows.values.push_back(std::to_string(18 + record % 70));
        break;
      case 4:
        rows.values.push_back(std::to_string(static_cast<double>(record) * 0.25));
        break;
      default:
        rows.values.push_back(record % 3 != 0 ? "true" : "false");
        break;
    }
  }
  return rows;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// The chunks' rows as the table's, with the partition column the chunks do not hold.
std::string SelectStaged() {
  return std::string("SELECT *, '20250101' AS pt FROM ") + odps::kStagedRowsFunction + "()";
}

constexpr char kCreateStaged[] =
    "CREATE TABLE staged (id VARCHAR, colname VARCHAR, version BIGINT, colvalue VARCHAR, "
    "optype VARCHAR, sequenceinfo VARCHAR, pt VARCHAR)";
const std::vector<std::string> kChunkColumns = {"id",       "colname", "version",
                                                "colvalue", "optype",  "sequenceinfo"};
const std::vector<duckdb_type> kChunkTypes = {DUCKDB_TYPE_VARCHAR, DUCKDB_TYPE_VARCHAR,
                                              DUCKDB_TYPE_BIGINT,  DUCKDB_TYPE_VARCHAR,
                                              DUCKDB_TYPE_VARCHAR, DUCKDB_TYPE_VARCHAR};

// The staging table's columns: the chunks' and the partition.
std::vector<duckdb_type> StagingTableTypes() {
  std::vector<duckdb_type> types = kChunkTypes;
  types.push_back(DUCKDB_TYPE_VARCHAR);
  return types;
}

// One staging database with its data chunks.
class Stage {
 public:
  static Result<std::unique_ptr<Stage>> Open(const std::string& folder, const Variant& variant) {
    std::unique_ptr<Stage> stage(new Stage(variant.streamed ? odps::kQueuedChunks : 0));
    stage->staging_table_ = variant.staging_table;
    OTSYNC_ASSIGN_OR_RETURN(stage->session_,
                            odps::DuckDbSession::OpenInMemory(odps::WarehouseMemoryLimit(),
                                                              folder + "/spill", variant.threads));
    if (stage->staging_table_) {
      stage->chunk_ = odps::NewDataChunk(StagingTableTypes());
    } else {
      OTSYNC_RETURN_IF_ERROR(stage->staged_.Register(stage->session_->connection()));
    }
    return stage;
  }
  ~Stage() {
    if (appender_ != nullptr) duckdb_appender_destroy(&appender_);
    if (chunk_ != nullptr) duckdb_destroy_data_chunk(&chunk_);
  }

  // Stages rows [first, end) of `rows` (in a fresh table, or as chunks of their own).
  Status Append(const Rows& rows, int64_t first, int64_t end) {
    if (staging_table_) {
      OTSYNC_RETURN_IF_ERROR(odps::Execute(session_->connection(), kCreateStaged, "create"));
      if (duckdb_appender_create(session_->connection(), nullptr, "staged", &appender_) ==
          DuckDBError) {
        return Status::IOError("appender");
      }
    }
    const idx_t capacity = duckdb_vector_size();
    for (int64_t start = first; start < end; start += static_cast<int64_t>(capacity)) {
      if (staging_table_) {
        duckdb_data_chunk_reset(chunk_);
      } else {
        chunk_ = odps::NewDataChunk(kChunkTypes);
      }
      duckdb_vector vectors[7];
      for (idx_t c = 0; c < duckdb_data_chunk_get_column_count(chunk_); ++c) {
        vectors[c] = duckdb_data_chunk_get_vector(chunk_, c);
      }
      auto* versions = static_cast<int64_t*>(duckdb_vector_get_data(vectors[2]));
      for (idx_t c : {1, 2, 3, 5}) duckdb_vector_ensure_validity_writable(vectors[c]);
      const idx_t count = static_cast<idx_t>(std::min<int64_t>(capacity, end - start));
      for (idx_t r = 0; r < count; ++r) {
        const size_t i = static_cast<size_t>(start) + r;
        duckdb_vector_assign_string_element_len(vectors[0], r, rows.ids[i].data(),
                                                rows.ids[i].size());
        if (rows.colnames[i].empty()) {
          for (idx_t c : {1, 2, 3}) {
            duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vectors[c]), r);
          }
          duckdb_vector_assign_string_element_len(vectors[4], r, "DR", 2);
        } else {
          duckdb_vector_assign_string_element_len(vectors[1], r, rows.colnames[i].data(),
                                                  rows.colnames[i].size());
          versions[r] = 1'700'000'000'000;
          duckdb_vector_assign_string_element_len(vectors[3], r, rows.values[i].data(),
                                                  rows.values[i].size());
          duckdb_vector_assign_string_element_len(vectors[4], r, "U", 1);
        }
        duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vectors[5]), r);
        if (staging_table_) duckdb_vector_assign_string_element_len(vectors[6], r, "20250101", 8);
      }
      duckdb_data_chunk_set_size(chunk_, count);
      if (!staging_table_) {
        const bool taken = staged_.Add(chunk_);
        chunk_ = nullptr;
        if (!taken) return Status::IOError("the writer of the files stopped");
      } else if (duckdb_append_data_chunk(appender_, chunk_) == DuckDBError) {
        return Status::IOError(duckdb_appender_error(appender_));
      }
    }
    if (!staging_table_) return Status::OK();
    const bool closed = duckdb_appender_close(appender_) != DuckDBError;
    duckdb_appender_destroy(&appender_);
    appender_ = nullptr;
    return closed ? Status::OK() : Status::IOError("appender close");
  }

  // Ends the file whose rows were staged (streamed: a thread runs Write for it meanwhile).
  void EndFile() { staged_.EndFile(); }
  // No more files: a streamed writer's WaitForFile returns false once the last one is taken.
  void Finish() { staged_.Finish(); }
  void Close() { staged_.Close(); }
  duckdb_connection connection() const { return session_->connection(); }
  odps::StagedRows* staged() { return &staged_; }

  // Writes the rows of the file ended first to `path`, syncs it and lets the rows go.
  Status Write(const std::string& path, const Variant& variant) {
    const std::string source = staging_table_ ? std::string("staged") : "(" + SelectStaged() + ")";
    Status written = odps::Execute(
        session_->connection(),
        "COPY " + source + " TO " + odps::QuoteLiteral(path) + " " + variant.options, "COPY");
    if (!staging_table_) {
      if (!written.ok()) staged_.Close();
      OTSYNC_RETURN_IF_ERROR(written);
      return SyncPath(path);
    }
    OTSYNC_RETURN_IF_ERROR(written);
    OTSYNC_RETURN_IF_ERROR(SyncPath(path));
    return odps::Execute(session_->connection(), "DROP TABLE staged", "drop");
  }

 private:
  explicit Stage(size_t capacity) : staged_(kChunkColumns, kChunkTypes, capacity) {}

  bool staging_table_ = false;
  odps::StagedRows staged_;  // Outlives session_.
  std::unique_ptr<odps::DuckDbSession> session_;
  duckdb_data_chunk chunk_ = nullptr;
  duckdb_appender appender_ = nullptr;
};

// Stages and writes every file in turn (the variant's files alternating between two staging
// databases, the COPY of one beside the filling of the next, when it is overlapped).
Status StageInTurn(const Rows& rows, const Variant& variant, const std::string& folder,
                   std::unique_ptr<Stage> (&stages)[2], Measure* measure) {
  std::thread writer;
  Status written;
  int files = 0;
  for (int64_t first = 0; first < rows.count; first += odps::kRowsPerFile, ++files) {
    Stage& stage = *stages[variant.overlapped ? files % 2 : 0];
    const Clock::time_point append_start = Clock::now();
    OTSYNC_RETURN_IF_ERROR(
        stage.Append(rows, first, std::min<int64_t>(rows.count, first + odps::kRowsPerFile)));
    measure->append_seconds += Seconds(Clock::now() - append_start);
    if (!variant.staging_table) stage.EndFile();
    if (writer.joinable()) writer.join();
    OTSYNC_RETURN_IF_ERROR(written);
    char name[32];
    std::snprintf(name, sizeof(name), "/part-%05d.parquet", files);
    auto write = [&stage, &variant, measure, &written, path = folder + name] {
      const Clock::time_point copy_start = Clock::now();
      written = stage.Write(path, variant);
      measure->copy_seconds += Seconds(Clock::now() - copy_start);
    };
    if (variant.overlapped) {
      writer = std::thread(write);
    } else {
      write();
      OTSYNC_RETURN_IF_ERROR(written);
    }
  }
  if (writer.joinable()) writer.join();
  return written;
}

// Stages the rows on this thread while a second one writes each file from its chunks as they
// come.
Status StageStreamed(const Rows& rows, const Variant& variant, const std::string& folder,
                     Stage& stage, Measure* measure) {
  const Clock::time_point copy_start = Clock::now();
  odps::StagedFileWriter writer(stage.connection(), stage.staged(), SelectStaged(), variant.options,
                                folder, "the staged rows");
  Status appended;
  for (int64_t first = 0; first < rows.count && appended.ok(); first += odps::kRowsPerFile) {
    const Clock::time_point append_start = Clock::now();
    appended = stage.Append(rows, first, std::min<int64_t>(rows.count, first + odps::kRowsPerFile));
    measure->append_seconds += Seconds(Clock::now() - append_start);
    stage.EndFile();
  }
  if (appended.ok()) {
    stage.Finish();
  } else {
    stage.Close();
  }
  Status written = writer.Join();
  measure->copy_seconds += Seconds(Clock::now() - copy_start);
  OTSYNC_RETURN_IF_ERROR(written);
  return appended;
}

Result<Measure> Run(const Rows& rows, const Variant& variant, const std::string& folder) {
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  std::unique_ptr<Stage> stages[2];
  for (int s = 0; s < (variant.overlapped ? 2 : 1); ++s) {
    OTSYNC_ASSIGN_OR_RETURN(stages[s], Stage::Open(folder, variant));
  }
  Measure measure;
  const double cpu_start = CpuSeconds();
  const Clock::time_point start = Clock::now();
  OTSYNC_RETURN_IF_ERROR(variant.streamed
                             ? StageStreamed(rows, variant, folder, *stages[0], &measure)
                             : StageInTurn(rows, variant, folder, stages, &measure));
  measure.seconds = Seconds(Clock::now() - start);
  measure.cpu_seconds = CpuSeconds() - cpu_start;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".parquet") {
      measure.file_bytes += static_cast<int64_t>(entry.file_size());
    }
  }
  // Not timed: every row is in the files, once.
  odps::QueryRows counted;
  OTSYNC_RETURN_IF_ERROR(odps::RunQuery(
      stages[0]->connection(),
      "SELECT count(*) FROM read_parquet(" + odps::QuoteLiteral(folder + "/*.parquet") + ")",
      &counted, "count the rows written"));
  if (counted.Int64(0, 0) != rows.count) {
    return Status::Internal("the files hold " + std::to_string(counted.Int64(0, 0)) + " rows of " +
                            std::to_string(rows.count));
  }
  return measure;
}

}  // namespace
}  // namespace otsync::bench

int main(int argc, char** argv) {
  using namespace otsync::bench;
  CLI::App app{"DuckDB's ways to take the export's rows into Parquet files (markdown on stdout)"};
  int64_t row_count = 1'000'002;
  int repetitions = 5;
  app.add_option("--rows", row_count, "output rows per run")->capture_default_str();
  app.add_option("--repetitions", repetitions, "runs of every variant")->capture_default_str();
  std::string only;
  app.add_option("--only", only,
                 "run only the variants whose name holds this text (the first variant, the "
                 "baseline of the ratios, always runs)");
  CLI11_PARSE(app, argc, argv);

  std::vector<Variant> variants = {
      {"one thread: a file's chunks filled, then its COPY (the loads until the file writer)"},
      {"an in-memory staging table between the chunks and COPY", otsync::odps::kLoadParquetOptions,
       otsync::odps::kLoadThreads, false, true},
      {"2 threads (DuckDB's default here)", otsync::odps::kLoadParquetOptions, 2},
      {"row groups of 122,880 rows (DuckDB's default)", Options("snappy", 122'880)},
      {"row groups of 524,288 rows", Options("snappy", 524'288)},
      {"row groups of 30,720 rows", Options("snappy", 30'720)},
      {"uncompressed", Options("uncompressed", 61'440)},
      {"zstd", Options("zstd", 61'440)},
      {"lz4_raw", Options("lz4_raw", 61'440)},
      {"two staging databases, COPY beside the filling of the next file",
       otsync::odps::kLoadParquetOptions, otsync::odps::kLoadThreads, true},
      {"the warehouse's, streamed: COPY on a second thread takes each chunk as it is filled",
       otsync::odps::kLoadParquetOptions, otsync::odps::kLoadThreads, false, false, true},
      {"streamed, DuckDB's own dictionary limit", Options("snappy", 61'440, 0),
       otsync::odps::kLoadThreads, false, false, true},
      {"streamed, dictionaries of at most 4,096 values", Options("snappy", 61'440, 4'096),
       otsync::odps::kLoadThreads, false, false, true},
      {"streamed, dictionaries of at most 256 values", Options("snappy", 61'440, 256),
       otsync::odps::kLoadThreads, false, false, true},
      {"streamed, no Bloom filters", WithOption("WRITE_BLOOM_FILTER false"),
       otsync::odps::kLoadThreads, false, false, true},
      {"streamed, Parquet format version 2", WithOption("PARQUET_VERSION V2"),
       otsync::odps::kLoadThreads, false, false, true},
  };
  if (!only.empty()) {
    std::erase_if(variants, [&](const Variant& variant) {
      return &variant != &variants.front() && variant.name.find(only) == std::string::npos;
    });
  }
  const Rows rows = MakeRows(row_count);
  otsync::testing::TemporaryDirectory directory("parquet_stage_bench");
  std::vector<std::vector<Measure>> measures(variants.size());
  for (int repetition = 0; repetition < repetitions; ++repetition) {
    for (size_t v = 0; v < variants.size(); ++v) {
      otsync::Result<Measure> measure = Run(rows, variants[v], directory.path().string() + "/run");
      if (!measure.ok()) {
        std::cerr << "parquet_stage_bench: " << variants[v].name << ": "
                  << measure.status().ToString() << "\n";
        return 1;
      }
      measures[v].push_back(*measure);
    }
  }
  auto median = [&](size_t v, double Measure::*field) {
    std::vector<double> values;
    for (const Measure& measure : measures[v]) values.push_back(measure.*field);
    return Median(values);
  };
  const double baseline = static_cast<double>(row_count) / median(0, &Measure::seconds);
  std::cout
      << "Rows: " << row_count << " (the export's shape), files of " << otsync::odps::kRowsPerFile
      << " rows; median of " << repetitions << " runs per variant, the variants in turn.\n\n"
      << "| variant | rows/s | / one thread | append s | COPY + sync s | CPU s | files MiB |\n"
      << "|---|---:|---:|---:|---:|---:|---:|\n";
  for (size_t v = 0; v < variants.size(); ++v) {
    const double rate = static_cast<double>(row_count) / median(v, &Measure::seconds);
    std::vector<double> sizes;
    for (const Measure& measure : measures[v])
      sizes.push_back(static_cast<double>(measure.file_bytes));
    std::cout << "| " << variants[v].name << " | " << Rate(rate) << " | "
              << Fixed(rate / baseline, 2) << " | " << Fixed(median(v, &Measure::append_seconds), 3)
              << " | " << Fixed(median(v, &Measure::copy_seconds), 3) << " | "
              << Fixed(median(v, &Measure::cpu_seconds), 2) << " | "
              << Fixed(Median(sizes) / (1 << 20), 1) << " |\n";
  }
  return 0;
}
