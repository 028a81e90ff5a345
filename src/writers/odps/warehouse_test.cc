#include "writers/odps/warehouse.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "testing/temporary_directory.h"
#include "writers/odps/duckdb_support.h"
#include "writers/odps/manifest_log.h"

namespace otsync::odps {
namespace {

class WarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void TearDown() override { warehouse_.reset(); }
  void Reopen() {
    warehouse_.reset();
    Result<std::unique_ptr<Warehouse>> opened = Warehouse::Open(dir_ + "/warehouse");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    warehouse_ = std::move(opened).value();
  }
  std::vector<std::vector<std::optional<std::string>>> Rows(const std::string& sql) {
    Result<QueryResult> result = warehouse_->Query(sql);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    return result.ok() ? result->rows : std::vector<std::vector<std::optional<std::string>>>{};
  }

  // Commits `load` as the window src/stream 0-1.
  static Status CommitTestWindow(PartitionLoad& load) {
    sync::CommittedWindow window;
    window.key = {"src", "stream", 0, 1};
    return load.Commit(window);
  }
  // The integers `sql` answers, row by row, run over the warehouse's Parquet files in a DuckDB
  // of its own; "FILES" in `sql` stands for their glob (parquet_metadata(FILES) and the like).
  std::vector<std::vector<int64_t>> QueryFiles(std::string sql) {
    Result<std::unique_ptr<DuckDbSession>> reader =
        DuckDbSession::OpenInMemory("64MB", dir_ + "/spill");
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return {};
    sql.replace(sql.find("FILES"), 5, QuoteLiteral(dir_ + "/warehouse/**/*.parquet"));
    QueryRows rows;
    Status status = RunQuery((*reader)->connection(), sql, &rows, "reading the files");
    EXPECT_TRUE(status.ok()) << status.ToString();
    std::vector<std::vector<int64_t>> answer(status.ok() ? rows.row_count() : 0);
    for (idx_t r = 0; r < answer.size(); ++r) {
      for (idx_t c = 0; c < rows.column_count(); ++c) answer[r].push_back(rows.Int64(c, r));
    }
    return answer;
  }

  otsync::testing::TemporaryDirectory directory_{"otsync_warehouse_test"};
  std::string dir_ = directory_.path().string();
  std::unique_ptr<Warehouse> warehouse_;
};

constexpr char kAllTypes[] =
    "typed(s STRING, b BIGINT, i INT, d DOUBLE, f FLOAT, ok BOOLEAN, dt DATETIME, day DATE, "
    "amount DECIMAL(10,2), raw BINARY) PARTITIONED BY (pt STRING, region STRING)";

CellValue Number(CellValue::Kind kind, int64_t integer, double number = 0) {
  CellValue cell;
  cell.kind = kind;
  cell.integer = integer;
  cell.number = number;
  return cell;
}

std::vector<CellValue> TypedRow(int n) {
  std::vector<CellValue> row(10);
  using Kind = CellValue::Kind;
  row[0].kind = Kind::kText;
  row[0].owned = "text " + std::to_string(n) + (n % 2 ? " \"quoted\", comma" : "");
  row[0].text = row[0].owned;
  row[1] = Number(Kind::kInteger, 1'000'000'000'000LL * n);
  row[2] = Number(Kind::kInteger, -n);
  row[3] = Number(Kind::kDouble, 0, n + 0.25);
  row[4] = Number(Kind::kDouble, 0, n * 0.5);
  row[5] = Number(Kind::kBoolean, n % 2);
  row[6] = Number(Kind::kTimestampMicros, 1508400000123000LL + n * 1000000LL);
  row[7] = Number(Kind::kDateDays, 17458 + n);
  row[8].kind = Kind::kText;
  row[8].owned = std::to_string(n) + ".5";
  row[8].text = row[8].owned;
  row[9].kind = Kind::kBlob;
  row[9].owned = std::string("\x00\xff", 2) + std::to_string(n);
  row[9].text = row[9].owned;
  if (n % 5 == 0) row[3] = CellValue{};  // some NULLs
  return row;
}

void LoadTyped(Warehouse& warehouse, const TableSchema& schema, const std::string& partition,
               int first, int count) {
  PartitionValues levels = ResolvePartition(schema, partition, true).value();
  Result<std::unique_ptr<PartitionLoad>> load = warehouse.BeginLoad(schema, levels, true);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  for (int n = first; n < first + count; ++n) {
    std::vector<CellValue> row = TypedRow(n);
    ASSERT_TRUE((*load)->AppendRow(row).ok());
  }
  sync::CommittedWindow window;
  window.key = {"src", "stream", first, first + count};
  ASSERT_TRUE((*load)->Commit(window).ok());
}

TEST_F(WarehouseTest, CreatesDescribesAndListsTablesAcrossReopen) {
  TableSchema schema = ParseTableSpec(kAllTypes).value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  Status again = warehouse_->CreateTable(schema);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  Reopen();
  Result<TableSchema> described = warehouse_->DescribeTable("TYPED");
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  EXPECT_EQ(*described, schema);
  EXPECT_EQ(warehouse_->ListTables().value(), std::vector<std::string>{"typed"});
  Result<TableSchema> missing = warehouse_->DescribeTable("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("table nope does not exist"), std::string::npos);
  EXPECT_EQ(Rows("SELECT column_name, data_type FROM information_schema.columns WHERE "
                 "table_name = 'typed' AND column_name IN ('dt', 'amount', 'raw') ORDER BY 1"),
            (std::vector<std::vector<std::optional<std::string>>>{
                {"amount", "DECIMAL(10,2)"}, {"dt", "TIMESTAMP"}, {"raw", "BLOB"}}));
}

TEST_F(WarehouseTest, MemoryIsLimitedAndTheLimitCanBeSet) {
  // The default bounds an uncommitted load of any size (invariant 5): not DuckDB's 80 % of RAM.
  EXPECT_EQ(Rows("SELECT current_setting('memory_limit')"),
            (std::vector<std::vector<std::optional<std::string>>>{{"91.5 MiB"}}));
  ASSERT_EQ(setenv("OTSYNC_WAREHOUSE_MEMORY_LIMIT", "1GB", 1), 0);
  Reopen();
  EXPECT_EQ(Rows("SELECT current_setting('memory_limit')"),
            (std::vector<std::vector<std::optional<std::string>>>{{"953.6 MiB"}}));
  warehouse_.reset();
  ASSERT_EQ(setenv("OTSYNC_WAREHOUSE_MEMORY_LIMIT", "lots", 1), 0);
  Result<std::unique_ptr<Warehouse>> bad = Warehouse::Open(dir_ + "/warehouse");
  ASSERT_EQ(unsetenv("OTSYNC_WAREHOUSE_MEMORY_LIMIT"), 0);
  EXPECT_FALSE(bad.ok());
  Reopen();
}

// DISTINCT over long strings does not spill in DuckDB: the query fails, and its error says how
// to give queries more memory.
TEST_F(WarehouseTest, AQueryOutOfMemorySaysHowToRaiseTheLimit) {
  ASSERT_EQ(setenv("OTSYNC_WAREHOUSE_MEMORY_LIMIT", "16MB", 1), 0);
  Reopen();
  ASSERT_EQ(unsetenv("OTSYNC_WAREHOUSE_MEMORY_LIMIT"), 0);
  Result<QueryResult> result = warehouse_->Query(
      "SELECT count(*) FROM (SELECT DISTINCT repeat('x', 300) || range::VARCHAR FROM "
      "range(300000))");
  ASSERT_FALSE(result.ok());
  const std::string message = result.status().message();
  EXPECT_NE(message.find("Out of Memory Error"), std::string::npos) << message;
  EXPECT_NE(message.find("otsync gives a warehouse query 16MB of memory: set "
                         "OTSYNC_WAREHOUSE_MEMORY_LIMIT"),
            std::string::npos)
      << message;
  Reopen();
}

TEST_F(WarehouseTest, AQueryLargerThanTheMemoryLimitSpillsToDisk) {
  // Sorting three million 57-byte strings needs about twice the 91.5 MiB limit: DuckDB must
  // spill into the warehouse's spill folder, which lies two levels below the warehouse.
  EXPECT_EQ(Rows("SELECT min(s), max(s) FROM (SELECT repeat('x', 50) || range::VARCHAR AS s "
                 "FROM range(3000000) ORDER BY s DESC)"),
            (std::vector<std::vector<std::optional<std::string>>>{
                {std::string(50, 'x') + "0", std::string(50, 'x') + "999999"}}));
  // What was spilled goes with the warehouse's handle.
  warehouse_.reset();
  std::error_code ignored;
  EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/warehouse/_spill", ignored));
}

// Loads stage rows in DuckDB data chunks of 2,048 rows (staging_chunk.h): rows on either side of
// a chunk's end keep their values and their NULLs (every fifth row's `d`), and no NULL of one
// chunk carries over into the next.
TEST_F(WarehouseTest, ALoadOfManyChunksKeepsEveryValueAndNull) {
  TableSchema schema = ParseTableSpec(kAllTypes).value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  LoadTyped(*warehouse_, schema, "pt=a,region=b", 0, 5000);
  EXPECT_EQ(Rows("SELECT count(*), count(d), sum(i), sum(b) // 1000000000000, count(DISTINCT s), "
                 "sum(amount), count(*) FILTER (ok) FROM typed"),
            (std::vector<std::vector<std::optional<std::string>>>{
                {"5000", "4000", "-12497500", "12497500", "5000", "12500000.00", "2500"}}));
  EXPECT_EQ(Rows("SELECT i, d, f, dt, day, amount, hex(raw), pt, region FROM typed "
                 "WHERE -i IN (2045, 2047, 2048, 2049, 4095, 4096, 4999) ORDER BY -i"),
            (std::vector<std::vector<std::optional<std::string>>>{
                {"-2045", std::nullopt, "1022.5", "2017-10-19 08:34:05.123", "2023-05-26",
                 "2045.50", "00FF32303435", "a", "b"},
                {"-2047", "2047.25", "1023.5", "2017-10-19 08:34:07.123", "2023-05-28", "2047.50",
                 "00FF32303437", "a", "b"},
                {"-2048", "2048.25", "1024.0", "2017-10-19 08:34:08.123", "2023-05-29", "2048.50",
                 "00FF32303438", "a", "b"},
                {"-2049", "2049.25", "1024.5", "2017-10-19 08:34:09.123", "2023-05-30", "2049.50",
                 "00FF32303439", "a", "b"},
                {"-4095", std::nullopt, "2047.5", "2017-10-19 09:08:15.123", "2029-01-04",
                 "4095.50", "00FF34303935", "a", "b"},
                {"-4096", "4096.25", "2048.0", "2017-10-19 09:08:16.123", "2029-01-05", "4096.50",
                 "00FF34303936", "a", "b"},
                {"-4999", "4999.25", "2499.5", "2017-10-19 09:23:19.123", "2031-06-27", "4999.50",
                 "00FF34393939", "a", "b"}}));
}

// A load's files have row groups of 61,440 rows (parquet_load.h: kLoadParquetOptions).
TEST_F(WarehouseTest, ALoadWritesRowGroupsOf61440Rows) {
  TableSchema schema = ParseTableSpec("numbers(n BIGINT)").value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  Result<std::unique_ptr<PartitionLoad>> load = warehouse_->BeginLoad(schema, {}, true);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  std::vector<CellValue> row(1);
  for (int n = 0; n < 70'000; ++n) {
    row[0] = Number(CellValue::Kind::kInteger, n);
    ASSERT_TRUE((*load)->AppendRow(row).ok());
  }
  ASSERT_TRUE(CommitTestWindow(**load).ok());
  EXPECT_EQ(QueryFiles("SELECT DISTINCT row_group_num_rows FROM parquet_metadata(FILES) "
                       "ORDER BY row_group_id"),
            std::vector<std::vector<int64_t>>({{61'440}, {70'000 - 61'440}}));
}

// A load's files keep a dictionary only for a column of few values in a row group (at most
// 1,024; parquet_load.h: kLoadParquetOptions): `few` (3 values) has one in every row group,
// `many` (5,000 values over 70,000 rows) has none — with DuckDB's own limit, one of its two row
// groups had one.
TEST_F(WarehouseTest, ALoadKeepsDictionariesForColumnsOfFewValuesOnly) {
  TableSchema schema = ParseTableSpec("mixed(few STRING, many STRING)").value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  Result<std::unique_ptr<PartitionLoad>> load = warehouse_->BeginLoad(schema, {}, true);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  std::vector<CellValue> row(2);
  row[0].kind = CellValue::Kind::kText;
  row[1].kind = CellValue::Kind::kText;
  static const char* const kFew[] = {"red", "green", "blue"};
  for (int n = 0; n < 70'000; ++n) {
    row[0].text = kFew[n % 3];
    row[1].owned = "value-" + std::to_string(n % 5'000);
    row[1].text = row[1].owned;
    ASSERT_TRUE((*load)->AppendRow(row).ok());
  }
  ASSERT_TRUE(CommitTestWindow(**load).ok());
  EXPECT_EQ(QueryFiles("SELECT path_in_schema = 'many', count(*), "
                       "count(*) FILTER (WHERE encodings LIKE '%DICTIONARY%') "
                       "FROM parquet_metadata(FILES) GROUP BY 1 ORDER BY 1"),
            std::vector<std::vector<int64_t>>({{0, 2, 2}, {1, 2, 0}}));
}

// A load's memory is bounded by the bytes its chunks hold (staging_chunk.h): a row of a 1,000-byte
// text and a NULL text takes 16 + 1,000 + 16 bytes, so a file is cut after
// ceil(32 MiB / 1,032) = 32,514 such rows, long before 512Ki rows.
TEST_F(WarehouseTest, ALoadCutsItsFilesByTheBytesItsChunksHold) {
  TableSchema schema = ParseTableSpec("wide(a STRING, b STRING)").value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  Result<std::unique_ptr<PartitionLoad>> load = warehouse_->BeginLoad(schema, {}, true);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  std::vector<CellValue> row(2);
  row[0].kind = CellValue::Kind::kText;
  for (int n = 0; n < 40'000; ++n) {
    row[0].owned = std::string(990, 'x') + std::to_string(1'000'000'000 + n);
    row[0].text = row[0].owned;
    ASSERT_TRUE((*load)->AppendRow(row).ok());
  }
  ASSERT_TRUE(CommitTestWindow(**load).ok());
  EXPECT_EQ(QueryFiles("SELECT num_rows FROM parquet_file_metadata(FILES) ORDER BY 1 DESC"),
            std::vector<std::vector<int64_t>>({{32'514}, {40'000 - 32'514}}));
  using Row = std::vector<std::optional<std::string>>;
  EXPECT_EQ(Rows("SELECT count(*), count(DISTINCT a), count(b), min(length(a)) FROM wide"),
            std::vector<Row>({{"40000", "40000", "0", "1000"}}));
}

// A file that cannot be written (a DECIMAL text that is no number; ConvertField never stages one)
// fails the load once the file writer reaches the row (at the latest when the load commits), and
// nothing of the load reaches the warehouse.
TEST_F(WarehouseTest, AFileThatCannotBeWrittenFailsTheLoadAndCommitsNothing) {
  TableSchema schema = ParseTableSpec("priced(price DECIMAL(10,2), note STRING)").value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  Result<std::unique_ptr<PartitionLoad>> load = warehouse_->BeginLoad(schema, {}, true);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  std::vector<CellValue> row(2);
  row[0].kind = CellValue::Kind::kText;
  row[0].text = "12.50";
  row[1].kind = CellValue::Kind::kText;
  row[1].owned = std::string(1'000, 'n');
  row[1].text = row[1].owned;
  // Rows of about 1 KB: the first file is cut after about 32,000 of them.
  Status failed;
  int appended = 0;
  for (; appended < 40'000 && failed.ok(); ++appended) {
    row[0].text = appended == 7 ? "not a number" : "12.50";
    failed = (*load)->AppendRow(row);
  }
  EXPECT_FALSE(failed.ok());
  EXPECT_LT(appended, 33'000);
  EXPECT_EQ(CommitTestWindow(**load).code(), StatusCode::kInternal);
  EXPECT_NE(failed.message().find("write the staged rows of table priced"), std::string::npos)
      << failed.ToString();
  EXPECT_NE(failed.message().find("not a number"), std::string::npos) << failed.ToString();
  load->reset();
  using Row = std::vector<std::optional<std::string>>;
  EXPECT_EQ(Rows("SELECT count(*) FROM priced"), std::vector<Row>({{"0"}}));
  EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/warehouse/_staging"));
}

// A load given up in the middle of a file, its file writer waiting for the file's next rows:
// Abort stops the writer, deletes the staged file and the folder, and the table stays as it was.
TEST_F(WarehouseTest, ALoadAbortedInTheMiddleOfAFileLeavesNothing) {
  TableSchema schema = ParseTableSpec("numbers(n BIGINT)").value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  Result<std::unique_ptr<PartitionLoad>> load = warehouse_->BeginLoad(schema, {}, true);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  std::vector<CellValue> row(1);
  for (int n = 0; n < 10'000; ++n) {
    row[0] = Number(CellValue::Kind::kInteger, n);
    ASSERT_TRUE((*load)->AppendRow(row).ok());
  }
  (*load)->Abort();
  EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/warehouse/_staging"));
  EXPECT_FALSE((*load)->AppendRow(row).ok());
  EXPECT_FALSE(CommitTestWindow(**load).ok());
  load->reset();
  using Row = std::vector<std::optional<std::string>>;
  EXPECT_EQ(Rows("SELECT count(*) FROM numbers"), std::vector<Row>({{"0"}}));
}

// The narrow integer types, a wide DECIMAL and an integer partition column: the chunk stages
// DECIMAL values as text and the partition value is a text constant; the SELECT that writes the
// file casts both to the table's types.
TEST_F(WarehouseTest, ALoadCastsStagedTextToDecimalAndIntegerPartitions) {
  TableSchema schema =
      ParseTableSpec("narrow(t TINYINT, s SMALLINT, big DECIMAL(38,3)) PARTITIONED BY (day BIGINT)")
          .value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  PartitionValues levels = ResolvePartition(schema, "day=20171019", true).value();
  Result<std::unique_ptr<PartitionLoad>> load = warehouse_->BeginLoad(schema, levels, true);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  std::vector<CellValue> row(3);
  row[0] = Number(CellValue::Kind::kInteger, -128);
  row[1] = Number(CellValue::Kind::kInteger, 32767);
  row[2].kind = CellValue::Kind::kText;
  row[2].text = "-12345678901234567890123456789012345.678";
  ASSERT_TRUE((*load)->AppendRow(row).ok());
  std::vector<CellValue> short_row(2);
  Status wrong = (*load)->AppendRow(short_row);
  EXPECT_EQ(wrong.code(), StatusCode::kInternal);
  EXPECT_EQ(wrong.message(),
            "a row for partition day=20171019 of table narrow needs 3 values, got 2");
  (*load)->Abort();
  load = warehouse_->BeginLoad(schema, levels, true);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  ASSERT_TRUE((*load)->AppendRow(row).ok());
  ASSERT_TRUE(CommitTestWindow(**load).ok());
  EXPECT_EQ(
      Rows("SELECT t, s, big, day, typeof(day) FROM narrow"),
      (std::vector<std::vector<std::optional<std::string>>>{
          {"-128", "32767", "-12345678901234567890123456789012345.678", "20171019", "BIGINT"}}));
}

TEST_F(WarehouseTest, RejectsPartitionColumnsOfOtherTypes) {
  Status status =
      warehouse_->CreateTable(ParseTableSpec("t(a STRING) PARTITIONED BY (d DOUBLE)").value());
  EXPECT_NE(status.message().find("partition columns are STRING or an integer type"),
            std::string::npos);
}

TEST_F(WarehouseTest, ListsPartitionsOnceLoaded) {
  TableSchema schema = ParseTableSpec(kAllTypes).value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  LoadTyped(*warehouse_, schema, "pt=20171020,region=hz", 0, 3);
  LoadTyped(*warehouse_, schema, "region=bj,pt=20171019", 3, 2);
  LoadTyped(*warehouse_, schema, "pt=20171020,region=hz", 5, 4);
  EXPECT_EQ(warehouse_->ListPartitions("typed").value(),
            (std::vector<std::string>{"pt=20171019,region=bj", "pt=20171020,region=hz"}));
  EXPECT_EQ(Rows("SELECT pt, region, count(*) FROM typed GROUP BY ALL ORDER BY ALL"),
            (std::vector<std::vector<std::optional<std::string>>>{{"20171019", "bj", "2"},
                                                                  {"20171020", "hz", "4"}}));
}

// The committer's own changes (a table created, a partition added, a partition overwritten) are
// published as deltas; only the first state is written whole.
TEST_F(WarehouseTest, CommitsAfterTheFirstArePublishedAsDeltas) {
  TableSchema schema = ParseTableSpec(kAllTypes).value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  ASSERT_TRUE(warehouse_->CreateTable(ParseTableSpec("aaa(id STRING)").value()).ok());
  LoadTyped(*warehouse_, schema, "pt=20171020,region=hz", 0, 3);
  LoadTyped(*warehouse_, schema, "region=bj,pt=20171019", 3, 2);
  LoadTyped(*warehouse_, schema, "pt=20171020,region=hz", 5, 4);
  const std::vector<PublishedManifestFile> files =
      ManifestLog::Open(dir_ + "/warehouse", /*create=*/false).value().Published().value();
  ASSERT_EQ(files.size(), 5u);
  EXPECT_TRUE(files[0].complete);
  for (size_t i = 1; i < files.size(); ++i) EXPECT_FALSE(files[i].complete) << files[i].version;
  Reopen();
  EXPECT_EQ(warehouse_->ListTables().value(), (std::vector<std::string>{"aaa", "typed"}));
  EXPECT_EQ(Rows("SELECT pt, region, count(*) FROM typed GROUP BY ALL ORDER BY ALL"),
            (std::vector<std::vector<std::optional<std::string>>>{{"20171019", "bj", "2"},
                                                                  {"20171020", "hz", "4"}}));
}

TEST_F(WarehouseTest, QueryReportsTypesAndErrors) {
  Result<QueryResult> result =
      warehouse_->Query("SELECT 1::BIGINT AS n, 2.50::DECIMAL(5,2) AS d, NULL::VARCHAR AS s");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->column_names, (std::vector<std::string>{"n", "d", "s"}));
  EXPECT_EQ(result->column_types, (std::vector<std::string>{"BIGINT", "DECIMAL(5,2)", "VARCHAR"}));
  EXPECT_EQ(result->rows[0][1], "2.50");
  EXPECT_FALSE(result->rows[0][2].has_value());
  Result<QueryResult> bad = warehouse_->Query("SELEC 1");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("syntax error"), std::string::npos);
}

// Resets the process's peak resident memory (VmHWM); false where Linux does not allow it.
bool ResetPeakMemory() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return clear.good();
}

// The process's peak resident memory in bytes since ResetPeakMemory(), -1 when unknown.
int64_t PeakMemoryBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

// A query with a row cap (the console's SQL box) streams: its rows are rendered as text as they
// come and those past the cap only counted. The whole result here is some 420 MB of text;
// computed whole (as before streaming, or as a second statement still is) it raised this test
// process's peak memory by 1.3 GB in a debug build, DuckDB's memory limit notwithstanding;
// streamed, by about 60 MB (DuckDB's own start-up included).
TEST_F(WarehouseTest, ACappedQueryKeepsItsFirstRowsAndCountsTheRest) {
  QueryLimits limits;
  limits.max_rows = 3;
  limits.max_text_bytes = 1 << 20;
  limits.confined = true;
  const bool measured = ResetPeakMemory();
  const int64_t peak_before = PeakMemoryBytes();
  Result<QueryResult> result = warehouse_->Query(
      "SELECT range AS n, repeat('x', 200) || range::VARCHAR AS s FROM range(2000000);", limits);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  if (measured) {
    EXPECT_LT(PeakMemoryBytes() - peak_before, int64_t{256} << 20)
        << "the query's rows were held, not streamed: " << (PeakMemoryBytes() - peak_before);
  }
  EXPECT_EQ(result->column_names, (std::vector<std::string>{"n", "s"}));
  EXPECT_EQ(result->column_types, (std::vector<std::string>{"BIGINT", "VARCHAR"}));
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[2][0], "2");
  EXPECT_EQ(result->rows[2][1], std::string(200, 'x') + "2");
  EXPECT_TRUE(result->truncated);
  EXPECT_EQ(result->total_rows, 2000000);

  limits.max_rows = 1000;
  limits.max_text_bytes = 1000;
  Result<QueryResult> by_bytes = warehouse_->Query(
      "SELECT repeat('y', 300) AS s FROM range(10) -- four rows would cross the text limit",
      limits);
  ASSERT_TRUE(by_bytes.ok()) << by_bytes.status().ToString();
  EXPECT_EQ(by_bytes->rows.size(), 3u);
  EXPECT_TRUE(by_bytes->truncated);
  EXPECT_EQ(by_bytes->total_rows, 10);
}

// The streamed text is DuckDB's own rendering: the same cells, names and types as the query
// computed whole (which a second statement forces), for every column type a warehouse table has
// and some a query makes — and LIST and STRUCT values, which the whole result's value-by-value
// rendering leaves empty, as DuckDB writes them.
TEST_F(WarehouseTest, AStreamedQueryRendersEveryTypeAsDuckDbDoes) {
  TableSchema schema = ParseTableSpec(kAllTypes).value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  LoadTyped(*warehouse_, schema, "pt=a,region=b", 0, 40);
  const std::string sql =
      "SELECT *, d / 0 AS infinite, INTERVAL 90 MINUTE AS span, sum(b) OVER () AS huge, "
      "[b, i] AS list, {'d': d} AS record FROM typed ORDER BY i DESC";
  Result<QueryResult> whole = warehouse_->Query("SELECT 1; " + sql);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  QueryLimits limits;
  limits.max_rows = 1000;
  Result<QueryResult> streamed = warehouse_->Query(sql, limits);
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  EXPECT_EQ(streamed->column_names, whole->column_names);
  EXPECT_EQ(streamed->column_types, whole->column_types);
  ASSERT_EQ(streamed->rows.size(), 40u);
  ASSERT_EQ(whole->rows.size(), 40u);
  const size_t scalar_columns = streamed->column_names.size() - 2;
  for (size_t row = 0; row < 40; ++row) {
    for (size_t column = 0; column < scalar_columns; ++column) {
      EXPECT_EQ(streamed->rows[row][column], whole->rows[row][column])
          << streamed->column_names[column] << " of row " << row;
    }
  }
  EXPECT_EQ(streamed->rows[1][scalar_columns], "[1000000000000, -1]");
  EXPECT_EQ(streamed->rows[1][scalar_columns + 1], "{'d': 1.25}");
  EXPECT_EQ(streamed->rows[0][scalar_columns + 1], "{'d': NULL}");
  EXPECT_EQ(streamed->total_rows, 40);
  EXPECT_FALSE(streamed->truncated);
}

TEST_F(WarehouseTest, ACappedQueryStillStopsAtItsTimeLimit) {
  QueryLimits limits;
  limits.max_rows = 3;
  limits.timeout_millis = 300;
  const auto started = std::chrono::steady_clock::now();
  Result<QueryResult> result = warehouse_->Query(
      "SELECT count(*) FROM range(1000000000) a, range(1000) b WHERE a.range + b.range = 7",
      limits);
  EXPECT_EQ(result.status().code(), StatusCode::kTimeout) << result.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST_F(WarehouseTest, ParquetExportReadsBackEqualToTheTable) {
  TableSchema schema = ParseTableSpec(kAllTypes).value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  LoadTyped(*warehouse_, schema, "pt=20171019,region=bj", 0, 40);
  LoadTyped(*warehouse_, schema, "pt=20171020,region=hz", 40, 60);

  Result<std::vector<ExportedFile>> files =
      warehouse_->ExportParquet("typed", "", dir_ + "/export", ParquetCompression::kZstd);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, dir_ + "/export/typed/pt=20171019/region=bj/part-00000.parquet");
  EXPECT_EQ((*files)[0].rows, 40);
  EXPECT_EQ((*files)[1].rows, 60);

  // The whole Hive-style tree, partition columns recovered from the paths.
  const std::string columns = "s, b, i, d, f, ok, dt, day, amount, raw, pt, region";
  EXPECT_EQ(Rows("SELECT " + columns + " FROM read_parquet('" + dir_ +
                 "/export/typed/*/*/*.parquet', hive_partitioning = true) ORDER BY ALL"),
            Rows("SELECT " + columns + " FROM typed ORDER BY ALL"));
  EXPECT_EQ(Rows("SELECT DISTINCT compression FROM parquet_metadata('" + (*files)[1].path + "')"),
            (std::vector<std::vector<std::optional<std::string>>>{{"ZSTD"}}));
  // The same types come back, not text.
  EXPECT_EQ(Rows("SELECT typeof(dt), typeof(amount), typeof(raw) FROM read_parquet('" +
                 (*files)[0].path + "') LIMIT 1"),
            (std::vector<std::vector<std::optional<std::string>>>{
                {"TIMESTAMP", "DECIMAL(10,2)", "BLOB"}}));

  Result<std::vector<ExportedFile>> one = warehouse_->ExportParquet(
      "typed", "region=hz,pt=20171020", dir_ + "/one", ParquetCompression::kSnappy);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].partition, "pt=20171020,region=hz");
  EXPECT_EQ(Rows("SELECT count(*) FROM read_parquet('" + (*one)[0].path + "')"),
            (std::vector<std::vector<std::optional<std::string>>>{{"60"}}));
  EXPECT_FALSE(
      warehouse_->ExportParquet("typed", "pt=1", dir_ + "/bad", ParquetCompression::kZstd).ok());
}

TEST_F(WarehouseTest, NonPartitionedTableExportsOneFile) {
  TableSchema flat = ParseTableSpec("flat(a STRING, n BIGINT)").value();
  ASSERT_TRUE(warehouse_->CreateTable(flat).ok());
  Result<std::unique_ptr<PartitionLoad>> load = warehouse_->BeginLoad(flat, {}, true);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  std::vector<CellValue> row(2);
  row[0].kind = CellValue::Kind::kText;
  row[0].text = "x";
  row[1].kind = CellValue::Kind::kInteger;
  row[1].integer = 1;
  ASSERT_TRUE((*load)->AppendRow(row).ok());
  row[0].text = "y";
  row[1].kind = CellValue::Kind::kNull;
  ASSERT_TRUE((*load)->AppendRow(row).ok());
  ASSERT_TRUE((*load)->Commit(sync::CommittedWindow{{"flat", "s", 0, 1}, "", 2}).ok());
  Result<std::vector<ExportedFile>> files =
      warehouse_->ExportParquet("flat", "", dir_ + "/out", ParquetCompression::kGzip);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].path, dir_ + "/out/flat/part-00000.parquet");
  EXPECT_EQ(Rows("SELECT * FROM read_parquet('" + (*files)[0].path + "') ORDER BY ALL"),
            Rows("SELECT * FROM flat ORDER BY ALL"));
  EXPECT_EQ(ParseParquetCompression("ZSTD").value(), ParquetCompression::kZstd);
  EXPECT_FALSE(ParseParquetCompression("rar").ok());
}

std::string JsonString(const std::optional<std::string>& value) {
  if (!value) return "null";
  std::string out = "\"";
  for (char c : *value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A second, independent Parquet reader: the DuckDB inside the Node package @duckdb/node-api
// (tests/warehouse-reader), driven by a small script.
TEST_F(WarehouseTest, ParquetExportReadsBackWithNodeApi) {
  const std::string reader_dir = OTSYNC_WAREHOUSE_READER_DIR;
  if (!std::filesystem::exists(reader_dir + "/node_modules/@duckdb/node-api") ||
      std::system("node --version > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node or tests/warehouse-reader/node_modules missing (run scripts/setup.sh)";
  }
  TableSchema schema = ParseTableSpec(kAllTypes).value();
  ASSERT_TRUE(warehouse_->CreateTable(schema).ok());
  LoadTyped(*warehouse_, schema, "pt=20171019,region=bj", 0, 25);
  Result<std::vector<ExportedFile>> files =
      warehouse_->ExportParquet("typed", "", dir_ + "/export", ParquetCompression::kZstd);
  ASSERT_TRUE(files.ok());
  const std::string output = dir_ + "/node.json";
  std::string command =
      "node " + reader_dir + "/read_parquet.mjs '" + (*files)[0].path + "' > " + output;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(output);
  std::string actual((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::string expected = "[";
  auto rows = Rows(
      "SELECT COLUMNS(*)::VARCHAR FROM (SELECT s, b, i, d, f, ok, dt, day, amount, raw FROM "
      "typed) ORDER BY ALL");
  ASSERT_EQ(rows.size(), 25u);
  for (size_t r = 0; r < rows.size(); ++r) {
    expected += r == 0 ? "[" : ",[";
    for (size_t c = 0; c < rows[r].size(); ++c) {
      if (c > 0) expected += ',';
      expected += JsonString(rows[r][c]);
    }
    expected += "]";
  }
  expected += "]\n";
  EXPECT_EQ(actual, expected);
}

}  // namespace
}  // namespace otsync::odps
