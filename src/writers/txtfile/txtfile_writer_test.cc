#include "writers/txtfile/txtfile_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace otsync::writers {
namespace {

namespace fs = std::filesystem;
using sync::Field;
using sync::Record;

class TxtFileWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("txtfile_writer_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    spec_.path = dir_.string();
    spec_.file_name = "out.csv";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Status WriteOnce(const std::vector<Record>& rows) {
    TxtFileWriter writer(spec_);
    OTSYNC_RETURN_IF_ERROR(writer.Prepare());
    std::vector<sync::DirtyRecord> dirty;
    OTSYNC_RETURN_IF_ERROR(writer.Write(rows, &dirty));
    return writer.Commit({});
  }

  static std::string Read(const fs::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
  TxtFileWriterSpec spec_;
};

TEST_F(TxtFileWriterTest, CsvQuotesWhatNeedsQuotingAndWritesTheHeader) {
  spec_.file_format = TxtFileFormat::kCsv;
  spec_.header = {"id", "note"};
  ASSERT_TRUE(WriteOnce({Record{{Field::Integer(1), Field::String("a,\"b\"\nc")}},
                         Record{{Field::Integer(2), Field::Null()}}})
                  .ok());
  EXPECT_EQ(Read(dir_ / "out.csv"), "id,note\n1,\"a,\"\"b\"\"\nc\"\n2,\\N\n");
}

TEST_F(TxtFileWriterTest, TextFormatUsesTheDelimiterAsIs) {
  spec_.field_delimiter = '\t';
  spec_.null_format = "";
  ASSERT_TRUE(WriteOnce({Record{{Field::String("x,y"), Field::Double(0.25), Field::Null()}}}).ok());
  EXPECT_EQ(Read(dir_ / "out.csv"), "x,y\t0.25\t\n");
}

TEST_F(TxtFileWriterTest, CsvQuotesNumbersHoldingTheDelimiter) {
  spec_.file_format = TxtFileFormat::kCsv;
  spec_.field_delimiter = '.';
  ASSERT_TRUE(WriteOnce({Record{{Field::Double(0.25), Field::Integer(-3), Field::Boolean(true),
                                 Field::Binary(std::string("\xfb\xff", 2)), Field::String("a.b")}}})
                  .ok());
  EXPECT_EQ(Read(dir_ / "out.csv"), "\"0.25\".-3.true.+/8=.\"a.b\"\n");
}

TEST_F(TxtFileWriterTest, ManyWritesBecomeTheLinesInOrder) {
  // More than the writer formats before it writes: lines cross its write boundary.
  TxtFileWriter writer(spec_);
  ASSERT_TRUE(writer.Prepare().ok());
  std::string expected;
  std::vector<sync::DirtyRecord> dirty;
  for (int batch = 0; batch < 400; ++batch) {
    std::vector<Record> rows;
    for (int i = 0; i < 256; ++i) {
      const int64_t n = int64_t{batch} * 256 + i;
      rows.push_back(Record{{Field::Integer(n), Field::String("row " + std::to_string(n))}});
      expected += std::to_string(n) + ",row " + std::to_string(n) + "\n";
    }
    ASSERT_TRUE(writer.Write(rows, &dirty).ok());
  }
  EXPECT_FALSE(fs::exists(dir_ / "out.csv"));
  ASSERT_TRUE(writer.Commit({}).ok());
  ASSERT_GT(expected.size(), size_t{1} << 20);
  EXPECT_EQ(Read(dir_ / "out.csv"), expected);
}

TEST_F(TxtFileWriterTest, TextFormatPrintsEveryType) {
  spec_.null_format = "NULL";
  ASSERT_TRUE(
      WriteOnce(
          {Record{{Field::Integer(INT64_MIN), Field::Double(-2.2250738585072014e-308),
                   Field::Boolean(false), Field::Boolean(true), Field::Null(), Field::String("")}},
           Record{{Field::Binary(std::string("\xfb\xff", 2)), Field::Integer(7)}}, Record{}})
          .ok());
  EXPECT_EQ(Read(dir_ / "out.csv"),
            "-9223372036854775808,-2.2250738585072014e-308,false,true,NULL,\n+/8=,7\n\n");
}

TEST_F(TxtFileWriterTest, NothingIsVisibleBeforeCommitAndAbortLeavesNothing) {
  TxtFileWriter writer(spec_);
  ASSERT_TRUE(writer.Prepare().ok());
  std::vector<sync::DirtyRecord> dirty;
  ASSERT_TRUE(writer.Write({Record{{Field::Integer(1)}}}, &dirty).ok());
  EXPECT_FALSE(fs::exists(dir_ / "out.csv"));
  writer.Abort();
  EXPECT_TRUE(Files().empty());
}

TEST_F(TxtFileWriterTest, TruncateReplacesAppendAddsNonConflictRefuses) {
  ASSERT_TRUE(WriteOnce({Record{{Field::Integer(1)}}}).ok());
  spec_.write_mode = TxtFileWriteMode::kAppend;
  ASSERT_TRUE(WriteOnce({Record{{Field::Integer(2)}}}).ok());
  ASSERT_TRUE(WriteOnce({Record{{Field::Integer(3)}}}).ok());
  EXPECT_EQ(Files(), (std::vector<std::string>{"out.csv", "out.csv__1", "out.csv__2"}));
  EXPECT_EQ(Read(dir_ / "out.csv__2"), "3\n");

  spec_.write_mode = TxtFileWriteMode::kNonConflict;
  TxtFileWriter refused(spec_);
  Status status = refused.Prepare();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("nonConflict"), std::string::npos);

  spec_.write_mode = TxtFileWriteMode::kTruncate;
  ASSERT_TRUE(WriteOnce({Record{{Field::Integer(4)}}}).ok());
  EXPECT_EQ(Files(), std::vector<std::string>{"out.csv"});
  EXPECT_EQ(Read(dir_ / "out.csv"), "4\n");
}

}  // namespace
}  // namespace otsync::writers
