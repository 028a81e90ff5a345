// stream_read_bench: the GetStreamRecord read rate of a whole stream shard, decoded by the C++
// client over loopback, beside a decode-only pass over the same response bytes captured in the
// same run (no network, no server).
//
//   setup:        a stream-enabled table on a real otsd gets --records rows (one STRING PK, five
//                 attribute columns, distinct keys: one PUT record each) by BatchWriteRow of
//                 --batch rows from --threads client threads (its rate is reported too);
//   capture:      one untimed pass over every shard keeps the response bytes;
//   read:         GetShardIterator (oldest record) + GetStreamRecord(--limit) until caught up,
//                 every record decoded into a reused StreamRecordBatch;
//   read, no MD5: the same with ClientOptions::verify_response_md5 off (a second client), to
//                 show the share of the response-body MD5 check;
//   decode-only:  DecodeStreamRecordResponse over the captured bytes, same batch reuse.
//
// Beside the rates, where the time of a read goes: otsd's CPU time (from /proc/<pid>/stat) and
// this process's CPU time per record. Timing is this program's own (std::chrono::steady_clock);
// every figure is the median of --repetitions runs. Output is a markdown report on stdout.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "client/client.h"

namespace {

using otsync::Result;
using otsync::Status;
using otsync::bench::Filler;
using otsync::bench::Fixed;
using otsync::bench::Median;
using otsync::bench::Mix;
using otsync::bench::OwnCpuSeconds;
using otsync::bench::ProcessCpu;
using otsync::bench::Rate;
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
  int records = 1000000;
  int batch = 200;
  int threads = 4;
  int limit = 1000;  // otsd's maximum (store::kMaxStreamRecordLimit).
  int repetitions = 5;
  std::string table = "stream_read_bench";
};

// The rows of otsd_ingest_bench: one STRING PK, five attributes, ~150 B of names and values.
wire::Row MakeRow(int i) {
  char key[24];
  std::snprintf(key, sizeof(key), "%016llx", static_cast<unsigned long long>(Mix(i)));
  wire::Row row;
  row.primary_key = {{"pk", wire::Value::String(key)}};
  row.cells = {
      {"name", wire::Value::String(Filler(i, 20)), std::nullopt},
      {"email", wire::Value::String(Filler(i + 7, 52) + "@example.org"), std::nullopt},
      {"age", wire::Value::Integer(18 + i % 70), std::nullopt},
      {"balance", wire::Value::Double(i * 0.25), std::nullopt},
      {"active", wire::Value::Boolean(i % 3 != 0), std::nullopt},
  };
  return row;
}

Status Ingest(client::Client& ots, const Flags& flags, double* seconds) {
  const int64_t batches = (flags.records + flags.batch - 1) / flags.batch;
  OTSYNC_ASSIGN_OR_RETURN(*seconds, RunBatches(batches, flags.threads, [&](int64_t b) {
    std::vector<wire::TableWrites> tables(1);
    tables[0].table_name = flags.table;
    for (int64_t i = b * flags.batch; i < std::min<int64_t>(flags.records, (b + 1) * flags.batch);
         ++i) {
      wire::RowWrite write;
      write.type = wire::WriteType::kPut;
      write.row = MakeRow(static_cast<int>(i));
      tables[0].rows.push_back(std::move(write));
    }
    return WriteAll(ots, tables);
  }));
  return Status::OK();
}

struct ReadPass {
  size_t records = 0;
  size_t calls = 0;
  size_t bytes = 0;
};

// Reads every shard from its oldest record until it is caught up (an open shard answers no
// records) or closed (no next iterator). `on_response` sees each batch.
Status CheckOrder(const client::StreamRecordBatch& batch, int64_t* last_timestamp) {
  for (const client::StreamRecord& record : batch.records()) {
    if (record.sequence.timestamp <= *last_timestamp) {
      return Status::Internal("stream records out of commit order");
    }
    *last_timestamp = record.sequence.timestamp;
  }
  return Status::OK();
}

// Reads every shard from its oldest record until it is caught up (an open shard answers no
// records) or closed (no next iterator), GetStreamRecord after GetStreamRecord into one reused
// batch. `on_response` sees each batch.
Status ReadShards(client::Client& ots, const std::vector<client::StreamShard>& shards,
                  const std::string& stream_id, int limit, client::StreamRecordBatch* batch,
                  ReadPass* pass,
                  const std::function<void(const client::StreamRecordBatch&)>& on_response) {
  for (const client::StreamShard& shard : shards) {
    OTSYNC_ASSIGN_OR_RETURN(std::string iterator, ots.GetShardIterator(stream_id, shard.shard_id));
    int64_t last_timestamp = 0;
    auto take = [&]() -> Status {
      ++pass->calls;
      pass->bytes += batch->response_bytes().size();
      pass->records += batch->size();
      if (on_response) on_response(*batch);
      return CheckOrder(*batch, &last_timestamp);
    };
    while (true) {
      OTSYNC_RETURN_IF_ERROR(ots.GetStreamRecord(iterator, limit, batch));
      OTSYNC_RETURN_IF_ERROR(take());
      if (!batch->next_shard_iterator() || batch->empty()) break;
      iterator = *batch->next_shard_iterator();
    }
  }
  return Status::OK();
}

int Fail(const std::string& what, const Status& status) {
  std::cerr << "stream_read_bench: " << what << ": " << status.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"GetStreamRecord read rate beside decode-only (markdown report on stdout)"};
  Flags flags;
  AddOtsdEndpointOptions(app, &flags.otsd, "otsd URL")->required();
  app.add_option("--otsd-pid", flags.otsd_pid, "pid of otsd, for its CPU time");
  app.add_option("--records", flags.records, "rows written = records read")->capture_default_str();
  app.add_option("--batch", flags.batch, "rows per BatchWriteRow")->capture_default_str();
  app.add_option("--threads", flags.threads, "client threads writing")->capture_default_str();
  app.add_option("--limit", flags.limit, "GetStreamRecord limit")->capture_default_str();
  app.add_option("--repetitions", flags.repetitions)->capture_default_str();
  app.add_option("--table", flags.table)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (flags.records < 1 || flags.batch < 1 || flags.threads < 1 || flags.limit < 1 ||
      flags.repetitions < 1) {
    std::cerr << "stream_read_bench: numeric flags must be >= 1\n";
    return 2;
  }

  client::ClientOptions options = flags.otsd.ClientOptions(static_cast<size_t>(flags.threads) + 2);
  Result<std::unique_ptr<client::Client>> created = client::Client::Create(options);
  if (!created.ok()) return Fail("client", created.status());
  client::Client& ots = **created;
  options.verify_response_md5 = false;
  Result<std::unique_ptr<client::Client>> created_no_md5 = client::Client::Create(options);
  if (!created_no_md5.ok()) return Fail("client", created_no_md5.status());
  client::Client& ots_no_md5 = **created_no_md5;

  wire::TableDescription table;
  table.name = flags.table;
  table.primary_key = {{"pk", wire::PrimaryKeyType::kString, false}};
  table.stream.enabled = true;
  table.stream.expiration_hours = 24;
  if (Status status = ots.CreateTable(table); !status.ok()) return Fail("CreateTable", status);
  double ingest_seconds = 0;
  if (Status status = Ingest(ots, flags, &ingest_seconds); !status.ok()) {
    return Fail("BatchWriteRow", status);
  }
  std::cerr << "wrote " << flags.records << " rows in " << Fixed(ingest_seconds, 1) << " s\n";

  Result<std::vector<client::StreamInfo>> streams = ots.ListStream(flags.table);
  if (!streams.ok()) return Fail("ListStream", streams.status());
  if (streams->size() != 1) return Fail("ListStream", Status::Internal("expected one stream"));
  const std::string stream_id = (*streams)[0].stream_id;
  Result<client::StreamDescription> description = ots.DescribeStreamAllShards(stream_id);
  if (!description.ok()) return Fail("DescribeStream", description.status());
  const std::vector<client::StreamShard>& shards = description->shards;

  // Capture pass (untimed; also warms the connection and otsd's caches).
  client::StreamRecordBatch batch;
  std::vector<std::string> captured;
  ReadPass capture;
  if (Status status = ReadShards(ots, shards, stream_id, flags.limit, &batch, &capture,
                                 [&captured](const client::StreamRecordBatch& response) {
                                   captured.emplace_back(response.response_bytes());
                                 });
      !status.ok()) {
    return Fail("capture pass", status);
  }
  if (capture.records != static_cast<size_t>(flags.records)) {
    return Fail("capture pass",
                Status::Internal("read " + std::to_string(capture.records) + " records, wrote " +
                                 std::to_string(flags.records)));
  }

  // The read modes, each timed once per repetition, interleaved.
  struct Mode {
    std::string name;
    client::Client* client = nullptr;
    std::vector<double> rates, wall_us, otsd_cpu_us, client_cpu_us;
  };
  std::vector<Mode> modes(2);
  modes[0].name = "GetStreamRecord loop, decoded by the C++ client (default options)";
  modes[0].client = &ots;
  modes[1].name = "the same, response MD5 not verified (verify_response_md5 = false)";
  modes[1].client = &ots_no_md5;
  std::vector<double> decode_rates;
  const double count = static_cast<double>(flags.records);
  for (int rep = 0; rep < flags.repetitions; ++rep) {
    for (Mode& mode : modes) {
      ReadPass pass;
      const double otsd_cpu_before = ProcessCpu(flags.otsd_pid).own;
      const double own_cpu_before = OwnCpuSeconds();
      const Clock::time_point start = Clock::now();
      Status status =
          ReadShards(*mode.client, shards, stream_id, flags.limit, &batch, &pass, nullptr);
      const double seconds = Seconds(Clock::now() - start);
      const double own_cpu = OwnCpuSeconds() - own_cpu_before;
      const double otsd_cpu = ProcessCpu(flags.otsd_pid).own - otsd_cpu_before;
      if (!status.ok()) return Fail(mode.name, status);
      if (pass.records != capture.records) return Fail(mode.name, Status::Internal("count"));
      mode.rates.push_back(count / seconds);
      mode.wall_us.push_back(seconds * 1e6 / count);
      mode.otsd_cpu_us.push_back(otsd_cpu * 1e6 / count);
      mode.client_cpu_us.push_back(own_cpu * 1e6 / count);
    }

    // The decode-only pass gets its own copy of the bytes, made before the clock starts, so that
    // it decodes exactly what GetStreamRecord decodes: a body it takes over.
    std::vector<std::string> bodies = captured;
    size_t decoded = 0;
    const Clock::time_point decode_start = Clock::now();
    for (std::string& body : bodies) {
      if (Status decode = client::DecodeStreamRecordResponse(std::move(body), &batch);
          !decode.ok()) {
        return Fail("decode-only", decode);
      }
      decoded += batch.size();
    }
    const double decode_seconds = Seconds(Clock::now() - decode_start);
    if (decoded != capture.records) return Fail("decode-only", Status::Internal("count"));
    decode_rates.push_back(count / decode_seconds);

    std::cerr << "repetition " << rep + 1 << "/" << flags.repetitions << ":";
    for (const Mode& mode : modes) std::cerr << " " << Rate(mode.rates.back());
    std::cerr << " records/s; decode-only " << Rate(decode_rates.back()) << "\n";
  }

  const double decode = Median(decode_rates);
  std::cout << "Records: " << flags.records << " (one PUT per row; one STRING PK, five attribute "
            << "columns; " << capture.bytes / capture.records
            << " B of response per record), 1 stream, " << shards.size() << " shard(s); "
            << "GetStreamRecord limit " << flags.limit << " (" << capture.calls
            << " calls per pass); " << flags.repetitions << " repetitions (medians below).\n\n";
  std::cout << "| read mode (loopback, whole shard) | records/s | / decode-only | wall us/rec | "
               "otsd CPU us/rec | client CPU us/rec |\n|---|---:|---:|---:|---:|---:|\n";
  for (const Mode& mode : modes) {
    const double rate = Median(mode.rates);
    std::cout << "| " << mode.name << " | " << Rate(rate) << " | " << Fixed(rate / decode, 2)
              << " | " << Fixed(Median(mode.wall_us), 2) << " | "
              << Fixed(Median(mode.otsd_cpu_us), 2) << " | " << Fixed(Median(mode.client_cpu_us), 2)
              << " |\n";
  }
  std::cout << "| decode-only of the same response bytes (no network, no server) | " << Rate(decode)
            << " | 1.00 | " << Fixed(1e6 / decode, 2) << " | | |\n\n";
  std::cout << "Setup ingest (BatchWriteRow " << flags.batch << " rows, " << flags.threads
            << " threads, stream on, one pass into an empty table): "
            << Rate(count / ingest_seconds) << " rows/s.\n\n";
  const double default_rate = Median(modes[0].rates);
  double best = 0;
  for (const Mode& mode : modes) best = std::max(best, Median(mode.rates));
  std::cout << "Bar: stream read >= 500,000 records/s: "
            << (default_rate >= 500000 ? "met" : "NOT met") << " by the default GetStreamRecord "
            << "loop; best mode " << Rate(best) << " records/s ("
            << (best >= 500000 ? "met" : "NOT met") << ").\n";
  return 0;
}
