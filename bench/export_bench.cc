// export_bench: the end-to-end export rate of otsync, otsstream reader -> odps writer (the local
// DuckDB warehouse), and otsync's peak RSS, beside the odps writer alone appending the same rows
// in the same run.
//
//   setup:     on a running otsd (started with a negative --clock-offset, so that the records are
//              already past the reader's 5-minute end margin), a table with one STRING PK and the
//              stream on; its one shard split into --shards shards with the admin API
//              (AdminSplitShard at hex key boundaries: the keys are hex hashes, so the shards get
//              even shares) before any write; then --rows output rows' worth of stream records
//              written by BatchWriteRow of 200 rows from 4 client threads. Each record is a PUT of
//              five attribute columns (name, email, age, balance, active: the rows of
//              otsd_ingest_bench), which the reader's multi-version mode turns into 6 output rows
//              (DR + 5 U): records = ceil(rows / 6), output rows = 6 x records.
//   export:    per repetition a fresh otsync --data-dir (data sources, warehouse, its own status
//              table name): `otsync warehouse create-table` with the seed's columns, then
//              `otsync run` of a seed-like job (otsstream -> odps, truncate, concurrent = shards,
//              no rate limit) over a window covering every record, as a child process: wall time
//              from spawn to exit, peak RSS from wait4's ru_maxrss (spawned by a fresh launcher
//              process, `--spawn`, so that none of this program's memory is counted); the
//              partition's row count is checked against 6 x records.
//   baseline:  this program re-executed as a child (--mode=writer-baseline): an OdpsWriter
//              (otsync_odps_writer) on a fresh warehouse appends the same number of rows of the
//              same shape (id, colname, version, colvalue, optype; one DR + 5 U per key) in
//              batches of the engine's size (sync::kDefaultEmitBatchRecords) and commits; every
//              batch is made before the clock starts (the load's file writer runs on a thread of
//              its own and would go on, untimed, while a batch was made), then timed from Prepare
//              to the end of Commit; its ru_maxrss less the resident set once the rows were made.
//
// The limit (issue 14; odps writer, PUT records, baseline on, and --otsd-data-dir given, as
// bench/run.sh does): the two stages no export design can skip, on the same data in the same
// run, and the rate they allow together.
//   raw scan:  after the writes, otsd's data directory is opened as a RocksDB secondary instance
//              (read-only beside the running otsd; its own files in --work-dir) and the stream of
//              the table found in the "stream_meta" column family (store/stream_keys.h); per
//              repetition one pass of RocksDB iterators over the "stream_records" column family,
//              each shard's key prefix in turn (the closed parent shard included), adding up
//              every record's key and value size. Timed: the iterators' creation, seeks and
//              nexts; not timed: opening the instance and catching up with otsd, which is done
//              once. The pass must see every record written. It reads what otsd holds at that
//              moment — memtables replayed from otsd's WAL and the SST files otsd has flushed
//              (LZ4 blocks, decompressed by RocksDB) — with no decoding, no protocol and no
//              network; the report says where the column family's entries lay at open (MiB in
//              SST files, entries in memtables). Reported in output rows/s (6 x records/s) and
//              records/s.
//   raw append: this program re-executed as a child (--mode=raw-append): the very rows of the
//              writer baseline (id, colname, version, colvalue, optype, sequenceinfo NULL; pt
//              on every row as the warehouse's files carry it), each field converted as the odps
//              writer converts it (not timed: a file's rows are converted before its clock
//              starts), put into DuckDB data chunks of duckdb_vector_size() rows which an
//              in-memory DuckDB with the warehouse's memory limit (odps::WarehouseMemoryLimit())
//              and thread count writes as the loads do: one COPY per Parquet file of
//              <dir>/data/person/ on a thread of its own, taking each chunk as it is filled, with
//              the loads' COPY options (odps::kLoadParquetOptions); a file ends at
//              odps::kRowsPerFile rows or odps::kBytesPerFile of values (counted as the loads
//              count them, checked after each chunk, so up to 2,047 rows later than a load's)
//              and is synced; at the end the folder is synced. Timed: opening DuckDB, filling
//              the chunks, the COPYs and the syncs. No manifest and no staging folder: what a
//              commit adds is the writer's, beside it in "odps writer alone".
//   limit:     1 / (1/scan + 1/append) in output rows/s: the two stages run one after the other
//              at their raw rates. Per repetition: limit, export / limit and writer alone / raw
//              append; each reported as the median over the repetitions.
//   CPU:       per repetition also the export's read side alone: the same job on the same
//              records (a status table of its own) with the discarding `stream` writer. For it and
//              for the export: wall seconds, otsync's CPU seconds (wait4) and, with --otsd-pid,
//              otsd's (/proc/<pid>/stat before and after the run), and what the bar of 0.8 of the
//              limit leaves: the export within rows / (0.8 x limit) seconds is at most that many
//              seconds of each core for both processes together.
//
// Other writers and a PUT/UPDATE/DELETE mix (issue 4):
//   --writer=txtfile  the job's writer is `txtfile` (text format, truncate) into a folder of the
//                     repetition's data dir; the output is checked by counting its lines.
//   --writer=discard  the `stream` writer with "print": false (rows counted and dropped); the
//                     output is checked with the job summary's "Records read" (0 failures).
//   --mix             stream record i is, by i % 10: 0-5 a PutRow of the five attribute columns
//                     (6 output rows: DR + 5 U); 6-8 an UpdateRow of four cells, name and age PUT,
//                     email DELETE one version (timestamp 1,000,000), balance DELETE_ALL (4 output
//                     rows: U, U, DO, DA; an UpdateRow has no DR); 9 a DeleteRow (1 output row:
//                     DR). Every record is on its own key. 10 records -> 49 output rows (4.9 /
//                     record).
//   --records=N       the stream records to write (a record = one row change = one stream record
//                     = one BatchWriteRow row); 0 = the fewest records giving >= --rows output
//                     rows.
//   decode-only:      in the same run, after the writes, this program reads every shard once with
//                     the C++ client (GetShardIterator + GetStreamRecord(limit 1000) until caught
//                     up), keeps the response bodies, and per repetition times
//                     client::DecodeStreamRecordResponse over copies of them (the copy is made
//                     before the clock starts, as bench/stream_read_bench.cc does). Its rate is
//                     given in records/s and in output rows/s of the same records.
//
// Several jobs on one warehouse (--jobs=N, odps writer):
//   per repetition, after the one-job export above, N `otsync run` jobs of the same window are
//   started together into one fresh warehouse, each into its own partition (pt=job<i>) with its
//   own status table; their total output rows over the wall time from the first spawn to the
//   last exit is reported beside the one job alone, and each job's commit — the time it held the
//   warehouse's commit lock and waited for it, from the job summary's "Warehouse lock held" line
//   — as median and max over all jobs of all repetitions. Every partition's row count is checked.
//
// Timing is this program's own (std::chrono::steady_clock, wait4); every figure is the median of
// --repetitions runs. Output is a markdown report on stdout; progress goes to stderr.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "client/client.h"
#include "raw_export_stages.h"
#include "sync/engine.h"
#include "sync/local_time.h"
#include "testing/child_process.h"
#include "writers/odps/odps_writer.h"
#include "writers/odps/odps_writer_spec.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/warehouse.h"

namespace {

using otsync::Result;
using otsync::Status;
using otsync::bench::Filler;
using otsync::bench::Fixed;
using otsync::bench::Median;
using otsync::bench::Mix;
using otsync::bench::ProcessCpu;
using otsync::bench::ProcessStatusKib;
using otsync::bench::Rate;
namespace client = otsync::client;
namespace wire = otsync::wire;
namespace sync = otsync::sync;
namespace odps = otsync::odps;
using otsync::bench::AddOtsdEndpointOptions;
using otsync::bench::Clock;
using otsync::bench::OtsdEndpoint;
using otsync::bench::RunBatches;
using otsync::bench::Seconds;
using otsync::bench::WriteAll;

constexpr int kRowsPerRecord = 6;  // DR + one U per attribute column.
constexpr char kTableSpec[] =
    "person(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING, "
    "sequenceinfo STRING) PARTITIONED BY (pt STRING)";
constexpr char kPartition[] = "pt=20250101";
constexpr char kPartitionValue[] = "20250101";

struct Flags {
  std::string mode = "export";  // export | writer-baseline | raw-append
  OtsdEndpoint otsd;
  std::string otsync;    // The otsync binary.
  std::string work_dir;  // Scratch space; per-repetition data dirs go here.
  int64_t rows = 1'000'000;
  int shards = 4;
  int threads = 4;
  int batch = 200;
  int repetitions = 5;
  int clock_offset_minutes = -30;  // otsd's --clock-offset.
  std::string table = "person";
  bool no_baseline = false;
  std::string warehouse;        // writer-baseline: the warehouse; raw-append: its folder.
  std::string writer = "odps";  // odps | txtfile | discard
  bool mix = false;             // PUT/UPDATE/DELETE mix instead of PUT only.
  int64_t records = 0;          // Stream records; 0 = derived from --rows.
  int decode_limit = 1000;      // GetStreamRecord limit of the decode-only capture.
  int jobs = 1;                 // > 1: also N concurrent jobs into one warehouse (odps).
  std::string otsd_data_dir;    // otsd's --data-dir: the raw scan and the limit.
  int otsd_pid = 0;             // otsd's pid, for its CPU time during each export; 0: unknown.
};

enum class Kind { kPut, kUpdate, kDelete };

Kind KindOf(bool mix, int64_t i) {
  if (!mix) return Kind::kPut;
  const int64_t slot = i % 10;
  if (slot < 6) return Kind::kPut;
  return slot < 9 ? Kind::kUpdate : Kind::kDelete;
}

int64_t OutputRowsOf(Kind kind) {
  switch (kind) {
    case Kind::kPut:
      return 6;  // DR + 5 U.
    case Kind::kUpdate:
      return 4;  // U, U, DO, DA.
    case Kind::kDelete:
      return 1;  // DR.
  }
  return 0;
}

int64_t OutputRows(bool mix, int64_t records) {
  int64_t rows = 0;
  for (int64_t i = 0; i < records; ++i) rows += OutputRowsOf(KindOf(mix, i));
  return rows;
}

std::string Key(int64_t i) {
  char key[24];
  std::snprintf(key, sizeof(key), "%016llx", static_cast<unsigned long long>(Mix(i)));
  return key;
}

// The rows of otsd_ingest_bench: one STRING PK, five attributes, ~150 B of names and values.
wire::Row MakeRow(int64_t i) {
  wire::Row row;
  row.primary_key = {{"id", wire::Value::String(Key(i))}};
  row.cells = {
      {"name", wire::Value::String(Filler(i, 20)), std::nullopt},
      {"email", wire::Value::String(Filler(i + 7, 52) + "@example.org"), std::nullopt},
      {"age", wire::Value::Integer(18 + i % 70), std::nullopt},
      {"balance", wire::Value::Double(static_cast<double>(i) * 0.25), std::nullopt},
      {"active", wire::Value::Boolean(i % 3 != 0), std::nullopt},
  };
  return row;
}

// Record i of the stream as a BatchWriteRow row (see --mix).
wire::RowWrite MakeWrite(bool mix, int64_t i) {
  wire::RowWrite write;
  switch (KindOf(mix, i)) {
    case Kind::kPut:
      write.type = wire::WriteType::kPut;
      write.row = MakeRow(i);
      break;
    case Kind::kUpdate: {
      write.type = wire::WriteType::kUpdate;
      write.row.primary_key = {{"id", wire::Value::String(Key(i))}};
      wire::Cell email{"email", std::nullopt, int64_t{1'000'000}};
      email.operation = wire::CellOperation::kDeleteOneVersion;
      wire::Cell balance{"balance", std::nullopt, std::nullopt};
      balance.operation = wire::CellOperation::kDeleteAllVersions;
      write.row.cells = {
          {"name", wire::Value::String(Filler(i, 20)), std::nullopt},
          {"age", wire::Value::Integer(18 + i % 70), std::nullopt},
          std::move(email),
          std::move(balance),
      };
      break;
    }
    case Kind::kDelete:
      write.type = wire::WriteType::kDelete;
      write.row.primary_key = {{"id", wire::Value::String(Key(i))}};
      break;
  }
  return write;
}

// The 6 output rows the reader makes of record i (multi-version mode, no sequence info).
void AppendOutputRows(int64_t i, int64_t version, std::vector<sync::Record>* out) {
  const std::string key = Key(i);
  out->push_back({{wire::Value::String(key), wire::Value::Null(), wire::Value::Null(),
                   wire::Value::Null(), wire::Value::String("DR")}});
  for (wire::Cell& cell : MakeRow(i).cells) {
    out->push_back(
        {{wire::Value::String(key), wire::Value::String(cell.name), wire::Value::Integer(version),
          std::move(*cell.value), wire::Value::String("U")}});
  }
}

std::string LoadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

int Fail(const std::string& step, const Status& status) {
  std::cerr << "export_bench: " << step << " failed: " << status.ToString() << "\n";
  return 1;
}

struct ChildRun {
  int exit_status = -1;  // The exit code, or -1 when killed by a signal.
  double seconds = 0;
  double max_rss_mib = 0;
  double cpu_seconds = 0;  // User + system, the child's whole life.
};

// Runs `argv` (argv[0] a path) with stdout to `out_path` and stderr to `err_path`; wall time from
// the start to the reaped exit, ru_maxrss from wait4 and the CPU time of the child (the
// launcher's only one: getrusage(RUSAGE_CHILDREN)). Run by this program re-executed as
// `self --spawn OUT ERR ARGV...` (see RunChild), it prints
// "<seconds> <ru_maxrss KiB> <exit status> <CPU seconds>" on stdout.
int Spawn(const std::vector<std::string>& argv, const std::string& out_path,
          const std::string& err_path) {
  otsync::testing::ChildProcessOptions options;
  options.stdout_path = out_path;
  options.stderr_path = err_path;
  const Clock::time_point start = Clock::now();
  Result<std::unique_ptr<otsync::testing::ChildProcess>> child =
      otsync::testing::ChildProcess::Start(argv, options);
  if (!child.ok()) return Fail("spawn", child.status());
  Result<otsync::testing::ChildExit> exit = (*child)->Wait();
  if (!exit.ok()) return Fail("spawn", exit.status());
  const double seconds = Seconds(Clock::now() - start);
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  auto cpu_seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  std::cout << Fixed(seconds, 6) << " " << exit->max_rss_kib << " "
            << (exit->signaled ? -1 : exit->exit_status) << " "
            << Fixed(cpu_seconds(children.ru_utime) + cpu_seconds(children.ru_stime), 6) << "\n";
  return 0;
}

// Runs `argv` as Spawn does, through `self --spawn`, with `extra_env` added to the environment.
// ru_maxrss survives execve: a child started from this process starts with this process's
// resident pages counted (the captured responses of the decode-only pass alone are 267 B per
// record, 545 MB at 10M output rows), so starting the command directly would report them as the
// child's peak. The freshly executed launcher is a few MB, below any child's own peak.
Result<ChildRun> RunChild(const std::string& self, const std::vector<std::string>& argv,
                          const std::vector<std::string>& extra_env, const std::string& out_path,
                          const std::string& err_path) {
  std::vector<std::string> launcher = {self, "--spawn", out_path, err_path};
  launcher.insert(launcher.end(), argv.begin(), argv.end());
  otsync::testing::ChildProcessOptions options;
  options.extra_env = extra_env;
  Result<std::unique_ptr<otsync::testing::ChildProcess>> child =
      otsync::testing::ChildProcess::Start(launcher, options);
  if (!child.ok()) return child.status();
  OTSYNC_ASSIGN_OR_RETURN(otsync::testing::ChildExit exit, (*child)->Wait());
  if (exit.exit_status != 0) {
    return Status::Internal("the launcher (" + self + " --spawn) failed: " + exit.err);
  }
  std::istringstream report(exit.out);
  ChildRun run;
  int64_t max_rss_kib = 0;
  if (!(report >> run.seconds >> max_rss_kib >> run.exit_status >> run.cpu_seconds)) {
    return Status::Internal("the launcher's report is unreadable: " + exit.out);
  }
  run.max_rss_mib = static_cast<double>(max_rss_kib) / 1024.0;  // KiB on Linux.
  return run;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

std::string LastLine(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  size_t newline = trimmed.rfind('\n');
  return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

// ---------------------------------------------------------------------------------------------
// writer-baseline mode: prints "<seconds> <rows> <KiB resident once the rows were made>" on stdout.

int WriterBaseline(const Flags& flags) {
  Result<std::unique_ptr<odps::Warehouse>> opened = odps::Warehouse::Open(flags.warehouse);
  if (!opened.ok()) return Fail("opening the warehouse", opened.status());
  std::shared_ptr<odps::Warehouse> warehouse(std::move(*opened));
  Result<odps::TableSchema> schema = odps::ParseTableSpec(kTableSpec);
  if (!schema.ok()) return Fail("table spec", schema.status());
  if (Status created = warehouse->CreateTable(*schema); !created.ok()) {
    return Fail("create-table", created);
  }
  odps::OdpsWriterSpec spec;
  spec.datasource = "odps_first";
  spec.table = "person";
  spec.partition = kPartition;
  spec.columns = {"id", "colname", "version", "colvalue", "optype", "sequenceinfo"};
  spec.truncate = true;
  odps::OdpsWriter writer(spec, warehouse);

  const int64_t records = (flags.rows + kRowsPerRecord - 1) / kRowsPerRecord;
  constexpr size_t kBatch = sync::kDefaultEmitBatchRecords;
  // Every batch is made before the clock starts: the load's file writer works on a thread of its
  // own, which would go on writing, untimed, while the next batch was being made.
  std::vector<std::vector<sync::Record>> batches;
  int64_t rows = 0;
  const int64_t version = 1'700'000'000'000;
  for (int64_t i = 0; i < records;) {
    std::vector<sync::Record>& batch = batches.emplace_back();
    while (i < records && batch.size() + kRowsPerRecord <= kBatch)
      AppendOutputRows(i++, version, &batch);
    rows += static_cast<int64_t>(batch.size());
  }
  const int64_t made_kib = std::max<int64_t>(0, ProcessStatusKib(0, "VmRSS"));
  std::vector<sync::DirtyRecord> dirty;
  const Clock::time_point start = Clock::now();
  if (Status prepared = writer.Prepare(); !prepared.ok()) return Fail("Prepare", prepared);
  for (const std::vector<sync::Record>& batch : batches) {
    if (Status written = writer.Write(batch, &dirty); !written.ok()) return Fail("Write", written);
    if (!dirty.empty()) return Fail("Write", Status::Internal("dirty record: " + dirty[0].reason));
  }
  sync::CommittedWindow window{{"person", "bench-stream", 0, 1}, "bench", rows};
  if (Status committed = writer.Commit(window); !committed.ok()) return Fail("Commit", committed);
  const double seconds = Seconds(Clock::now() - start);
  std::cout << Fixed(seconds, 6) << " " << rows << " " << made_kib << "\n";
  return 0;
}

// ---------------------------------------------------------------------------------------------
// raw-append mode: prints "<seconds> <rows>" on stdout.

int RawAppend(const Flags& flags) {
  Result<odps::TableSchema> schema = odps::ParseTableSpec(kTableSpec);
  if (!schema.ok()) return Fail("table spec", schema.status());
  const int64_t records = (flags.rows + kRowsPerRecord - 1) / kRowsPerRecord;
  constexpr size_t kBatch = sync::kDefaultEmitBatchRecords;  // As the writer baseline's.
  const int64_t version = 1'700'000'000'000;
  int64_t next = 0;
  auto source = [&](std::vector<sync::Record>* rows) {
    if (next == records) return false;
    while (next < records && rows->size() + kRowsPerRecord <= kBatch) {
      AppendOutputRows(next++, version, rows);
    }
    for (sync::Record& row : *rows) row.fields.push_back(wire::Value::Null());  // sequenceinfo
    return true;
  };
  Result<otsync::bench::RawAppendRun> run = otsync::bench::RawParquetAppend(
      flags.warehouse + "/data/person", *schema, {kPartitionValue}, source);
  if (!run.ok()) return Fail("raw append", run.status());
  std::cout << Fixed(run->seconds, 6) << " " << run->rows << "\n";
  return 0;
}

// ---------------------------------------------------------------------------------------------
// export mode.

Status Ingest(client::Client& ots, const Flags& flags, int64_t records, double* seconds) {
  const int64_t batches = (records + flags.batch - 1) / flags.batch;
  OTSYNC_ASSIGN_OR_RETURN(*seconds, RunBatches(batches, flags.threads, [&](int64_t b) {
    std::vector<wire::TableWrites> tables(1);
    tables[0].table_name = flags.table;
    for (int64_t i = b * flags.batch; i < std::min(records, (b + 1) * flags.batch); ++i) {
      tables[0].rows.push_back(MakeWrite(flags.mix, i));
    }
    return WriteAll(ots, tables);
  }));
  return Status::OK();
}

// Splits the table's one shard into `shards` (2 or 4) at hex key boundaries.
Status SplitShards(const Flags& flags) {
  if (flags.shards == 1) return Status::OK();
  client::ClientOptions options = flags.otsd.ClientOptions(2);
  Result<std::unique_ptr<client::Client>> ots = client::Client::Create(options);
  if (!ots.ok()) return ots.status();
  // otsd's documented development admin key (otsd without --credentials); not a secret.
  options.credentials.access_key_id = "admin-id";
  options.credentials.access_key_secret = "admin-secret";
  Result<std::unique_ptr<client::Client>> admin = client::Client::Create(options);
  if (!admin.ok()) return admin.status();
  if (!ots.ok()) return ots.status();
  Result<std::vector<client::StreamInfo>> streams = (*ots)->ListStream(flags.table);
  if (!streams.ok()) return streams.status();
  if (streams->size() != 1) return Status::Internal("expected one stream");
  Result<client::StreamDescription> stream =
      (*ots)->DescribeStreamAllShards(streams->front().stream_id);
  if (!stream.ok()) return stream.status();
  if (stream->shards.size() != 1) return Status::Internal("expected one shard");
  Result<std::vector<std::string>> halves =
      (*admin)->AdminSplitShard(flags.table, stream->shards[0].shard_id, wire::Value::String("8"));
  if (!halves.ok()) return halves.status().WithContext("AdminSplitShard at \"8\"");
  if (flags.shards == 2) return Status::OK();
  const char* points[] = {"4", "c"};
  for (size_t i = 0; i < 2; ++i) {
    Result<std::vector<std::string>> quarters =
        (*admin)->AdminSplitShard(flags.table, (*halves)[i], wire::Value::String(points[i]));
    if (!quarters.ok()) return quarters.status().WithContext("AdminSplitShard");
  }
  return Status::OK();
}

std::string WriterBlock(const Flags& flags, const std::string& dir, const std::string& partition) {
  if (flags.writer == "txtfile") {
    return R"({
      "plugin": "txtfile",
      "parameter": {
        "path": ")" +
           dir + R"(/out",
        "fileName": "person",
        "writeMode": "truncate",
        "fileFormat": "text",
        "fieldDelimiter": ","
      }
    })";
  }
  if (flags.writer == "discard") {
    return R"({
      "plugin": "stream",
      "parameter": {"print": false}
    })";
  }
  return R"({
      "plugin": "odps",
      "parameter": {
        "datasource": "odps_first",
        "table": "person",
        "truncate": true,
        "partition": ")" +
         partition + R"(",
        "column": ["id", "colname", "version", "colvalue", "optype", "sequenceinfo"]
      }
    })";
}

std::string JobScript(const Flags& flags, const std::string& status_table, const std::string& dir,
                      const std::string& partition = kPartition) {
  // The seed's script with the rate limit off and `concurrent` = the shards.
  return R"({
  "type": "job",
  "version": "1.0",
  "configuration": {
    "reader": {
      "plugin": "otsstream",
      "parameter": {
        "datasource": "otsstream",
        "dataTable": ")" +
         flags.table + R"(",
        "startTimeString": "${startTime}",
        "endTimeString": "${endTime}",
        "statusTable": ")" +
         status_table + R"(",
        "maxRetries": 30,
        "isExportSequenceInfo": false
      }
    },
    "writer": )" +
         WriterBlock(flags, dir, partition) + R"(,
    "setting": {"speed": {"throttle": false, "concurrent": )" +
         std::to_string(flags.shards) + R"(}}
  }
})";
}

// The number after `label` and its colon in `text`, or -1.
double NumberAfter(const std::string& text, const std::string& label) {
  size_t at = text.rfind(label);
  if (at == std::string::npos) return -1;
  at = text.find(':', at);
  return at == std::string::npos ? -1 : std::atof(text.c_str() + at + 1);
}

// otsync commands of one repetition, run through RunChild; command NAME's output goes to
// `log_prefix` + NAME + ".out" / ".err".
class OtsyncCommands {
 public:
  OtsyncCommands(const Flags& flags, std::string self, std::string log_prefix)
      : flags_(flags), self_(std::move(self)), log_prefix_(std::move(log_prefix)) {}

  // Fails with the command's last line of stderr when it exits non-zero.
  Result<ChildRun> Run(std::vector<std::string> args, const std::string& name,
                       const std::vector<std::string>& env = {}) const {
    const std::string command = args.empty() ? "" : args[0];
    args.insert(args.begin(), flags_.otsync);
    OTSYNC_ASSIGN_OR_RETURN(ChildRun child,
                            RunChild(self_, args, env, Path(name, ".out"), Path(name, ".err")));
    if (child.exit_status != 0) {
      return Status::Internal("otsync " + command + " (" + name + ") exited with " +
                              std::to_string(child.exit_status) + ": " +
                              LastLine(ReadFile(Path(name, ".err"))));
    }
    return child;
  }
  std::string Path(const std::string& name, const char* suffix) const {
    return log_prefix_ + name + suffix;
  }
  // The `otsstream` data source of `dir` on the bench's otsd. The secret of otsd's development
  // access key travels in the environment, never on argv.
  Status AddOtsdDataSource(const std::string& dir) const {
    return Run({"datasource", "add", "otsstream", "--data-dir", dir, "--type", "ots", "--endpoint",
                flags_.otsd.url, "--instance", flags_.otsd.instance, "--access-id",
                flags_.otsd.access_key_id, "--replace"},
               "datasource", {"OTSYNC_ACCESS_KEY=" + flags_.otsd.AccessKeySecret()})
        .status();
  }

 private:
  const Flags& flags_;
  std::string self_;
  std::string log_prefix_;
};

struct ExportRun {
  double seconds = 0;
  double max_rss_mib = 0;
  int64_t rows = 0;
  double cpu_seconds = 0;       // otsync's.
  double otsd_cpu_seconds = 0;  // otsd's during the run (0 without --otsd-pid).
};

Result<ExportRun> RunExport(const Flags& flags, const std::string& self, int repetition,
                            const std::string& start_time, const std::string& end_time,
                            int64_t expected_rows) {
  const std::string dir = flags.work_dir + "/otsync-" + std::to_string(repetition);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string log = dir + "/log";
  const OtsyncCommands otsync(flags, self, log + ".");
  auto run = [&otsync](std::vector<std::string> args, const std::string& name,
                       std::vector<std::string> env = {}) {
    return otsync.Run(std::move(args), name, env);
  };
  OTSYNC_RETURN_IF_ERROR(otsync.AddOtsdDataSource(dir));
  if (flags.writer == "odps") {
    OTSYNC_RETURN_IF_ERROR(
        run({"warehouse", "create-table", "--data-dir", dir, kTableSpec}, "create-table").status());
  } else if (flags.writer == "txtfile") {
    std::filesystem::create_directories(dir + "/out");
  }
  const std::string job_path = dir + "/job.json";
  std::ofstream(job_path) << JobScript(flags, "bench_status_" + std::to_string(repetition), dir);
  const double otsd_cpu_before = ProcessCpu(flags.otsd_pid).own;
  OTSYNC_ASSIGN_OR_RETURN(ChildRun exported,
                          run({"run", job_path, "--data-dir", dir, "-p", "startTime=" + start_time,
                               "-p", "endTime=" + end_time},
                              "run"));
  const double otsd_cpu = ProcessCpu(flags.otsd_pid).own - otsd_cpu_before;
  int64_t rows = 0;
  if (flags.writer == "odps") {
    OTSYNC_RETURN_IF_ERROR(run({"warehouse", "query", "--data-dir", dir, "--format", "csv",
                                "SELECT count(*) AS n FROM person"},
                               "count")
                               .status());
    rows = std::atoll(LastLine(ReadFile(log + ".count.out")).c_str());
  } else if (flags.writer == "txtfile") {
    for (const auto& entry : std::filesystem::directory_iterator(dir + "/out")) {
      std::ifstream file(entry.path(), std::ios::binary);
      char buffer[1 << 16];
      while (file.read(buffer, sizeof(buffer)) || file.gcount() > 0) {
        rows += std::count(buffer, buffer + file.gcount(), '\n');
      }
    }
  } else {
    // The job summary: "Records read : N" and "Read/write failures : 0".
    const std::string text = ReadFile(log + ".run.out") + ReadFile(log + ".run.err");
    auto number_after = [&text](const std::string& label) {
      return static_cast<int64_t>(NumberAfter(text, label));
    };
    rows = number_after("Records read");
    if (number_after("Read/write failures") != 0) {
      return Status::Internal("the job summary shows failures (or none was found)");
    }
  }
  if (rows != expected_rows) {
    return Status::Internal("the " + flags.writer + " writer got " + std::to_string(rows) +
                            " rows, expected " + std::to_string(expected_rows));
  }
  // The data dir stays for the log.
  std::filesystem::remove_all(dir + "/warehouse");
  std::filesystem::remove_all(dir + "/out");
  return ExportRun{exported.seconds, exported.max_rss_mib, rows, exported.cpu_seconds, otsd_cpu};
}

// Runs this program as a child in `mode` (writer-baseline or raw-append) on a fresh folder;
// `*seconds` is the time the child reports.
Result<ChildRun> RunBaseline(const Flags& flags, int repetition, const std::string& self,
                             const std::string& mode, int64_t expected_rows, double* seconds) {
  const std::string dir = flags.work_dir + "/" + mode + "-" + std::to_string(repetition);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  OTSYNC_ASSIGN_OR_RETURN(
      ChildRun child, RunChild(self,
                               {self, "--mode=" + mode, "--rows=" + std::to_string(expected_rows),
                                "--warehouse=" + dir + "/warehouse"},
                               {}, dir + "/out", dir + "/err"));
  if (child.exit_status != 0) {
    return Status::Internal("the " + mode + " child exited with " +
                            std::to_string(child.exit_status) + ": " +
                            LastLine(ReadFile(dir + "/err")));
  }
  std::istringstream out(ReadFile(dir + "/out"));
  int64_t rows = 0;
  int64_t made_kib = 0;  // The writer baseline's rows, made before its clock: not the writer's.
  out >> *seconds >> rows >> made_kib;
  child.max_rss_mib -= static_cast<double>(made_kib) / 1024.0;
  if (rows != expected_rows) {
    return Status::Internal("the " + mode + " child wrote " + std::to_string(rows) + " rows");
  }
  std::filesystem::remove_all(dir);
  return child;
}

// Reads every shard of the table's stream once from its oldest record until it is caught up (an
// open shard answers no records) or closed, and keeps each GetStreamRecord response body.
Status CaptureStream(client::Client& ots, const Flags& flags, std::vector<std::string>* bodies,
                     int64_t* records) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<client::StreamInfo> streams, ots.ListStream(flags.table));
  if (streams.size() != 1) return Status::Internal("expected one stream");
  OTSYNC_ASSIGN_OR_RETURN(client::StreamDescription stream,
                          ots.DescribeStreamAllShards(streams.front().stream_id));
  client::StreamRecordBatch batch;
  for (const client::StreamShard& shard : stream.shards) {
    OTSYNC_ASSIGN_OR_RETURN(std::string iterator,
                            ots.GetShardIterator(streams.front().stream_id, shard.shard_id));
    while (true) {
      OTSYNC_RETURN_IF_ERROR(ots.GetStreamRecord(iterator, flags.decode_limit, &batch));
      bodies->emplace_back(batch.response_bytes());
      *records += static_cast<int64_t>(batch.size());
      if (!batch.next_shard_iterator() || batch.empty()) break;
      iterator = *batch.next_shard_iterator();
    }
  }
  return Status::OK();
}

// The decode-only pass: DecodeStreamRecordResponse over copies of the captured bodies (copied
// before the clock starts). Returns the seconds.
Result<double> DecodeOnly(const std::vector<std::string>& captured, int64_t expected_records) {
  std::vector<std::string> bodies = captured;
  client::StreamRecordBatch batch;
  int64_t decoded = 0;
  const Clock::time_point start = Clock::now();
  for (std::string& body : bodies) {
    OTSYNC_RETURN_IF_ERROR(client::DecodeStreamRecordResponse(std::move(body), &batch));
    decoded += static_cast<int64_t>(batch.size());
  }
  const double seconds = Seconds(Clock::now() - start);
  if (decoded != expected_records) return Status::Internal("decode-only: record count");
  return seconds;
}

struct ConcurrentRun {
  double seconds = 0;               // First spawn to last exit.
  std::vector<double> hold_millis;  // Per job: the commit lock held.
  std::vector<double> wait_millis;  // Per job: waited for other commits.
};

// --jobs: `flags.jobs` jobs of the same window at once into one warehouse, one partition each.
Result<ConcurrentRun> RunConcurrent(const Flags& flags, const std::string& self, int repetition,
                                    const std::string& start_time, const std::string& end_time,
                                    int64_t expected_rows) {
  const std::string dir = flags.work_dir + "/otsync-jobs-" + std::to_string(repetition);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const OtsyncCommands otsync(flags, self, dir + "/");
  auto run = [&otsync](std::vector<std::string> args, const std::string& name) {
    return otsync.Run(std::move(args), name);
  };
  OTSYNC_RETURN_IF_ERROR(otsync.AddOtsdDataSource(dir));
  OTSYNC_RETURN_IF_ERROR(
      run({"warehouse", "create-table", "--data-dir", dir, kTableSpec}, "create-table").status());
  std::vector<std::string> job_paths;
  for (int i = 0; i < flags.jobs; ++i) {
    job_paths.push_back(dir + "/job-" + std::to_string(i) + ".json");
    std::ofstream(job_paths.back())
        << JobScript(flags, "bench_jobs_" + std::to_string(repetition) + "_" + std::to_string(i),
                     dir, "pt=job" + std::to_string(i));
  }
  std::vector<Result<ChildRun>> results(flags.jobs, Status::Internal("not run"));
  const Clock::time_point start = Clock::now();
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < flags.jobs; ++i) {
      threads.emplace_back([&, i] {
        results[i] = run({"run", job_paths[i], "--data-dir", dir, "-p", "startTime=" + start_time,
                          "-p", "endTime=" + end_time},
                         "run-" + std::to_string(i));
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  ConcurrentRun concurrent;
  concurrent.seconds = Seconds(Clock::now() - start);
  for (int i = 0; i < flags.jobs; ++i) {
    OTSYNC_RETURN_IF_ERROR(results[i].status());
    const std::string summary = ReadFile(dir + "/run-" + std::to_string(i) + ".err");
    const double held = NumberAfter(summary, "Warehouse lock held");
    const double waited = NumberAfter(summary, "waited");
    if (held < 0) return Status::Internal("job " + std::to_string(i) + " printed no lock time");
    concurrent.hold_millis.push_back(held);
    concurrent.wait_millis.push_back(std::max(0.0, waited));
  }
  OTSYNC_RETURN_IF_ERROR(
      run({"warehouse", "query", "--data-dir", dir, "--format", "csv",
           "SELECT count(*) FILTER (WHERE n <> " + std::to_string(expected_rows) +
               ") AS wrong, count(*) AS partitions FROM (SELECT pt, count(*) "
               "AS n FROM person GROUP BY pt)"},
          "count")
          .status());
  const std::string counted = LastLine(ReadFile(dir + "/count.out"));
  if (counted != "0," + std::to_string(flags.jobs)) {
    return Status::Internal("the partitions of the concurrent jobs are not all complete: " +
                            counted);
  }
  std::filesystem::remove_all(dir + "/warehouse");
  return concurrent;
}

// One kind of run of the CPU table: per repetition its wall seconds, otsync's and otsd's CPU.
struct CpuRow {
  std::string what;
  std::vector<double> seconds, otsync_cpu, otsd_cpu;
};

// Where the CPU of the export goes, and what the bar of 0.8 of the limit leaves for it: on this
// machine's cores, the export within rows / (0.8 x limit) seconds can use at most that many
// seconds of each core, for otsync and otsd together.
void PrintCpuBudget(bool otsd_known, double rows, double limit_rate,
                    const std::vector<CpuRow>& runs) {
  std::cout << "\nWhere the CPU goes (medians; otsync's from wait4, otsd's from /proc during each "
               "run"
            << (otsd_known ? "" : ", unknown without --otsd-pid") << "):\n\n";
  std::cout << "| run | seconds | otsync CPU-s | otsd CPU-s | together, CPU-s | cores busy |\n";
  std::cout << "|---|---:|---:|---:|---:|---:|\n";
  for (const CpuRow& run : runs) {
    std::vector<double> together;
    for (size_t i = 0; i < run.seconds.size(); ++i) {
      together.push_back(run.otsync_cpu[i] + run.otsd_cpu[i]);
    }
    const double seconds = Median(run.seconds);
    std::cout << "| " << run.what << " | " << Fixed(seconds, 3) << " | "
              << Fixed(Median(run.otsync_cpu), 2) << " | "
              << (otsd_known ? Fixed(Median(run.otsd_cpu), 2) : "—") << " | "
              << (otsd_known ? Fixed(Median(together), 2) : "—") << " | "
              << (otsd_known ? Fixed(Median(together) / seconds, 2) : "—") << " |\n";
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const double bar_seconds = rows / (0.8 * limit_rate);
  std::cout << "\nExport >= 0.8 of the limit is the export within " << Fixed(bar_seconds, 3)
            << " s: on " << cores << " cores, at most " << Fixed(bar_seconds * cores, 2)
            << " CPU-s for otsync and otsd together, start and end included.\n";
}

int Export(const Flags& flags, const std::string& self) {
  if (flags.otsd.url.empty() || flags.otsync.empty() || flags.work_dir.empty()) {
    std::cerr << "export_bench: --endpoint, --otsync and --work-dir are required\n";
    return 2;
  }
  if (flags.shards != 1 && flags.shards != 2 && flags.shards != 4) {
    std::cerr << "export_bench: --shards must be 1, 2 or 4\n";
    return 2;
  }
  if (flags.writer != "odps" && flags.writer != "txtfile" && flags.writer != "discard") {
    std::cerr << "export_bench: --writer must be odps, txtfile or discard\n";
    return 2;
  }
  int64_t records = flags.records;
  if (records <= 0) {
    records = 0;
    for (int64_t rows = 0; rows < flags.rows; ++records)
      rows += OutputRowsOf(KindOf(flags.mix, records));
  }
  const int64_t output_rows = OutputRows(flags.mix, records);
  // The odps writer-alone baseline makes PUT-shaped rows only.
  const bool writer_baseline = !flags.no_baseline && flags.writer == "odps" && !flags.mix;
  // The raw append makes the same rows as the writer baseline; the limit is set beside both.
  const bool limit = writer_baseline && !flags.otsd_data_dir.empty();

  Result<std::unique_ptr<client::Client>> created =
      client::Client::Create(flags.otsd.ClientOptions(static_cast<size_t>(flags.threads) + 2));
  if (!created.ok()) return Fail("client", created.status());
  client::Client& ots = **created;

  // The window: from 15 minutes before the first record's stamp to 5 minutes past the last
  // one's (otsd stamps them `clock_offset` away from now), in Asia/Shanghai as the seed's
  // startTimeString/endTimeString.
  const int64_t now_millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  const int64_t offset_millis = int64_t{flags.clock_offset_minutes} * 60'000;
  const int64_t start_millis = now_millis + offset_millis - 15 * 60'000;
  int64_t end_millis = 0;  // Known once the writes are done.

  wire::TableDescription table;
  table.name = flags.table;
  table.primary_key = {{"id", wire::PrimaryKeyType::kString, false}};
  table.stream.enabled = true;
  table.stream.expiration_hours = 24;
  if (Status status = ots.CreateTable(table); !status.ok()) return Fail("CreateTable", status);
  if (Status status = SplitShards(flags); !status.ok()) return Fail("splitting shards", status);
  double ingest_seconds = 0;
  if (Status status = Ingest(ots, flags, records, &ingest_seconds); !status.ok()) {
    return Fail("BatchWriteRow", status);
  }
  std::cerr << "export_bench: wrote " << records << " records in " << Fixed(ingest_seconds, 1)
            << " s\n";
  const int64_t written_millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  end_millis = written_millis + offset_millis + 5 * 60'000;
  if (end_millis > written_millis - 5 * 60'000) {
    std::cerr << "export_bench: --clock-offset-minutes must be -11 or less (the window must end "
                 "5 minutes before now)\n";
    return 2;
  }
  const sync::TimeZone zone = sync::TimeZone::Shanghai();
  const std::string start_time = sync::FormatCompactDateTime(start_millis, zone);
  const std::string end_time = sync::FormatCompactDateTime(end_millis, zone);

  std::vector<std::string> captured;
  int64_t captured_records = 0;
  if (Status status = CaptureStream(ots, flags, &captured, &captured_records); !status.ok()) {
    return Fail("decode-only capture", status);
  }
  if (captured_records != records) {
    return Fail("decode-only capture",
                Status::Internal("read " + std::to_string(captured_records) + " records, wrote " +
                                 std::to_string(records)));
  }
  size_t captured_bytes = 0;
  for (const std::string& body : captured) captured_bytes += body.size();
  // Opened after the writes, so that it sees them all.
  std::unique_ptr<otsync::bench::RawStreamScan> raw_scan;
  std::string scan_placement;
  if (limit) {
    const std::string secondary = flags.work_dir + "/otsd-secondary";
    std::filesystem::remove_all(secondary);
    std::filesystem::create_directories(secondary);
    Result<std::unique_ptr<otsync::bench::RawStreamScan>> opened =
        otsync::bench::RawStreamScan::Open(flags.otsd_data_dir, secondary,
                                           {flags.otsd.instance, flags.table});
    if (!opened.ok()) return Fail("raw scan", opened.status());
    raw_scan = std::move(*opened);
    scan_placement = raw_scan->Placement();
  }

  std::vector<double> export_seconds, export_rss, baseline_seconds, baseline_rss, decode_seconds;
  std::vector<double> jobs_seconds, holds, waits;  // --jobs
  // The limit (output rows/s, per repetition): scan, append, limit, export / limit,
  // writer alone / raw append.
  std::vector<double> scan_rates, append_rates, limit_rates, export_limit, writer_append;
  // Where the CPU goes (with the limit): the export's and, on the same records, its read side
  // alone (the same job with the discarding `stream` writer); otsync's and otsd's CPU seconds.
  std::vector<double> export_cpu, export_otsd_cpu, read_seconds, read_cpu, read_otsd_cpu;
  int64_t scanned_bytes = 0;
  for (int r = 0; r < flags.repetitions; ++r) {
    Result<ExportRun> exported = RunExport(flags, self, r, start_time, end_time, output_rows);
    if (!exported.ok()) return Fail("otsync run", exported.status());
    export_seconds.push_back(exported->seconds);
    export_rss.push_back(exported->max_rss_mib);
    export_cpu.push_back(exported->cpu_seconds);
    export_otsd_cpu.push_back(exported->otsd_cpu_seconds);
    std::cerr << "export_bench: repetition " << r + 1 << ": otsync run "
              << Fixed(exported->seconds, 2) << " s, peak RSS " << Fixed(exported->max_rss_mib, 1)
              << " MiB";
    Result<double> decoded = DecodeOnly(captured, records);
    if (!decoded.ok()) return Fail("decode-only", decoded.status());
    decode_seconds.push_back(*decoded);
    std::cerr << "; decode-only " << Fixed(*decoded, 3) << " s";
    if (writer_baseline) {
      double seconds = 0;
      Result<ChildRun> baseline =
          RunBaseline(flags, r, self, "writer-baseline", output_rows, &seconds);
      if (!baseline.ok()) return Fail("writer baseline", baseline.status());
      baseline_seconds.push_back(seconds);
      baseline_rss.push_back(baseline->max_rss_mib);
      std::cerr << "; writer alone " << Fixed(seconds, 2) << " s";
    }
    if (limit) {
      Result<otsync::bench::RawScanPass> pass = raw_scan->Pass();
      if (!pass.ok()) return Fail("raw scan", pass.status());
      if (pass->records != records) {
        return Fail("raw scan", Status::Internal("iterated " + std::to_string(pass->records) +
                                                 " records, wrote " + std::to_string(records)));
      }
      scanned_bytes = pass->bytes;
      double append_seconds = 0;
      Result<ChildRun> appended =
          RunBaseline(flags, r, self, "raw-append", output_rows, &append_seconds);
      if (!appended.ok()) return Fail("raw append", appended.status());
      const double rows = static_cast<double>(output_rows);
      scan_rates.push_back(rows / pass->seconds);
      append_rates.push_back(rows / append_seconds);
      limit_rates.push_back(1 / (1 / scan_rates.back() + 1 / append_rates.back()));
      export_limit.push_back(rows / export_seconds.back() / limit_rates.back());
      writer_append.push_back(rows / baseline_seconds.back() / append_rates.back());
      std::cerr << "; raw scan " << Fixed(pass->seconds, 3) << " s; raw append "
                << Fixed(append_seconds, 2) << " s";
      Flags discarding = flags;
      discarding.writer = "discard";
      Result<ExportRun> read_side =
          RunExport(discarding, self, flags.repetitions + r, start_time, end_time, output_rows);
      if (!read_side.ok()) return Fail("read side alone", read_side.status());
      read_seconds.push_back(read_side->seconds);
      read_cpu.push_back(read_side->cpu_seconds);
      read_otsd_cpu.push_back(read_side->otsd_cpu_seconds);
      std::cerr << "; read side alone " << Fixed(read_side->seconds, 2) << " s";
    }
    if (flags.jobs > 1) {
      Result<ConcurrentRun> concurrent =
          RunConcurrent(flags, self, r, start_time, end_time, output_rows);
      if (!concurrent.ok()) return Fail("concurrent jobs", concurrent.status());
      jobs_seconds.push_back(concurrent->seconds);
      holds.insert(holds.end(), concurrent->hold_millis.begin(), concurrent->hold_millis.end());
      waits.insert(waits.end(), concurrent->wait_millis.begin(), concurrent->wait_millis.end());
      std::cerr << "; " << flags.jobs << " jobs at once " << Fixed(concurrent->seconds, 2) << " s";
    }
    std::cerr << "\n";
  }

  const double rows = static_cast<double>(output_rows);
  const double export_rate = rows / Median(export_seconds);
  const double decode_median = Median(decode_seconds);
  const std::string what = flags.mix
                               ? "records (PUT/UPDATE/DELETE mix 6:3:1; 6, 4 and 1 output rows)"
                               : "PUT records (5 attribute columns each; DR + 5 U)";
  std::cout << "Stream records: " << records << " " << what << " in " << flags.shards
            << " shards, written at " << Rate(static_cast<double>(records) / ingest_seconds)
            << " records/s (BatchWriteRow of " << flags.batch << ", " << flags.threads
            << " threads); output rows: " << output_rows << "; " << captured.size()
            << " GetStreamRecord responses, " << captured_bytes / static_cast<size_t>(records)
            << " B per record. Writer: " << flags.writer << ". Median of " << flags.repetitions
            << " repetitions; load average now " << LoadAverage() << ".\n\n";
  std::cout << "| measure | otsync run (otsstream -> " << flags.writer
            << "), whole process | decode-only, same records | export / decode |"
            << (writer_baseline ? " odps writer alone, same rows | export / writer |" : "") << "\n";
  std::cout << "|---|---:|---:|---:|" << (writer_baseline ? "---:|---:|" : "") << "\n";
  const double decode_rate = rows / decode_median;
  std::string baseline_rate_cell, baseline_seconds_cell, baseline_rss_cell;
  if (writer_baseline) {
    const double baseline_rate = rows / Median(baseline_seconds);
    baseline_rate_cell =
        " " + Rate(baseline_rate) + " | " + Fixed(export_rate / baseline_rate, 2) + " |";
    baseline_seconds_cell = " " + Fixed(Median(baseline_seconds), 2) + " | |";
    baseline_rss_cell = " " + Fixed(Median(baseline_rss), 1) + " | |";
  }
  std::cout << "| output rows/s | " << Rate(export_rate) << " | " << Rate(decode_rate) << " | "
            << Fixed(export_rate / decode_rate, 3) << " |" << baseline_rate_cell << "\n";
  std::cout << "| stream records/s | "
            << Rate(static_cast<double>(records) / Median(export_seconds)) << " | "
            << Rate(static_cast<double>(records) / decode_median) << " | |"
            << (writer_baseline ? " | |" : "") << "\n";
  std::cout << "| seconds | " << Fixed(Median(export_seconds), 2) << " | "
            << Fixed(decode_median, 3) << " | |" << baseline_seconds_cell << "\n";
  std::cout << "| peak RSS (ru_maxrss), MiB | " << Fixed(Median(export_rss), 1) << " (max "
            << Fixed(*std::max_element(export_rss.begin(), export_rss.end()), 1)
            << ") | (in export_bench) | |" << baseline_rss_cell << "\n";
  if (limit) {
    const double median_scan = Median(scan_rates);
    std::cout
        << "\nThe limit no design can pass: the raw scan (a RocksDB iterator over the "
           "stream-records column family of otsd's data directory, opened as a secondary "
           "instance; "
        << records << " records, " << scanned_bytes / records
        << " B of key and value per record; the column family at open: " << scan_placement
        << ") and the raw append (the same output rows as "
           "DuckDB data chunks, written as Parquet with the warehouse's settings and synced). "
           "Limit = 1 / (1/scan + 1/append); ratios are medians of the per-repetition "
           "ratios.\n\n";
    std::cout << "| measure | output rows/s | baseline, output rows/s | ratio |\n";
    std::cout << "|---|---:|---:|---:|\n";
    std::cout << "| raw scan, same records | " << Rate(median_scan) << " ("
              << Rate(median_scan / kRowsPerRecord) << " records/s) | | |\n";
    std::cout << "| raw append, same rows | " << Rate(Median(append_rates)) << " | | |\n";
    std::cout << "| limit = 1 / (1/scan + 1/append) | " << Rate(Median(limit_rates)) << " | | |\n";
    std::cout << "| export / limit | " << Rate(export_rate) << " | " << Rate(Median(limit_rates))
              << " | " << Fixed(Median(export_limit), 3) << " |\n";
    std::cout << "| odps writer alone / raw append | " << Rate(rows / Median(baseline_seconds))
              << " | " << Rate(Median(append_rates)) << " | " << Fixed(Median(writer_append), 3)
              << " |\n";
    PrintCpuBudget(flags.otsd_pid > 0, rows, Median(limit_rates),
                   {{"export (otsstream -> odps)", export_seconds, export_cpu, export_otsd_cpu},
                    {"its read side alone: the same job, same records, with the discarding "
                     "`stream` writer",
                     read_seconds, read_cpu, read_otsd_cpu}});
  }
  if (flags.jobs > 1) {
    const double together = rows * flags.jobs / Median(jobs_seconds);
    std::cout << "\n| " << flags.jobs
              << " jobs at once into one warehouse | total output rows/s | one job alone, "
                 "output rows/s | ratio | commit lock held, ms: median / max | waited for "
                 "other commits, ms: median / max |\n|---|---:|---:|---:|---:|---:|\n| median of "
              << flags.repetitions << " | " << Rate(together) << " | " << Rate(export_rate) << " | "
              << Fixed(together / export_rate, 2) << " | " << Fixed(Median(holds), 1) << " / "
              << Fixed(*std::max_element(holds.begin(), holds.end()), 1) << " | "
              << Fixed(Median(waits), 1) << " / "
              << Fixed(*std::max_element(waits.begin(), waits.end()), 1) << " |\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "--spawn") {
    return Spawn(std::vector<std::string>(argv + 4, argv + argc), argv[2], argv[3]);
  }
  CLI::App app{
      "End-to-end export rate (otsync run, otsstream -> odps) beside the odps writer alone "
      "(markdown report on stdout)"};
  Flags flags;
  app.add_option("--mode", flags.mode,
                 "export, or writer-baseline / raw-append (run by export itself)")
      ->capture_default_str();
  AddOtsdEndpointOptions(app, &flags.otsd, "otsd URL (otsd started with --clock-offset)");
  app.add_option("--otsync", flags.otsync, "the otsync binary");
  app.add_option("--work-dir", flags.work_dir, "scratch directory");
  app.add_option("--rows", flags.rows, "output rows (records = ceil(rows / 6))")
      ->capture_default_str();
  app.add_option("--shards", flags.shards, "1, 2 or 4")->capture_default_str();
  app.add_option("--threads", flags.threads, "client threads writing")->capture_default_str();
  app.add_option("--batch", flags.batch, "rows per BatchWriteRow")->capture_default_str();
  app.add_option("--repetitions", flags.repetitions)->capture_default_str();
  app.add_option("--clock-offset-minutes", flags.clock_offset_minutes,
                 "otsd's --clock-offset in minutes (<= -11)")
      ->capture_default_str();
  app.add_option("--table", flags.table)->capture_default_str();
  app.add_flag("--no-baseline", flags.no_baseline, "skip the writer-alone baseline");
  app.add_option("--warehouse", flags.warehouse,
                 "writer-baseline: the warehouse; raw-append: the folder of its files");
  app.add_option("--otsd-data-dir", flags.otsd_data_dir,
                 "otsd's --data-dir, opened read-only as a RocksDB secondary: adds the raw scan, "
                 "the raw append and the limit they imply (odps writer, PUT only)");
  app.add_option("--writer", flags.writer, "odps, txtfile or discard (stream, print false)")
      ->capture_default_str();
  app.add_flag("--mix", flags.mix, "PUT/UPDATE/DELETE mix (6:3:1) instead of PUT only");
  app.add_option("--records", flags.records, "stream records (0: derived from --rows)")
      ->capture_default_str();
  app.add_option("--jobs", flags.jobs,
                 "also run this many jobs at once into one warehouse (odps writer)")
      ->capture_default_str();
  app.add_option("--otsd-pid", flags.otsd_pid,
                 "otsd's pid: its CPU time during each export run, in the CPU table")
      ->capture_default_str();
  app.add_option("--decode-limit", flags.decode_limit,
                 "GetStreamRecord limit of the decode-only capture")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (flags.rows < 1 || flags.threads < 1 || flags.batch < 1 || flags.repetitions < 1 ||
      flags.jobs < 1) {
    std::cerr << "export_bench: numeric flags must be >= 1\n";
    return 2;
  }
  if (flags.mode == "writer-baseline") return WriterBaseline(flags);
  if (flags.mode == "raw-append") return RawAppend(flags);
  if (flags.mode != "export") {
    std::cerr << "export_bench: --mode must be export, writer-baseline or raw-append\n";
    return 2;
  }
  std::error_code error;
  std::string self = std::filesystem::read_symlink("/proc/self/exe", error).string();
  if (error) self = argv[0];
  return Export(flags, self);
}
