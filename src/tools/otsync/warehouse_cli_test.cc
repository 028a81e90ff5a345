#include "writers/odps/warehouse_cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "readers/otsstream/ots_datasource.h"
#include "readers/otsstream/otsstream_reader.h"
#include "tools/otsync/cli.h"

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;
using tools::kExitBadConfiguration;
using tools::kExitJobFailed;
using tools::kExitOk;

constexpr const char* kPersonSpec =
    "person(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING, "
    "sequenceinfo STRING) PARTITIONED BY (pt STRING)";

// The seed's script, with the writer into odps_first.
constexpr const char* kSeedJob = R"({"type": "job", "version": "1.0", "configuration": {
  "reader": {"plugin": "otsstream", "parameter": {"datasource": "otsstream",
    "dataTable": "person", "statusTable": "status",
    "startTimeString": "20171019161000", "endTimeString": "20171019162600"}},
  "writer": {"plugin": "odps", "parameter": {"datasource": "odps_first", "table": "person",
    "truncate": true, "partition": "pt=${bdp.system.bizdate}",
    "column": ["id", "colname", "version", "colvalue", "optype", "sequenceinfo"]}},
  "setting": {"speed": {"mbps": 7, "concurrent": 7}}}})";

// Two change records of a person row, as the otsstream reader emits them (with
// isExportSequenceInfo false, 5 fields: no sequenceinfo at all).
class PersonReader final : public sync::Reader {
 public:
  explicit PersonReader(bool sequence_info = true) : sequence_info_(sequence_info) {}
  Result<sync::WindowKey> Prepare() override {
    return sync::WindowKey{"person", "stream-1", 1508400600000, 1508401560000};
  }
  Result<std::vector<sync::ReaderTask>> Split(int advice) override {
    return std::vector<sync::ReaderTask>{{"shard-0", {}}};
  }
  Status RunTask(const sync::ReaderTask& task, sync::RecordSink& sink,
                 std::stop_token stop) override {
    using sync::Field;
    sync::Record first{{Field::String("p1"), Field::String("name"), Field::Integer(1508400700000),
                        Field::String("Ada"), Field::String("U"), Field::Null()}};
    sync::Record second{{Field::String("p2"), Field::Null(), Field::Null(), Field::Null(),
                         Field::String("DR"), Field::Null()}};
    if (!sequence_info_) {
      first.fields.pop_back();
      second.fields.pop_back();
    }
    OTSYNC_RETURN_IF_ERROR(sink.Emit(std::move(first)));
    return sink.Emit(std::move(second));
  }
  Result<std::string> EndCheckpoints() override { return std::string("cp"); }
  Status PublishCheckpoints(const std::string& end_checkpoints) override { return Status::OK(); }

 private:
  bool sequence_info_;
};

class WarehouseCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("warehouse_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    data_dir_ = (dir_ / "data").string();
    plugins_.AddWriter(OdpsWriterPlugin());
    plugins_.AddDataSourceType(OdpsDataSourceType());
    plugins_.AddDataSourceType(readers::otsstream::OtsDataSourceType());
    plugins_.AddReader(readers::otsstream::OtsStreamReaderPlugin());
    plugins_.ReplaceReaderFactory("otsstream", [](const sync::PluginContext&) {
      return Result<std::unique_ptr<sync::Reader>>(std::make_unique<PersonReader>());
    });
  }
  void TearDown() override { fs::remove_all(dir_); }

  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    tools::CliEnvironment env{out_, err_, plugins_, nullptr, false, {{"HOME", dir_.string()}}};
    args.insert(args.begin(), {"--data-dir", data_dir_});
    return tools::RunCli(args, env);
  }

  std::string WriteJob(const std::string& text) {
    std::string path = (dir_ / "job.json").string();
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
  std::string data_dir_;
  sync::PluginRegistry plugins_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(WarehouseCliTest, CreateDescribeQueryPartitionsAndExport) {
  ASSERT_EQ(Run({"warehouse", "create-table", kPersonSpec}), kExitOk) << err_.str();
  EXPECT_NE(out_.str().find("Created table person in " + data_dir_ + "/warehouse"),
            std::string::npos)
      << out_.str();

  // Tables change only through jobs: a query that would change one is refused.
  EXPECT_EQ(Run({"warehouse", "query",
                 "INSERT INTO person VALUES ('p1', 'name', 7, 'Ada', 'U', NULL, '20171019')"}),
            kExitJobFailed);
  EXPECT_NE(err_.str().find("the warehouse is read-only here"), std::string::npos) << err_.str();

  ASSERT_EQ(Run({"warehouse", "describe", "PERSON"}), kExitOk) << err_.str();
  EXPECT_NE(out_.str().find("Spec: " + std::string(kPersonSpec)), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("version      | BIGINT | no"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("pt           | STRING | yes"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("Rows: 0\n"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("Partitions: 0\n"), std::string::npos) << out_.str();

  // A partition exists once a job committed to it.
  ASSERT_EQ(Run({"warehouse", "partitions", "person"}), kExitOk);
  EXPECT_EQ(out_.str(), "");
  EXPECT_NE(err_.str().find("no partitions yet"), std::string::npos);
  ASSERT_EQ(Run({"warehouse", "export", "person", "--to", (dir_ / "none").string()}), kExitOk);
  EXPECT_EQ(out_.str(), "");
  EXPECT_NE(err_.str().find("Nothing exported: table person has no partitions yet"),
            std::string::npos);
  ASSERT_EQ(Run({"run", WriteJob(kSeedJob), "-p", "bdp.system.bizdate=20171019"}), kExitOk)
      << err_.str();
  ASSERT_EQ(Run({"warehouse", "partitions", "person"}), kExitOk);
  EXPECT_EQ(out_.str(), "pt=20171019\n");

  ASSERT_EQ(Run({"warehouse", "query",
                 "SELECT 1; SELECT id, version, sequenceinfo FROM person ORDER BY id"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(),
            "id | version       | sequenceinfo\n"
            "---+---------------+-------------\n"
            "p1 | 1508400700000 | NULL\n"
            "p2 |          NULL | NULL\n"
            "(2 rows)\n");
  ASSERT_EQ(Run({"warehouse", "query", "SELECT id, version FROM person WHERE id = 'p1'", "--format",
                 "csv"}),
            kExitOk);
  EXPECT_EQ(out_.str(), "id,version\r\np1,1508400700000\r\n");
  ASSERT_EQ(Run({"warehouse", "query", "SELECT id, version FROM person WHERE id = 'p1'",
                 "--format=json"}),
            kExitOk);
  EXPECT_EQ(out_.str(), "[\n  {\"id\": \"p1\", \"version\": 1508400700000}\n]\n");
  ASSERT_EQ(Run({"warehouse", "describe", "person"}), kExitOk) << err_.str();
  EXPECT_NE(out_.str().find("Rows: 2\n"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("Partitions: 1 (pt=20171019)\n"), std::string::npos) << out_.str();

  const std::string exported = (dir_ / "export").string();
  ASSERT_EQ(Run({"warehouse", "export", "person", "--partition", " pt = 20171019 ", "--to",
                 exported, "--compression", "zstd"}),
            kExitOk)
      << err_.str();
  const std::string file = exported + "/person/pt=20171019/part-00000.parquet";
  EXPECT_TRUE(fs::exists(file));
  EXPECT_NE(out_.str().find("Exported 2 rows of table person in 1 file (zstd)"), std::string::npos)
      << out_.str();
  // Read back through the warehouse's own engine.
  ASSERT_EQ(
      Run({"warehouse", "query", "SELECT id, optype FROM read_parquet('" + file + "') ORDER BY id",
           "--format", "csv"}),
      kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), "id,optype\r\np1,U\r\np2,DR\r\n");
}

TEST_F(WarehouseCliTest, TheJobSummarySaysWhereTheRowsWentAndHowToQueryThem) {
  ASSERT_EQ(Run({"warehouse", "create-table", kPersonSpec}), kExitOk) << err_.str();
  ASSERT_EQ(Run({"run", WriteJob(kSeedJob), "-p", "bdp.system.bizdate=20171019"}), kExitOk)
      << err_.str();
  const std::string query = "SELECT * FROM person WHERE pt = '20171019'";
  EXPECT_NE(err_.str().find("Destination               : partition pt=20171019 of table person "
                            "in " +
                            data_dir_ + "/warehouse (data source odps_first)\n"),
            std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("Warehouse lock held       : "), std::string::npos) << err_.str();
  const std::string command =
      "otsync warehouse query --data-dir " + data_dir_ + " \"" + query + "\"";
  EXPECT_NE(err_.str().find("Query it with             : " + command + "\n"), std::string::npos)
      << err_.str();

  // The command the summary gives shows the rows.
  ASSERT_EQ(Run({"warehouse", "query", "--data-dir", data_dir_, query + " ORDER BY id"}), kExitOk);
  EXPECT_EQ(out_.str(),
            "id | colname | version       | colvalue | optype | sequenceinfo | pt\n"
            "---+---------+---------------+----------+--------+--------------+---------\n"
            "p1 | name    | 1508400700000 | Ada      | U      | NULL         | 20171019\n"
            "p2 | NULL    |          NULL | NULL     | DR     | NULL         | 20171019\n"
            "(2 rows)\n");
}

TEST_F(WarehouseCliTest, TheJobLogShowsTheWritersWarningOnce) {
  plugins_.ReplaceReaderFactory("otsstream", [](const sync::PluginContext&) {
    return Result<std::unique_ptr<sync::Reader>>(std::make_unique<PersonReader>(false));
  });
  ASSERT_EQ(Run({"warehouse", "create-table", kPersonSpec}), kExitOk) << err_.str();
  ASSERT_EQ(Run({"run", WriteJob(kSeedJob), "-p", "bdp.system.bizdate=20171019"}), kExitOk)
      << err_.str();
  const std::string warning =
      "Warning: odps writer: the reader gives 5 fields for 6 columns, so sequenceinfo is NULL\n";
  const size_t first = err_.str().find(warning);
  ASSERT_NE(first, std::string::npos) << err_.str();
  EXPECT_EQ(err_.str().find(warning, first + 1), std::string::npos) << err_.str();

  // The same window again: recognised as committed, and the summary still says where it is.
  ASSERT_EQ(Run({"run", WriteJob(kSeedJob), "-p", "bdp.system.bizdate=20171019"}), kExitOk)
      << err_.str();
  EXPECT_NE(err_.str().find("Result                    : already committed, not written again\n"
                            "Rows in the window        :                   2\n"
                            "Destination               : partition pt=20171019 of table person"),
            std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("Query it with             : otsync warehouse query"),
            std::string::npos)
      << err_.str();
}

TEST_F(WarehouseCliTest, AJobIntoAMissingTableSaysHowToCreateIt) {
  EXPECT_EQ(Run({"run", WriteJob(kSeedJob), "-p", "bdp.system.bizdate=20171019"}),
            kExitBadConfiguration);
  EXPECT_NE(
      err_.str().find("create it with: otsync warehouse create-table --data-dir " + data_dir_ +
                      " \"person(id STRING, colname STRING, version STRING, colvalue "
                      "STRING, optype STRING, sequenceinfo STRING) PARTITIONED BY (pt "
                      "STRING)\""),
      std::string::npos)
      << err_.str();
}

TEST_F(WarehouseCliTest, BadArgumentsExitWithTwo) {
  ASSERT_EQ(Run({"warehouse", "create-table", kPersonSpec}), kExitOk) << err_.str();
  const std::vector<std::vector<std::string>> cases = {
      {"warehouse"},
      {"warehouse", "frobnicate"},
      {"warehouse", "create-table"},
      {"warehouse", "create-table", "person(id NOTATYPE)"},
      {"warehouse", "create-table", "person(id STRING", "PARTITIONED"},
      {"warehouse", "describe"},
      {"warehouse", "partitions"},
      {"warehouse", "query"},
      {"warehouse", "query", "  ; "},
      {"warehouse", "query", "SELECT 1", "--format", "xml"},
      {"warehouse", "query", "SELECT 1", "--datasource", "nosuch"},
      {"warehouse", "query", "SELECT 1", "--datasource", "otsstream"},
      {"warehouse", "export", "person"},
      {"warehouse", "export", "person", "--to", "x", "--compression", "rar"},
      {"warehouse", "export", "person", "--to", "x", "--partition", "region=hz"},
      {"warehouse", "export", "person", "--to", "x", "--partition", "pt"},
      {"warehouse", "describe", "person", "--bogus"},
  };
  for (const std::vector<std::string>& args : cases) {
    std::string joined;
    for (const std::string& arg : args) joined += arg + " ";
    EXPECT_EQ(Run(args), kExitBadConfiguration) << joined << "\n" << err_.str();
    EXPECT_FALSE(err_.str().empty()) << joined;
  }
  EXPECT_NE((Run({"warehouse", "query", "SELECT 1", "--datasource", "otsstream"}), err_.str())
                .find("is of type ots; the warehouse commands need an odps data source"),
            std::string::npos);
}

TEST_F(WarehouseCliTest, WarehouseRefusalsExitWithOne) {
  // Nothing exists yet: reading commands do not create the warehouse.
  EXPECT_EQ(Run({"warehouse", "query", "SELECT 1"}), kExitJobFailed);
  EXPECT_NE(err_.str().find("has no tables yet; create one with: otsync warehouse create-table"),
            std::string::npos)
      << err_.str();
  EXPECT_FALSE(fs::exists(data_dir_ + "/warehouse"));

  ASSERT_EQ(Run({"warehouse", "create-table", kPersonSpec}), kExitOk) << err_.str();
  EXPECT_EQ(Run({"warehouse", "create-table", "PERSON(x STRING)"}), kExitJobFailed);
  EXPECT_NE(err_.str().find("already exists"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"warehouse", "describe", "nosuch"}), kExitJobFailed);
  EXPECT_NE(err_.str().find("nosuch"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"warehouse", "partitions", "nosuch"}), kExitJobFailed);
  EXPECT_EQ(Run({"warehouse", "query", "SELEC 1"}), kExitJobFailed);
  EXPECT_NE(err_.str().find("syntax"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"warehouse", "export", "nosuch", "--to", (dir_ / "x").string()}), kExitJobFailed);
  EXPECT_EQ(
      Run({"warehouse", "export", "person", "--partition", "pt=1", "--to", (dir_ / "x").string()}),
      kExitJobFailed);
  EXPECT_NE(err_.str().find("partition pt=1 of table person does not exist; its partitions: none"),
            std::string::npos)
      << err_.str();

  ASSERT_EQ(Run({"warehouse", "create-table", "flat(a BIGINT)"}), kExitOk) << err_.str();
  EXPECT_EQ(Run({"warehouse", "partitions", "flat"}), kExitJobFailed);
  EXPECT_NE(err_.str().find("table flat is not partitioned"), std::string::npos) << err_.str();
}

TEST_F(WarehouseCliTest, AnotherOdpsDataSource) {
  const std::string other = (dir_ / "other" / "wh").string();
  ASSERT_EQ(Run({"datasource", "add", "odps_second", "--type", "odps", "--warehouse", other,
                 "--project", "second"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(Run({"datasource", "test", "odps_second"}), kExitJobFailed);  // No folder.
  EXPECT_NE(err_.str().find("nor its folder exists"), std::string::npos) << err_.str();
  ASSERT_EQ(Run({"warehouse", "create-table", "--datasource", "odps_second", "t(a BIGINT)"}),
            kExitOk)
      << err_.str();
  EXPECT_TRUE(fs::exists(other));
  EXPECT_FALSE(fs::exists(data_dir_ + "/warehouse"));
  EXPECT_EQ(Run({"warehouse", "describe", "t", "--datasource", "odps_second"}), kExitOk);
  EXPECT_EQ(Run({"datasource", "test", "odps_second"}), kExitOk);
  EXPECT_NE(out_.str().find("test passed: opened the warehouse " + other + ": 1 table (t)"),
            std::string::npos)
      << out_.str();
  // The default warehouse does not exist yet, but its parent folder does.
  EXPECT_EQ(Run({"datasource", "test", "odps_first"}), kExitOk);
  EXPECT_NE(out_.str().find("does not exist yet"), std::string::npos) << out_.str();
  EXPECT_FALSE(fs::exists(data_dir_ + "/warehouse"));
}

TEST_F(WarehouseCliTest, CheckFindsADamagedWarehouseAndRecoverGoesBackToItsLastGoodState) {
  ASSERT_EQ(Run({"warehouse", "create-table", kPersonSpec}), kExitOk) << err_.str();
  ASSERT_EQ(Run({"warehouse", "check"}), kExitOk) << err_.str();
  EXPECT_NE(out_.str().find("is consistent"), std::string::npos) << out_.str();
  ASSERT_EQ(Run({"run", WriteJob(kSeedJob), "-p", "bdp.system.bizdate=20171019"}), kExitOk)
      << err_.str();
  ASSERT_EQ(Run({"warehouse", "check"}), kExitOk) << out_.str() << err_.str();
  EXPECT_NE(out_.str().find("State 2: 1 table, 1 partition, 1 file, 2 rows, 1 committed window"),
            std::string::npos)
      << out_.str();

  // Someone deletes the partition's file.
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(data_dir_ + "/warehouse/data")) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  ASSERT_EQ(files.size(), 1u);
  fs::remove(files[0]);
  EXPECT_EQ(Run({"warehouse", "check"}), kExitJobFailed);
  EXPECT_NE(out_.str().find("problem: " + files[0].string() +
                            " of partition pt=20171019 of "
                            "table person is missing"),
            std::string::npos)
      << out_.str();
  EXPECT_NE(err_.str().find("`otsync warehouse recover` goes back"), std::string::npos);

  ASSERT_EQ(Run({"warehouse", "recover"}), kExitOk) << err_.str();
  EXPECT_NE(out_.str().find("State 2 was damaged; the newest good state, 1, is current again as "
                            "state 3"),
            std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("  partition pt=20171019 of table person: source table person"),
            std::string::npos)
      << out_.str();
  EXPECT_EQ(Run({"warehouse", "check"}), kExitOk) << out_.str();
  ASSERT_EQ(Run({"warehouse", "recover"}), kExitOk);
  EXPECT_NE(out_.str().find("Nothing to recover"), std::string::npos) << out_.str();

  // The lost window is exported again by running it.
  ASSERT_EQ(Run({"run", WriteJob(kSeedJob), "-p", "bdp.system.bizdate=20171019"}), kExitOk)
      << err_.str();
  ASSERT_EQ(Run({"warehouse", "query", "--format", "csv", "SELECT count(*) AS n FROM person"}),
            kExitOk);
  EXPECT_EQ(out_.str(), "n\r\n2\r\n");
}

TEST_F(WarehouseCliTest, HelpOnEveryWarehouseCommand) {
  for (const char* command : {"create-table", "describe", "partitions", "query", "export", "check",
                              "recover", "import-file"}) {
    EXPECT_EQ(Run({"warehouse", command, "--help"}), kExitOk) << command;
    EXPECT_NE(out_.str().find("Usage"), std::string::npos) << out_.str();
    EXPECT_NE(out_.str().find("--datasource"), std::string::npos) << command;
  }
  EXPECT_EQ(Run({"warehouse", "--help"}), kExitOk);
  EXPECT_NE(out_.str().find("create-table"), std::string::npos) << out_.str();
  // --data-dir after the subcommand, on datasource commands too.
  const std::string other = (dir_ / "other").string();
  EXPECT_EQ(Run({"datasource", "list", "--data-dir", other}), kExitOk) << err_.str();
  EXPECT_TRUE(fs::exists(other + "/datasources.json"));
  EXPECT_EQ(Run({"warehouse", "create-table", "t(a STRING)", "--data-dir", other}), kExitOk);
  EXPECT_TRUE(fs::exists(other + "/warehouse"));
  EXPECT_EQ(Run({"warehouse", "--help"}), kExitOk);
  EXPECT_NE(out_.str().find("create-table"), std::string::npos) << out_.str();
}

TEST(ShellQuoteTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ShellQuote("/tmp/a-b_c.d"), "/tmp/a-b_c.d");
  EXPECT_EQ(ShellQuote(""), "\"\"");
  EXPECT_EQ(ShellQuote("SELECT * FROM t WHERE pt = '1'"), "\"SELECT * FROM t WHERE pt = '1'\"");
  EXPECT_EQ(ShellQuote("it's $HOME"), "'it'\\''s $HOME'");
  EXPECT_EQ(WarehouseQueryCommand("/d", "odps_first", "t", ""),
            "otsync warehouse query --data-dir /d \"SELECT * FROM t\"");
  EXPECT_EQ(WarehouseQueryCommand("/d", "other", "t", "pt=1,region=hz"),
            "otsync warehouse query --data-dir /d --datasource other \"SELECT * FROM t WHERE pt "
            "= '1' AND region = 'hz'\"");
}

}  // namespace
}  // namespace otsync::odps
