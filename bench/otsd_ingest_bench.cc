// otsd_ingest_bench: otsd's ingest and scan rates through the C++ client over loopback, each
// beside the raw RocksDB rate of the same rows measured in the same run, and otsd's peak RSS.
//
//   ingest:  BatchWriteRow of --batch rows (one STRING PK, five attribute columns) from
//            --threads client threads into a fresh table per repetition (the requests' rows made
//            before the timer starts, as the baseline's keys and values are);
//            baseline: RocksDB WriteBatches of the same rows (key = table prefix + PK, value =
//            the PlainBuffer row) from as many threads, WAL on, no fsync (otsd's default);
//            with --sync every batch fsyncs its WAL, as otsd's --durability=sync does (which
//            the caller starts otsd with: bench/run.sh's OTSD_FLAGS).
//   scan:    GetRange paging over a whole table of --rows rows, decoded into rows;
//            baseline: a RocksDB iterator over the same keys and values.
//
// Timing is this program's own (std::chrono::steady_clock); every figure is the median of
// --repetitions runs. Output is a markdown report on stdout.
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "client/client.h"
#include "wire/plain_buffer.h"

namespace {

using otsync::Result;
using otsync::Status;
using otsync::bench::Filler;
using otsync::bench::Fixed;
using otsync::bench::Median;
using otsync::bench::Mix;
using otsync::bench::OwnCpuSeconds;
using otsync::bench::ProcessCpu;
using otsync::bench::ProcessStatusKib;
using otsync::bench::Rate;
using otsync::bench::WaitUntilQuiet;
namespace client = otsync::client;
namespace wire = otsync::wire;
using otsync::bench::AddOtsdEndpointOptions;
using otsync::bench::Clock;
using otsync::bench::OtsdEndpoint;
using otsync::bench::RunBatches;
using otsync::bench::Seconds;
using otsync::bench::WriteAll;

struct Flags {
  OtsdEndpoint otsd;
  int otsd_pid = 0;
  int rows = 100000;
  int batch = 200;
  int threads = 4;
  int repetitions = 5;
  std::string rocksdb_dir;
  bool stream = false;
  bool sync = false;
};

// One STRING PK and five attributes: about 150 bytes of names and values per row.
std::vector<wire::Row> MakeRows(int count) {
  std::vector<wire::Row> rows(count);
  for (int i = 0; i < count; ++i) {
    char key[24];
    std::snprintf(key, sizeof(key), "%016llx", static_cast<unsigned long long>(Mix(i)));
    wire::Row& row = rows[i];
    row.primary_key = {{"pk", wire::Value::String(key)}};
    row.cells = {
        {"name", wire::Value::String(Filler(i, 20)), std::nullopt},
        {"email", wire::Value::String(Filler(i + 7, 52) + "@example.org"), std::nullopt},
        {"age", wire::Value::Integer(18 + i % 70), std::nullopt},
        {"balance", wire::Value::Double(i * 0.25), std::nullopt},
        {"active", wire::Value::Boolean(i % 3 != 0), std::nullopt},
    };
  }
  return rows;
}

size_t LogicalSize(const wire::Row& row) {
  size_t size = 0;
  for (const auto& column : row.primary_key) size += column.name.size() + column.value.DataSize();
  for (const auto& cell : row.cells) size += cell.name.size() + cell.value->DataSize();
  return size;
}

// ---------------------------------------------------------------------------------------------
// otsd through the client.

Status CreateBenchTable(client::Client& ots, const std::string& name, bool stream) {
  wire::TableDescription table;
  table.name = name;
  table.primary_key = {{"pk", wire::PrimaryKeyType::kString, false}};
  if (stream) {
    table.stream.enabled = true;
    table.stream.expiration_hours = 24;
  }
  return ots.CreateTable(table);
}

// The rows as the BatchWriteRow requests' writes (one table each), made before anything is
// timed, as the raw baseline's keys and values are: copying rows into requests is neither the
// client's work nor otsd's.
std::vector<std::vector<wire::TableWrites>> MakeBatches(const std::vector<wire::Row>& rows,
                                                        int batch_size) {
  std::vector<std::vector<wire::TableWrites>> batches;
  for (size_t begin = 0; begin < rows.size(); begin += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(rows.size(), begin + static_cast<size_t>(batch_size));
    wire::TableWrites& writes = batches.emplace_back(1).front();
    writes.rows.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      wire::RowWrite& write = writes.rows.emplace_back();
      write.type = wire::WriteType::kPut;
      write.row = rows[i];
    }
  }
  return batches;
}

// Writes `batches` into `table` from flags.threads threads; the time from the first request to
// the last answer.
Result<double> OtsdIngest(client::Client& ots, const std::string& table,
                          std::vector<std::vector<wire::TableWrites>>& batches,
                          const Flags& flags) {
  for (std::vector<wire::TableWrites>& batch : batches) batch.front().table_name = table;
  return RunBatches(static_cast<int64_t>(batches.size()), flags.threads,
                    [&](int64_t b) -> Status { return WriteAll(ots, batches[b]); });
}

Result<double> OtsdScan(client::Client& ots, const std::string& table, size_t expected_rows) {
  wire::RangeRequest range;
  range.inclusive_start = {{"pk", wire::Value::InfMin()}};
  range.exclusive_end = {{"pk", wire::Value::InfMax()}};
  size_t seen = 0;
  const Clock::time_point start = Clock::now();
  OTSYNC_RETURN_IF_ERROR(ots.ScanRange(table, range, [&seen](std::vector<wire::Row>& batch) {
    seen += batch.size();
    return Status::OK();
  }));
  const double elapsed = Seconds(Clock::now() - start);
  if (seen != expected_rows) {
    return Status::Internal("GetRange returned " + std::to_string(seen) + " rows, expected " +
                            std::to_string(expected_rows));
  }
  return elapsed;
}

// ---------------------------------------------------------------------------------------------
// Raw RocksDB baseline.

Status FromRocks(const rocksdb::Status& status) {
  return status.ok() ? Status::OK() : Status::IOError(status.ToString());
}

std::string RawPrefix(int table_id) {
  std::string prefix = "r";
  for (int shift = 24; shift >= 0; shift -= 8)
    prefix.push_back(static_cast<char>(table_id >> shift));
  return prefix;
}

Result<double> RawIngest(rocksdb::DB* db, int table_id, const std::vector<std::string>& keys,
                         const std::vector<std::string>& values, const Flags& flags) {
  const std::string prefix = RawPrefix(table_id);
  const int batches = (static_cast<int>(keys.size()) + flags.batch - 1) / flags.batch;
  rocksdb::WriteOptions write_options;
  write_options.sync = flags.sync;
  return RunBatches(batches, flags.threads, [&](int64_t b) -> Status {
    rocksdb::WriteBatch batch;
    const size_t begin = static_cast<size_t>(b) * flags.batch;
    const size_t end = std::min(keys.size(), begin + flags.batch);
    std::string key;
    for (size_t i = begin; i < end; ++i) {
      key.assign(prefix).append(keys[i]);
      batch.Put(key, values[i]);
    }
    return FromRocks(db->Write(write_options, &batch));
  });
}

Result<double> RawScan(rocksdb::DB* db, int table_id, size_t expected_rows) {
  const std::string prefix = RawPrefix(table_id);
  std::string upper = RawPrefix(table_id + 1);
  rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  size_t seen = 0;
  size_t bytes = 0;
  const Clock::time_point start = Clock::now();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    bytes += it->key().size() + it->value().size();
    ++seen;
  }
  const double elapsed = Seconds(Clock::now() - start);
  OTSYNC_RETURN_IF_ERROR(FromRocks(it->status()));
  if (seen != expected_rows || bytes == 0) {
    return Status::Internal("raw scan saw " + std::to_string(seen) + " rows");
  }
  return elapsed;
}

// The client's own share of a scan: decoding the same rows from GetRange-sized PlainBuffer
// pages (5000 rows each, as otsd answers) in batches of Client::kScanBatchRows into one reused
// vector, as Client::ScanRange does, with no network and no server.
Result<double> DecodeOnly(const std::vector<wire::Row>& rows) {
  constexpr size_t kPageRows = 5000;
  std::vector<std::string> pages;
  for (size_t begin = 0; begin < rows.size(); begin += kPageRows) {
    std::string page;
    wire::PlainBufferWriter writer(&page);
    for (size_t i = begin; i < std::min(rows.size(), begin + kPageRows); ++i) {
      wire::Row stamped = rows[i];
      for (wire::Cell& cell : stamped.cells) cell.timestamp = 1700000000000;
      writer.AppendRow(stamped);
    }
    pages.push_back(std::move(page));
  }
  size_t seen = 0;
  std::vector<wire::Row> batch;  // Reused from batch to batch, as Client::ScanRange does.
  const Clock::time_point start = Clock::now();
  for (const std::string& page : pages) {
    wire::RowBatchDecoder decoder(page);
    while (!decoder.done()) {
      OTSYNC_RETURN_IF_ERROR(decoder.Next(client::Client::kScanBatchRows, &batch));
      seen += batch.size();
    }
  }
  const double elapsed = Seconds(Clock::now() - start);
  if (seen != rows.size()) return Status::Internal("decode-only saw the wrong row count");
  return elapsed;
}

std::string PeakRss(int pid) {
  const int64_t kib = pid > 0 ? ProcessStatusKib(pid, "VmHWM") : -1;
  if (kib < 0) return "n/a";
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(kib) / 1024.0);
  return text;
}

struct Figures {
  // rows/s per repetition
  std::vector<double> otsd_ingest, raw_ingest, otsd_scan, otsd_scan_unchecked, raw_scan,
      decode_only;
  // CPU microseconds per row of the scan, per repetition: otsd's and this process's.
  std::vector<double> scan_otsd_cpu, scan_client_cpu;
  // CPU microseconds per row of the ingests, per repetition, each until its flushes and
  // compactions are done: otsd's and this process's (the client) for otsd's ingest, this
  // process's (RocksDB's threads in it) for the raw one.
  std::vector<double> ingest_otsd_cpu, ingest_client_cpu, raw_ingest_cpu;
  // Seconds per repetition waited before its phases for the cores to be quiet.
  std::vector<double> quiet_wait;
};

int Fail(const std::string& what, const Status& status) {
  std::cerr << "otsd_ingest_bench: " << what << ": " << status.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"otsd ingest and scan rates beside raw RocksDB (markdown report on stdout)"};
  Flags flags;
  AddOtsdEndpointOptions(app, &flags.otsd, "otsd URL")->required();
  app.add_option("--otsd-pid", flags.otsd_pid, "pid of otsd, for its peak RSS");
  app.add_option("--rows", flags.rows, "rows per repetition")->capture_default_str();
  app.add_option("--batch", flags.batch, "rows per BatchWriteRow")->capture_default_str();
  app.add_option("--threads", flags.threads, "client threads")->capture_default_str();
  app.add_option("--repetitions", flags.repetitions)->capture_default_str();
  app.add_option("--rocksdb-dir", flags.rocksdb_dir, "directory for the raw RocksDB baseline")
      ->required();
  app.add_flag("--stream", flags.stream, "create the otsd tables with the stream enabled");
  app.add_flag("--sync", flags.sync,
               "the raw baseline fsyncs every batch (otsd started with --durability=sync)");
  CLI11_PARSE(app, argc, argv);
  if (flags.rows < 1 || flags.batch < 1 || flags.threads < 1 || flags.repetitions < 1) {
    std::cerr << "otsd_ingest_bench: --rows, --batch, --threads, --repetitions must be >= 1\n";
    return 2;
  }

  Result<std::unique_ptr<client::Client>> created =
      client::Client::Create(flags.otsd.ClientOptions(static_cast<size_t>(flags.threads) + 2));
  if (!created.ok()) return Fail("client", created.status());
  client::Client& ots = **created;
  // The same scan by a client that does not check the answers' x-ots-contentmd5, as the Java, Node
  // and Go SDKs do not by default (docs/protocol.md §1.6); otsync's client checks it by default.
  client::ClientOptions unchecked_options = flags.otsd.ClientOptions(2);
  unchecked_options.verify_response_md5 = false;
  Result<std::unique_ptr<client::Client>> created_unchecked =
      client::Client::Create(unchecked_options);
  if (!created_unchecked.ok()) return Fail("client", created_unchecked.status());
  client::Client& ots_unchecked = **created_unchecked;

  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.max_background_jobs = 2;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  rocksdb::DB* raw_db = nullptr;
  if (Status status = FromRocks(rocksdb::DB::Open(db_options, flags.rocksdb_dir, &raw_db));
      !status.ok()) {
    return Fail("open raw RocksDB", status);
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);

  const std::vector<wire::Row> rows = MakeRows(flags.rows);
  std::vector<std::string> raw_keys;
  std::vector<std::string> raw_values;
  size_t logical_bytes = 0;
  size_t encoded_bytes = 0;
  for (const wire::Row& row : rows) {
    raw_keys.push_back(row.primary_key[0].value.bytes());
    raw_values.push_back(wire::EncodeRow(row));
    logical_bytes += LogicalSize(row);
    encoded_bytes += raw_values.back().size();
  }

  // Opens the keep-alive connections before anything is timed.
  if (Status status = CreateBenchTable(ots, "bench_warmup", flags.stream); !status.ok()) {
    return Fail("CreateTable", status);
  }
  std::vector<std::vector<wire::TableWrites>> warmup_batches = MakeBatches(
      std::vector<wire::Row>(rows.begin(), rows.begin() + std::min<size_t>(rows.size(), 2000)),
      flags.batch);
  if (auto warm = OtsdIngest(ots, "bench_warmup", warmup_batches, flags); !warm.ok()) {
    return Fail("warm-up", warm.status());
  }

  std::vector<std::vector<wire::TableWrites>> batches = MakeBatches(rows, flags.batch);
  Figures figures;
  const double count = static_cast<double>(rows.size());
  for (int rep = 0; rep < flags.repetitions; ++rep) {
    const std::string table = "bench_ingest_" + std::to_string(rep);
    if (Status status = CreateBenchTable(ots, table, flags.stream); !status.ok()) {
      return Fail("CreateTable " + table, status);
    }
    // Each phase starts once the flushes and compactions the one before left (in otsd, or in
    // this process's raw RocksDB) are done, so that no phase shares the cores with another's
    // background work.
    double waited = WaitUntilQuiet(flags.otsd_pid);
    const double ingest_otsd_before = ProcessCpu(flags.otsd_pid).own;
    const double ingest_client_before = OwnCpuSeconds();
    Result<double> otsd_ingest = OtsdIngest(ots, table, batches, flags);
    if (!otsd_ingest.ok()) return Fail("otsd ingest", otsd_ingest.status());
    waited += WaitUntilQuiet(flags.otsd_pid);
    figures.ingest_otsd_cpu.push_back((ProcessCpu(flags.otsd_pid).own - ingest_otsd_before) * 1e6 /
                                      count);
    figures.ingest_client_cpu.push_back((OwnCpuSeconds() - ingest_client_before) * 1e6 / count);
    const double raw_before = OwnCpuSeconds();
    Result<double> raw_ingest = RawIngest(db.get(), rep, raw_keys, raw_values, flags);
    if (!raw_ingest.ok()) return Fail("raw ingest", raw_ingest.status());
    waited += WaitUntilQuiet(flags.otsd_pid);
    figures.raw_ingest_cpu.push_back((OwnCpuSeconds() - raw_before) * 1e6 / count);
    figures.quiet_wait.push_back(waited);
    const double otsd_cpu_before = ProcessCpu(flags.otsd_pid).own;
    const double client_cpu_before = OwnCpuSeconds();
    Result<double> otsd_scan = OtsdScan(ots, table, rows.size());
    if (!otsd_scan.ok()) return Fail("otsd scan", otsd_scan.status());
    figures.scan_client_cpu.push_back((OwnCpuSeconds() - client_cpu_before) * 1e6 / count);
    figures.scan_otsd_cpu.push_back((ProcessCpu(flags.otsd_pid).own - otsd_cpu_before) * 1e6 /
                                    count);
    Result<double> otsd_scan_unchecked = OtsdScan(ots_unchecked, table, rows.size());
    if (!otsd_scan_unchecked.ok()) return Fail("otsd scan", otsd_scan_unchecked.status());
    Result<double> raw_scan = RawScan(db.get(), rep, rows.size());
    if (!raw_scan.ok()) return Fail("raw scan", raw_scan.status());
    Result<double> decode_only = DecodeOnly(rows);
    if (!decode_only.ok()) return Fail("decode-only", decode_only.status());
    figures.decode_only.push_back(count / *decode_only);
    figures.otsd_ingest.push_back(count / *otsd_ingest);
    figures.raw_ingest.push_back(count / *raw_ingest);
    figures.otsd_scan.push_back(count / *otsd_scan);
    figures.otsd_scan_unchecked.push_back(count / *otsd_scan_unchecked);
    figures.raw_scan.push_back(count / *raw_scan);
    std::cerr << "repetition " << rep + 1 << "/" << flags.repetitions << ": otsd ingest "
              << Rate(figures.otsd_ingest.back()) << " rows/s, raw ingest "
              << Rate(figures.raw_ingest.back()) << ", otsd scan " << Rate(figures.otsd_scan.back())
              << ", raw scan " << Rate(figures.raw_scan.back()) << "\n";
  }

  const double otsd_ingest = Median(figures.otsd_ingest);
  const double raw_ingest = Median(figures.raw_ingest);
  const double otsd_scan = Median(figures.otsd_scan);
  const double otsd_scan_unchecked = Median(figures.otsd_scan_unchecked);
  const double raw_scan = Median(figures.raw_scan);
  char ratio_ingest[16];
  char ratio_scan[16];
  char ratio_scan_unchecked[16];
  std::snprintf(ratio_ingest, sizeof(ratio_ingest), "%.2f", otsd_ingest / raw_ingest);
  std::snprintf(ratio_scan, sizeof(ratio_scan), "%.2f", otsd_scan / raw_scan);
  std::snprintf(ratio_scan_unchecked, sizeof(ratio_scan_unchecked), "%.2f",
                otsd_scan_unchecked / raw_scan);

  std::cout << "Rows: " << rows.size() << " per repetition, " << flags.repetitions
            << " repetitions (medians below); " << logical_bytes / rows.size()
            << " B of names and values per row (" << encoded_bytes / rows.size()
            << " B as PlainBuffer); BatchWriteRow of " << flags.batch << " rows from "
            << flags.threads << " client threads; stream " << (flags.stream ? "on" : "off")
            << (flags.sync ? "; every write fsynced (otsd and raw)" : "") << ".\n\n";
  std::cout << "| measure | otsd (C++ client, loopback) | raw RocksDB, same rows | otsd / raw |\n";
  std::cout << "|---|---:|---:|---:|\n";
  std::cout << "| ingest, rows/s | " << Rate(otsd_ingest) << " | " << Rate(raw_ingest) << " | "
            << ratio_ingest << " |\n";
  std::cout << "| scan (GetRange, whole table), rows/s | " << Rate(otsd_scan) << " | "
            << Rate(raw_scan) << " | " << ratio_scan << " |\n";
  std::cout << "| scan, the client not checking the answers' MD5 (the Java, Node and Go SDKs' "
               "default), rows/s | "
            << Rate(otsd_scan_unchecked) << " | " << Rate(raw_scan) << " | " << ratio_scan_unchecked
            << " |\n";
  std::cout << "| ingest: CPU microseconds per row (flushes and compactions included), otsd / the "
               "client (this process) | "
            << Fixed(Median(figures.ingest_otsd_cpu), 2) << " / "
            << Fixed(Median(figures.ingest_client_cpu), 2) << " | "
            << Fixed(Median(figures.raw_ingest_cpu), 2) << " | |\n";
  std::cout << "| scan: CPU microseconds per row, otsd / the client (this process) | "
            << Fixed(Median(figures.scan_otsd_cpu), 2) << " / "
            << Fixed(Median(figures.scan_client_cpu), 2) << " | | |\n";
  std::cout << "| client decode-only of the same rows (no network, no server), rows/s | "
            << Rate(Median(figures.decode_only)) << " | | |\n";
  std::cout << "| otsd peak RSS (VmHWM) | " << PeakRss(flags.otsd_pid) << " | | |\n";
  std::cout << "\nEach phase (otsd ingest, raw ingest, the scans) started once neither otsd nor "
               "this process used more than 5 % of a core (their flushes and compactions done): "
            << Fixed(Median(figures.quiet_wait), 2) << " s waited per repetition (median).\n";
  std::cout << "\nBar: ingest >= 100,000 rows/s: " << (otsd_ingest >= 100000 ? "met" : "NOT met")
            << ".\n";
  return 0;
}
