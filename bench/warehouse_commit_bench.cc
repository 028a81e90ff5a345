// warehouse_commit_bench: what one small scheduled instance costs in the warehouse as the
// warehouse grows — the cost a scheduler running hundreds of tasks pays per instance.
//
//   setup:     a fresh warehouse (its own temporary folder) with the scheduler benchmark's table
//              bench_out(id, colname, version, colvalue, optype) PARTITIONED BY (task, pt).
//   steps:     --windows times, as one `otsync run` of a 5-minute window would: open the warehouse
//              (Warehouse::Open and DescribeTable: the manifest read and decoded), look the window
//              up in the ledger (FindCommittedWindow), load its partition task=t<i % --tasks>,pt=<i
//              / --tasks> with --rows rows (BeginLoad and AppendRow: DuckDB stages them) and commit
//              it with end checkpoints of --checkpoint-bytes bytes (the Parquet file written and
//              synced; the change encoded as a delta, written, synced and published; every
//              64th commit then also writes the whole state, after the lock, which the commit
//              part includes). Each step opens its own Warehouse, so nothing
//              decoded by an earlier step is reused, as in separate processes.
//   report:    per --bucket consecutive steps, the median of each part (open, find, load, commit)
//              and of their sum, and the sizes of the newest complete manifest and delta after the
//              bucket; the growth is the last bucket's median beside the first bucket's (the
//              baseline: the same work on an almost empty warehouse, in the same run).
//
// Timing is this program's own (std::chrono::steady_clock); nothing else runs in the process.
// Output is a markdown report on stdout.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.h"
#include "testing/temporary_directory.h"
#include "writers/odps/partition_spec.h"
#include "writers/odps/table_schema.h"
#include "writers/odps/warehouse.h"

namespace otsync::bench {
namespace {

constexpr char kTable[] =
    "bench_out(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING) "
    "PARTITIONED BY (task STRING, pt STRING)";

struct Flags {
  int windows = 3000;
  int tasks = 500;
  int rows = 3;
  int checkpoint_bytes = 300;
  int bucket = 250;
};

// The four parts of one step, in seconds.
struct StepTimes {
  double open = 0;
  double find = 0;
  double load = 0;
  double commit = 0;
  double total() const { return open + find + load + commit; }
};

Result<StepTimes> Step(const std::string& path, int index, const Flags& flags,
                       const std::string& checkpoints) {
  StepTimes times;
  const Clock::time_point started = Clock::now();
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<odps::Warehouse> warehouse, odps::Warehouse::Open(path));
  OTSYNC_ASSIGN_OR_RETURN(odps::TableSchema schema, warehouse->DescribeTable("bench_out"));
  const Clock::time_point opened = Clock::now();
  const std::string partition =
      "task=t" + std::to_string(index % flags.tasks) + ",pt=" + std::to_string(index / flags.tasks);
  const sync::WindowKey key{"source", "stream", index * 300'000LL, (index + 1) * 300'000LL};
  OTSYNC_ASSIGN_OR_RETURN(std::optional<sync::CommittedWindow> found,
                          warehouse->FindCommittedWindow("bench_out", partition, key));
  if (found.has_value()) return Status::Internal("window " + std::to_string(index) + " committed");
  const Clock::time_point looked_up = Clock::now();
  OTSYNC_ASSIGN_OR_RETURN(odps::PartitionValues values,
                          odps::ResolvePartition(schema, partition, /*truncate=*/true));
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<odps::PartitionLoad> load,
                          warehouse->BeginLoad(schema, values, /*truncate=*/true));
  for (int row = 0; row < flags.rows; ++row) {
    const std::string id = Filler(index * 131 + row, 12);
    odps::CellValue cells[5];
    cells[0] = {odps::CellValue::Kind::kText, 0, 0, id, {}};
    cells[1] = {odps::CellValue::Kind::kText, 0, 0, "name", {}};
    cells[2] = {odps::CellValue::Kind::kInteger, index * 1000LL + row, 0, {}, {}};
    cells[3] = {odps::CellValue::Kind::kText, 0, 0, "value", {}};
    cells[4] = {odps::CellValue::Kind::kText, 0, 0, "U", {}};
    OTSYNC_RETURN_IF_ERROR(load->AppendRow(cells));
  }
  const Clock::time_point loaded = Clock::now();
  OTSYNC_RETURN_IF_ERROR(load->Commit(sync::CommittedWindow{key, checkpoints, flags.rows}));
  const Clock::time_point committed = Clock::now();
  times.open = Seconds(opened - started);
  times.find = Seconds(looked_up - opened);
  times.load = Seconds(loaded - looked_up);
  times.commit = Seconds(committed - loaded);
  return times;
}

std::string Millis(double seconds) { return Fixed(seconds * 1000, 1); }

// The size of the newest file of the warehouse's manifest folder with `suffix`: ".manifest" (a
// complete state) or ".delta" (one commit's change).
int64_t NewestManifestFileBytes(const std::string& path, std::string_view suffix) {
  int64_t bytes = 0;
  std::string latest;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path + "/_manifests", error)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(suffix) && name > latest) {
      latest = name;
      bytes = static_cast<int64_t>(entry.file_size(error));
    }
  }
  return bytes;
}

Status Run(const Flags& flags) {
  otsync::testing::TemporaryDirectory folder("warehouse_commit_bench");
  const std::string path = folder.Child("warehouse");
  {
    OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<odps::Warehouse> warehouse,
                            odps::Warehouse::Open(path));
    OTSYNC_ASSIGN_OR_RETURN(odps::TableSchema schema, odps::ParseTableSpec(kTable));
    OTSYNC_RETURN_IF_ERROR(warehouse->CreateTable(schema));
  }
  // Checkpoints of the size the otsstream reader records for a one-shard window.
  const std::string checkpoints = Filler(7, static_cast<size_t>(flags.checkpoint_bytes));

  std::cout << "## Warehouse cost of one small instance as the warehouse grows\n\n"
            << flags.windows << " windows of " << flags.rows << " rows into partitions of "
            << flags.tasks << " tasks, end checkpoints of " << flags.checkpoint_bytes
            << " bytes; medians per " << flags.bucket << " windows, milliseconds.\n\n"
            << "| windows | open + describe | find window | load rows | commit | total | "
               "newest complete manifest, bytes | newest delta, bytes |\n"
            << "|---|---|---|---|---|---|---|---|\n";
  std::vector<double> first_totals;
  std::vector<double> last_totals;
  std::vector<std::vector<double>> parts(5);
  for (int index = 0; index < flags.windows; ++index) {
    OTSYNC_ASSIGN_OR_RETURN(StepTimes times, Step(path, index, flags, checkpoints));
    parts[0].push_back(times.open);
    parts[1].push_back(times.find);
    parts[2].push_back(times.load);
    parts[3].push_back(times.commit);
    parts[4].push_back(times.total());
    if ((index + 1) % flags.bucket != 0 && index + 1 != flags.windows) continue;
    std::cout << "| " << index + 1 - static_cast<int>(parts[4].size()) + 1 << "-" << index + 1;
    for (std::vector<double>& part : parts) std::cout << " | " << Millis(Median(part));
    std::cout << " | " << NewestManifestFileBytes(path, ".manifest") << " | "
              << NewestManifestFileBytes(path, ".delta") << " |\n";
    if (first_totals.empty()) first_totals = parts[4];
    last_totals = parts[4];
    for (std::vector<double>& part : parts) part.clear();
  }
  const double first = Median(first_totals);
  const double last = Median(last_totals);
  std::cout << "\nGrowth: the last bucket's median total " << Millis(last)
            << " ms beside the first bucket's " << Millis(first) << " ms (ratio "
            << Fixed(last / first, 2) << ").\n";
  return Status::OK();
}

}  // namespace
}  // namespace otsync::bench

int main(int argc, char** argv) {
  CLI::App app{"What one small instance costs in the warehouse as it grows (markdown on stdout)"};
  otsync::bench::Flags flags;
  app.add_option("--windows", flags.windows, "windows committed")->capture_default_str();
  app.add_option("--tasks", flags.tasks, "tasks the partitions belong to")->capture_default_str();
  app.add_option("--rows", flags.rows, "rows per window")->capture_default_str();
  app.add_option("--checkpoint-bytes", flags.checkpoint_bytes, "size of a window's checkpoints")
      ->capture_default_str();
  app.add_option("--bucket", flags.bucket, "windows per reported median")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (flags.windows < 1 || flags.tasks < 1 || flags.rows < 1 || flags.checkpoint_bytes < 0 ||
      flags.bucket < 1) {
    std::cerr << "warehouse_commit_bench: a numeric flag is out of range (see --help)\n";
    return 2;
  }
  otsync::Status status = otsync::bench::Run(flags);
  if (!status.ok()) {
    std::cerr << "warehouse_commit_bench: " << status.ToString() << "\n";
    return 1;
  }
  return 0;
}
