// Tests of StagedRows and of StagedFileWriter, its streamed use (one fixture: a DuckDB database,
// chunks of numbered rows).
#include "writers/odps/staged_rows.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "testing/temporary_directory.h"
#include "writers/odps/duckdb_support.h"
#include "writers/odps/staged_file_writer.h"

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
