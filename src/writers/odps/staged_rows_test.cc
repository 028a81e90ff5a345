// Tests of StagedRows, of StagingChunk filling its chunks and of StagedFileWriter, its streamed
// use (one fixture: a DuckDB database, chunks of numbered rows).
#include "writers/odps/staged_rows.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "base/kill_point.h"
#include "testing/temporary_directory.h"
#include "writers/odps/duckdb_support.h"
#include "writers/odps/staged_file_writer.h"
#include "writers/odps/staging_chunk.h"

namespace otsync::odps {
namespace {

class StagedRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(duckdb_open(nullptr, &database_), DuckDBSuccess);
    ASSERT_EQ(duckdb_connect(database_, &connection_), DuckDBSuccess);
    ASSERT_EQ(duckdb_connect(database_, &checking_), DuckDBSuccess);
  }
  void TearDown() override {
    duckdb_disconnect(&checking_);
    duckdb_disconnect(&connection_);
    duckdb_close(&database_);
  }

  // A chunk of `count` rows numbered from `first`.
  static duckdb_data_chunk Numbers(int64_t first, int64_t count) {
    const duckdb_type types[] = {DUCKDB_TYPE_BIGINT};
    duckdb_data_chunk chunk = NewDataChunk(types);
    auto* values =
        static_cast<int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)));
    for (int64_t i = 0; i < count; ++i) values[i] = first + i;
    duckdb_data_chunk_set_size(chunk, static_cast<idx_t>(count));
    return chunk;
  }

  // "count,sum" of the next file's rows, or the query's error.
  std::string ReadFile() {
    QueryRows rows;
    Status status =
        RunQuery(connection_, "SELECT count(*), sum(n) FROM staged_rows()", &rows, "read a file");
    if (!status.ok()) return status.message();
    return std::to_string(rows.Int64(0, 0)) + "," + std::to_string(rows.Int64(1, 0));
  }

  // "count,sum" of the rows of the Parquet file at `path` (read on a second connection), or the
  // query's error.
  std::string ReadParquet(const std::string& path) {
    QueryRows rows;
    Status status =
        RunQuery(checking_, "SELECT count(*), sum(n) FROM read_parquet(" + QuoteLiteral(path) + ")",
                 &rows, "read " + path);
    if (!status.ok()) return status.message();
    return std::to_string(rows.Int64(0, 0)) + "," + std::to_string(rows.Int64(1, 0));
  }

  testing::TemporaryDirectory folder_{"staged_rows_test"};
  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;  // Registers staged_rows() and runs its queries.
  duckdb_connection checking_ = nullptr;
};

using StagedFileWriterTest = StagedRowsTest;

TEST_F(StagedRowsTest, InTurnAFileIsReadWholeAfterItsEnd) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT});
  ASSERT_TRUE(staged.Register(connection_).ok());
  ASSERT_TRUE(staged.Add(Numbers(0, 2048)));
  ASSERT_TRUE(staged.Add(Numbers(2048, 0)));  // Dropped: no rows.
  ASSERT_TRUE(staged.Add(Numbers(2048, 10)));
  staged.EndFile();
  ASSERT_TRUE(staged.Add(Numbers(5000, 3)));
  staged.EndFile();
  EXPECT_EQ(ReadFile(), "2058,2116653");  // 0 + 1 + ... + 2057.
  EXPECT_EQ(ReadFile(), "3,15003");
}

// The reading query runs on its own thread while the rows are added, far more of them than the
// queue holds: every row arrives once, in its file, and the adding side waits for room.
TEST_F(StagedRowsTest, StreamedFilesAreReadWhileTheirRowsAreAdded) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/2);
  ASSERT_TRUE(staged.Register(connection_).ok());
  std::vector<std::string> files;
  std::thread reader([&] {
    while (staged.WaitForFile()) files.push_back(ReadFile());
  });
  int64_t next = 0;
  for (int file = 0; file < 3; ++file) {
    for (int chunk = 0; chunk < 50; ++chunk, next += 100)
      ASSERT_TRUE(staged.Add(Numbers(next, 100)));
    staged.EndFile();
  }
  staged.Finish();
  reader.join();
  // File k holds the numbers 5,000k .. 5,000k + 4,999.
  EXPECT_EQ(files, (std::vector<std::string>{"5000,12497500", "5000,37497500", "5000,62497500"}));
}

// Close releases both sides: a query waiting for rows fails with a message of its own, and the
// adding side is refused from then on, the chunk it gave destroyed (the sanitizers of the test
// build see a leak otherwise).
TEST_F(StagedRowsTest, CloseFailsAWaitingQueryAndRefusesMoreRows) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/4);
  ASSERT_TRUE(staged.Register(connection_).ok());
  ASSERT_TRUE(staged.Add(Numbers(0, 10)));
  std::future<std::string> read = std::async(std::launch::async, [&] {
    return staged.WaitForFile() ? ReadFile() : std::string("no file");
  });
  // The query has the ten rows and waits for the file's end, which never comes.
  EXPECT_EQ(read.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  staged.Close();
  EXPECT_NE(read.get().find("the rows were withdrawn"), std::string::npos);
  EXPECT_FALSE(staged.Add(Numbers(10, 10)));
  EXPECT_FALSE(staged.WaitForFile());
}

// Beside its count of chunks, a byte capacity holds the adding side back while chunks of that
// many bytes wait, and lets it go on once the scan has taken one.
TEST_F(StagedRowsTest, AByteCapacityHoldsBackChunksOfManyBytes) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/10, /*byte_capacity=*/100);
  ASSERT_TRUE(staged.Register(connection_).ok());
  auto chunk = [](int64_t first, int64_t bytes) {
    StagedChunk numbers(Numbers(first, 10));
    numbers.set_bytes(bytes);
    return numbers;
  };
  ASSERT_TRUE(staged.Add(chunk(0, 60)));
  ASSERT_TRUE(staged.Add(chunk(10, 60)));  // 60 bytes waited: below the capacity.
  std::future<bool> third =
      std::async(std::launch::async, [&] { return staged.Add(chunk(20, 1)); });
  EXPECT_EQ(third.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  std::future<std::string> read = std::async(std::launch::async, [&] { return ReadFile(); });
  EXPECT_TRUE(third.get());  // The scan took a chunk of 60 bytes.
  staged.EndFile();
  EXPECT_EQ(read.get(), "30,435");
}

// Streamed, a chunk the scan has read comes back through TakeSpent, the chunk itself, in the
// order read, and at most `capacity` of them wait there.
TEST_F(StagedRowsTest, ReadChunksComeBackForReuseUpToTheCapacity) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/2);
  ASSERT_TRUE(staged.Register(connection_).ok());
  std::vector<duckdb_data_chunk> added;
  for (int file = 0; file < 2; ++file) {
    for (int chunk = 0; chunk < 2; ++chunk) {
      added.push_back(Numbers(file * 20 + chunk * 10, 10));
      ASSERT_TRUE(staged.Add(added.back()));
    }
    staged.EndFile();
    EXPECT_EQ(ReadFile(), file == 0 ? "20,190" : "20,590");
  }
  for (size_t i = 0; i < 2; ++i) {  // The first file's chunks; the second's found no room.
    StagedChunk spent = staged.TakeSpent();
    ASSERT_TRUE(spent) << i;
    EXPECT_EQ(spent.rows(), added[i]);
  }
  EXPECT_FALSE(staged.TakeSpent());
}

TEST_F(StagedRowsTest, InTurnNoReadChunkIsKept) {
  StagedRows in_turn({"n"}, {DUCKDB_TYPE_BIGINT});
  ASSERT_TRUE(in_turn.Register(connection_).ok());
  ASSERT_TRUE(in_turn.Add(Numbers(0, 10)));
  in_turn.EndFile();
  EXPECT_EQ(ReadFile(), "10,45");
  EXPECT_FALSE(in_turn.TakeSpent());
}

// A StagingChunk refilled in a chunk the scan gave back holds only its new rows: no NULL, text or
// row count of the chunk's first filling shows through. Texts of up to 12 bytes (held in their
// slots) compare equal to literals, as DuckDB's own would; longer ones are read back whole.
TEST_F(StagedRowsTest, AStagingChunkRefilledHoldsOnlyItsNewRows) {
  TableSchema schema;
  schema.name = "t";
  schema.columns = {{"s", {ColumnKind::kString}}, {"n", {ColumnKind::kBigint}}};
  StagingChunk filling(schema);
  StagedRows staged({"s", "n"}, filling.types(), /*capacity=*/4);
  ASSERT_TRUE(staged.Register(connection_).ok());
  const idx_t capacity = duckdb_vector_size();
  // Fills the chunk whole: in the first filling odd rows are NULL, even rows a long text; in
  // later ones every row is a short text and a number.
  auto fill = [&](int filling_number) {
    std::vector<CellValue> row(2);
    std::string text;
    for (idx_t r = 0; r < capacity; ++r) {
      if (filling_number == 0) {
        text = "a text longer than twelve bytes, row " + std::to_string(r);
        row[0] = CellValue();
        row[1] = CellValue();
        if (r % 2 == 0) {
          row[0].kind = CellValue::Kind::kText;
          row[0].text = text;
        }
      } else {
        text = "f" + std::to_string(filling_number) + "-" + std::to_string(r);
        row[0].kind = CellValue::Kind::kText;
        row[0].text = text;
        row[1].kind = CellValue::Kind::kInteger;
        row[1].integer = static_cast<int64_t>(r);
      }
      int64_t bytes = 0;
      ASSERT_TRUE(filling.AddRow(row, &bytes).ok());
    }
  };
  auto read = [&](const std::string& sql) {
    QueryRows rows;
    Status status = RunQuery(connection_, sql, &rows, "read a file");
    return status.ok() ? rows.Text(0, 0) : status.message();
  };
  const std::string summary =
      "SELECT count(*) || ',' || count(s) || ',' || count(n) || ',' || sum(length(s)) || ',' || "
      "count(*) FILTER (WHERE s = 'f2-7' OR s = 'f1-2047') FROM staged_rows()";

  fill(0);
  StagedChunk first = filling.TakeRows();
  const duckdb_data_chunk first_rows = first.rows();
  ASSERT_TRUE(staged.Add(std::move(first)));
  staged.EndFile();
  int64_t long_bytes = 0;
  for (idx_t r = 0; r < capacity; r += 2) {
    long_bytes += static_cast<int64_t>(std::string("a text longer than twelve bytes, row ").size() +
                                       std::to_string(r).size());
  }
  EXPECT_EQ(read(summary), std::to_string(capacity) + "," + std::to_string(capacity / 2) + ",0," +
                               std::to_string(long_bytes) + ",0");

  fill(1);
  StagedChunk second = filling.TakeRows(staged.TakeSpent());  // Starts over in the first chunk.
  fill(2);
  StagedChunk third = filling.TakeRows(staged.TakeSpent());
  EXPECT_EQ(third.rows(), first_rows);
  ASSERT_TRUE(staged.Add(std::move(second)));
  ASSERT_TRUE(staged.Add(std::move(third)));
  staged.EndFile();
  int64_t short_bytes = 0;
  for (int f = 1; f <= 2; ++f) {
    for (idx_t r = 0; r < capacity; ++r) short_bytes += 3 + std::to_string(r).size();
  }
  EXPECT_EQ(read(summary), std::to_string(2 * capacity) + "," + std::to_string(2 * capacity) + "," +
                               std::to_string(2 * capacity) + "," + std::to_string(short_bytes) +
                               ",2");
}

constexpr char kSelectNumbers[] = "SELECT n FROM staged_rows()";
constexpr char kParquet[] = "(FORMAT parquet)";

// Three files of 5,000 rows go through a queue of two chunks: each becomes its own numbered
// Parquet file, in order, holding its rows once.
TEST_F(StagedFileWriterTest, WritesEachFileInOrder) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/2);
  ASSERT_TRUE(staged.Register(connection_).ok());
  const std::string folder = folder_.path().string();
  StagedFileWriter writer(connection_, &staged, kSelectNumbers, kParquet, folder, "the numbers");
  int64_t next = 0;
  for (int file = 0; file < 3; ++file) {
    for (int chunk = 0; chunk < 50; ++chunk, next += 100) {
      ASSERT_TRUE(staged.Add(Numbers(next, 100)));
    }
    staged.EndFile();
  }
  staged.Finish();
  ASSERT_TRUE(writer.Join().ok());
  ASSERT_EQ(writer.files().size(), 3u);
  const char* expected[] = {"5000,12497500", "5000,37497500", "5000,62497500"};
  for (size_t i = 0; i < 3; ++i) {
    const StagedFileWriter::File& file = writer.files()[i];
    EXPECT_EQ(file.path, folder + "/part-0000" + std::to_string(i) + ".parquet");
    EXPECT_EQ(file.bytes, static_cast<int64_t>(std::filesystem::file_size(file.path)));
    EXPECT_EQ(ReadParquet(file.path), expected[i]);
  }
}

// A file is synced while the next one is written: a sync that fails, whichever file's, is the
// writer's error (Join), the rows' side is stopped, and Join returns only after every sync begun.
TEST_F(StagedFileWriterTest, AFailedSyncOfAnyFileFailsTheWriter) {
  if (!KillPointsCompiledIn()) GTEST_SKIP() << "fault points are compiled only into test builds";
  for (int failing = 1; failing <= 3; ++failing) {
    // A DuckDB of its own each time: staged_rows() is registered once per database.
    duckdb_database database = nullptr;
    duckdb_connection connection = nullptr;
    ASSERT_EQ(duckdb_open(nullptr, &database), DuckDBSuccess);
    ASSERT_EQ(duckdb_connect(database, &connection), DuckDBSuccess);
    testing::TemporaryDirectory folder("staged_file_writer_sync");
    StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/2);
    ASSERT_TRUE(staged.Register(connection).ok());
    ASSERT_TRUE(ArmFaultPoint("file.sync", failing).ok());
    StagedFileWriter writer(connection, &staged, kSelectNumbers, kParquet, folder.path().string(),
                            "the numbers");
    bool refused = false;
    for (int file = 0; file < 3 && !refused; ++file) {
      for (int chunk = 0; chunk < 20 && !refused; ++chunk) {
        refused = !staged.Add(Numbers(file * 2000 + chunk * 100, 100));
      }
      staged.EndFile();
    }
    staged.Finish();
    const Status status = writer.Join();
    EXPECT_FALSE(DisarmFaultPoint()) << "sync " << failing << " was never reached";
    EXPECT_EQ(status.code(), StatusCode::kIOError)
        << "sync " << failing << ": " << status.ToString();
    EXPECT_NE(status.message().find("(an injected fault)"), std::string::npos) << status.ToString();
    EXPECT_FALSE(staged.Add(Numbers(0, 10))) << "sync " << failing;
    staged.Clear();
    duckdb_disconnect(&connection);
    duckdb_close(&database);
  }
}

// A writer that opens its own connection does so on its thread, and the rows' side stages chunks
// meanwhile, up to the queue's capacity, without waiting for it; the file is written once the
// connection is there.
TEST_F(StagedFileWriterTest, OpensItsConnectionOnItsThreadWhileRowsAreStaged) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/2);
  std::promise<void> rows_staged;
  std::future<void> staged_signal = rows_staged.get_future();
  std::thread::id opened_on;
  auto open = [&]() -> Result<duckdb_connection> {
    opened_on = std::this_thread::get_id();
    // Opened where the rows' side runs, this would wait for rows that come only after it.
    if (staged_signal.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      return Status::Internal("no rows were staged while the connection was being opened");
    }
    OTSYNC_RETURN_IF_ERROR(staged.Register(connection_));
    return connection_;
  };
  StagedFileWriter writer(open, &staged, kSelectNumbers, kParquet, folder_.path().string(),
                          "the numbers");
  ASSERT_TRUE(staged.Add(Numbers(0, 100)));
  ASSERT_TRUE(staged.Add(Numbers(100, 100)));  // Both queued: the connection is not open yet.
  staged.EndFile();
  rows_staged.set_value();
  staged.Finish();
  ASSERT_TRUE(writer.Join().ok());
  EXPECT_NE(opened_on, std::this_thread::get_id());
  ASSERT_EQ(writer.files().size(), 1u);
  EXPECT_EQ(ReadParquet(writer.files()[0].path), "200,19900");
}

// A connection that cannot be opened ends the writer as a failed COPY does: the rows' side is
// refused, Join gives the opening's error, and no file is reported written.
TEST_F(StagedFileWriterTest, AConnectionThatFailsToOpenStopsTheRowsSide) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/2);
  auto open = []() -> Result<duckdb_connection> {
    return Status::IOError("could not open the load's DuckDB");
  };
  StagedFileWriter writer(open, &staged, kSelectNumbers, kParquet, folder_.path().string(),
                          "the numbers");
  bool refused = false;
  for (int chunk = 0; chunk < 1000 && !refused; ++chunk) {
    refused = !staged.Add(Numbers(chunk * 100, 100));
  }
  EXPECT_TRUE(refused);
  const Status status = writer.Join();
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_EQ(status.message(), "could not open the load's DuckDB");
  EXPECT_TRUE(writer.files().empty());
}

// A COPY that fails (its SELECT's cast refuses a value) stops the rows' side: its Adds are
// refused from then on, and Join gives the error, naming the rows; no file is reported written.
TEST_F(StagedFileWriterTest, AFailedCopyStopsTheRowsSide) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/2);
  ASSERT_TRUE(staged.Register(connection_).ok());
  StagedFileWriter writer(connection_, &staged, "SELECT CAST(n AS TINYINT) AS n FROM staged_rows()",
                          kParquet, folder_.path().string(), "the numbers");
  bool refused = false;
  // The queue holds two chunks, so the Adds block until the COPY has failed and closed it.
  for (int chunk = 0; chunk < 1000 && !refused; ++chunk) {
    refused = !staged.Add(Numbers(1000 + chunk * 100, 100));
  }
  EXPECT_TRUE(refused);
  const Status status = writer.Join();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("write the numbers"), std::string::npos) << status.message();
  EXPECT_TRUE(writer.files().empty());
}

// Destroyed while a file is still open (a load aborted mid-file), the writer stops its COPY and
// joins instead of waiting for rows that never come.
TEST_F(StagedFileWriterTest, DestroyedMidFileItStopsWithoutWaiting) {
  StagedRows staged({"n"}, {DUCKDB_TYPE_BIGINT}, /*capacity=*/4);
  ASSERT_TRUE(staged.Register(connection_).ok());
  {
    StagedFileWriter writer(connection_, &staged, kSelectNumbers, kParquet, folder_.path().string(),
                            "the numbers");
    ASSERT_TRUE(staged.Add(Numbers(0, 10)));
  }
  EXPECT_FALSE(staged.Add(Numbers(10, 10)));
}

}  // namespace
}  // namespace otsync::odps
