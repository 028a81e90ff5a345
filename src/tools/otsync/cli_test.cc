#include "tools/otsync/cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "readers/otsstream/ots_datasource.h"
#include "readers/otsstream/otsstream_reader.h"
#include "writers/odps/odps_datasource.h"
#include "writers/stream/stream_writer.h"

namespace otsync::tools {
namespace {

namespace fs = std::filesystem;

class OneRecordReader final : public sync::Reader {
 public:
  Result<sync::WindowKey> Prepare() override { return sync::WindowKey{"person", "s", 1, 2}; }
  Result<std::vector<sync::ReaderTask>> Split(int advice) override {
    return std::vector<sync::ReaderTask>{{"shard-0", {}}};
  }
  Status RunTask(const sync::ReaderTask& task, sync::RecordSink& sink,
                 std::stop_token stop) override {
    return sink.Emit(sync::Record{{sync::Field::String("id-1"), sync::Field::String("name")}});
  }
  Result<std::string> EndCheckpoints() override { return std::string("cp"); }
  Status PublishCheckpoints(const std::string& end_checkpoints) override { return Status::OK(); }
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    plugins_.AddWriter(writers::StreamWriterPlugin());
    // Scripts naming otsstream are checked by its spec parser, but no reader runs them unless a
    // test gives one.
    sync::ReaderPlugin otsstream = readers::otsstream::OtsStreamReaderPlugin();
    otsstream.make = nullptr;
    plugins_.AddReader(std::move(otsstream));
    // Nothing is tested for real: a test gives the `ots` type a tester where it needs one.
    sync::DataSourceType ots = readers::otsstream::OtsDataSourceType();
    ots.test = nullptr;
    plugins_.AddDataSourceType(std::move(ots));
    plugins_.AddDataSourceType(odps::OdpsDataSourceType());
  }
  void TearDown() override { fs::remove_all(dir_); }

  int Run(std::vector<std::string> args, std::map<std::string, std::string> variables = {}) {
    out_.str("");
    err_.str("");
    variables["OTSYNC_DATA_DIR"] = (dir_ / "data").string();
    CliEnvironment env{out_, err_, plugins_, nullptr, false, std::move(variables)};
    return RunCli(args, env);
  }

  std::string WriteJob(const std::string& text) {
    std::string path = (dir_ / ("job" + std::to_string(jobs_++) + ".json")).string();
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
  sync::PluginRegistry plugins_;
  std::ostringstream out_;
  std::ostringstream err_;
  int jobs_ = 0;
};

constexpr const char* kStreamJob = R"({"type": "job", "version": "1.0", "configuration": {
  "reader": {"plugin": "otsstream", "parameter": {"datasource": "otsstream",
    "dataTable": "person", "statusTable": "status",
    "startTimeString": "${startTime}", "endTimeString": "20171019162600"}},
  "writer": {"plugin": "stream", "parameter": {"print": true}},
  "setting": {"speed": {"mbps": 7, "concurrent": 7}}}})";

TEST_F(CliTest, BrokenScriptsExitWithTwoAndTheirMessage) {
  struct Case {
    std::string script;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{", "job"},
      {R"({"type": "task", "configuration": {}})", "type: expected \"job\""},
      {R"({"configuration": {"writer": {}}})", "configuration.reader: missing the key"},
      {R"({"configuration": {"reader": {"plugin": "mysql", "parameter": {}}}})",
       "unsupported reader plugin \"mysql\""},
      {R"({"type": "job", "configuration": {"reader": {"plugin": "otsstream", "parameter": {
         "datasource": "otsstream", "statusTable": "s"}}, "writer": {"plugin": "stream",
         "parameter": {}}}})",
       ".dataTable: missing the key"},
      {R"({"type": "job", "configuration": {"reader": {"plugin": "otsstream", "parameter": {
         "datasource": "nosuchsource", "dataTable": "t", "statusTable": "s",
         "startTimeString": "20171019161000", "endTimeString": "20171019162600"}},
         "writer": {"plugin": "stream", "parameter": {}}}})",
       "nosuchsource"},
  };
  for (const Case& test : cases) {
    EXPECT_EQ(Run({"run", WriteJob(test.script), "-p", "startTime=20171019161000"}),
              kExitBadConfiguration)
        << test.script;
    EXPECT_NE(err_.str().find(test.message), std::string::npos) << err_.str();
  }
  // An unresolved variable names itself.
  EXPECT_EQ(Run({"run", WriteJob(kStreamJob)}), kExitBadConfiguration);
  EXPECT_NE(err_.str().find("${startTime}"), std::string::npos) << err_.str();
  // A missing file, a malformed -p, bad arguments.
  EXPECT_EQ(Run({"run", (dir_ / "missing.json").string()}), kExitBadConfiguration);
  EXPECT_EQ(Run({"run", WriteJob(kStreamJob), "-p", "novalue"}), kExitBadConfiguration);
  EXPECT_EQ(Run({"run"}), kExitBadConfiguration);
  EXPECT_EQ(Run({"frobnicate"}), kExitBadConfiguration);
}

TEST_F(CliTest, RunWithoutTheReaderPluginFailsClearly) {
  EXPECT_EQ(Run({"run", WriteJob(kStreamJob), "-p", "startTime=20171019161000"}), kExitJobFailed);
  EXPECT_NE(err_.str().find("reader plugin 'otsstream' is not available"), std::string::npos)
      << err_.str();
}

TEST_F(CliTest, RunWithARegisteredReaderSucceeds) {
  plugins_.ReplaceReaderFactory("otsstream", [](const sync::PluginContext&) {
    return Result<std::unique_ptr<sync::Reader>>(std::make_unique<OneRecordReader>());
  });
  EXPECT_EQ(Run({"run", WriteJob(kStreamJob), "-p", "startTime=20171019161000"}), kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), "id-1\tname\n");
  EXPECT_NE(err_.str().find("Records read              :                   1"), std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("1 rows printed to standard output"), std::string::npos);
}

// The script's yyyyMMddHHmmss is read in --time-zone, else in $TZ (a leading ':' allowed, as glibc
// does), else in Asia/Shanghai, and the log's times are in that zone. A zone otsync does not know
// is refused before anything runs.
TEST_F(CliTest, RunReadsTimeStringsInTheZoneItIsGiven) {
  int64_t start_millis = 0;
  plugins_.ReplaceReaderFactory("otsstream", [&](const sync::PluginContext& context) {
    start_millis =
        context.job.reader.parameters.As<readers::otsstream::OtsStreamReaderSpec>() != nullptr
            ? context.job.reader.parameters.As<readers::otsstream::OtsStreamReaderSpec>()
                  ->start_timestamp_millis
            : -1;
    return Result<std::unique_ptr<sync::Reader>>(std::make_unique<OneRecordReader>());
  });
  const std::string job = WriteJob(kStreamJob);
  constexpr int64_t kUtcMillis = 1508429400000;  // 2017-10-19 16:10:00 UTC.
  constexpr int64_t kHourMillis = 3'600'000;

  ASSERT_EQ(Run({"run", job, "-p", "startTime=20171019161000"}), kExitOk) << err_.str();
  EXPECT_EQ(start_millis, kUtcMillis - 8 * kHourMillis);
  // The reader's window, [1, 2) ms, in the log in the run's zone.
  EXPECT_NE(err_.str().find("window [19700101080000, 19700101080000)"), std::string::npos)
      << err_.str();

  ASSERT_EQ(Run({"run", job, "-p", "startTime=20171019161000"}, {{"TZ", "UTC"}}), kExitOk)
      << err_.str();
  EXPECT_EQ(start_millis, kUtcMillis);
  EXPECT_NE(err_.str().find("window [19700101000000, 19700101000000)"), std::string::npos)
      << err_.str();
  ASSERT_EQ(Run({"run", job, "-p", "startTime=20171019161000"}, {{"TZ", ":UTC"}}), kExitOk)
      << err_.str();
  EXPECT_EQ(start_millis, kUtcMillis);

  ASSERT_EQ(
      Run({"run", job, "--time-zone", "-05:00", "-p", "startTime=20171019161000"}, {{"TZ", "UTC"}}),
      kExitOk)
      << err_.str();
  EXPECT_EQ(start_millis, kUtcMillis + 5 * kHourMillis);

  start_millis = 0;
  EXPECT_EQ(Run({"run", job, "--time-zone", "Mars/Olympus", "-p", "startTime=20171019161000"}),
            kExitBadConfiguration);
  EXPECT_NE(err_.str().find("--time-zone: unknown time zone 'Mars/Olympus'"), std::string::npos)
      << err_.str();
  EXPECT_EQ(Run({"run", job, "-p", "startTime=20171019161000"}, {{"TZ", "Mars/Olympus"}}),
            kExitBadConfiguration);
  EXPECT_NE(err_.str().find("the TZ environment variable: unknown time zone 'Mars/Olympus'"),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(start_millis, 0);  // No reader was made.
}

TEST_F(CliTest, DataSourcesAreManagedAndSecretsMasked) {
  const std::string secret = "SuperSecretAccessKey123";
  EXPECT_EQ(
      Run({"datasource", "add", "prod_ots", "--type", "ots", "--endpoint", "http://127.0.0.1:1",
           "--instance", "prod", "--access-id", "LTAIabcdef", "--access-key", secret}),
      kExitOk)
      << err_.str();
  EXPECT_EQ(Run({"datasource", "list"}), kExitOk);
  EXPECT_NE(out_.str().find("prod_ots"), std::string::npos);
  EXPECT_NE(out_.str().find("odps_first"), std::string::npos);
  EXPECT_EQ(out_.str().find(secret), std::string::npos);
  EXPECT_EQ(Run({"datasource", "show", "prod_ots"}), kExitOk);
  EXPECT_NE(out_.str().find("endpoint:"), std::string::npos);
  EXPECT_EQ(out_.str().find(secret), std::string::npos);

  EXPECT_EQ(Run({"datasource", "test", "prod_ots"}), kExitJobFailed);  // No tester registered.
  plugins_.ReplaceDataSourceTester("ots", [](const sync::DataSource&) -> Result<std::string> {
    return Status::Unavailable("connection refused");
  });
  EXPECT_EQ(Run({"datasource", "test", "prod_ots"}), kExitJobFailed);
  EXPECT_NE(err_.str().find("test failed: connection refused"), std::string::npos);
  EXPECT_EQ(err_.str().find(secret), std::string::npos);

  EXPECT_EQ(Run({"datasource", "add", "1bad", "--type", "ots"}), kExitBadConfiguration);
  EXPECT_EQ(Run({"datasource", "add", "prod_ots", "--type", "ots", "--endpoint", "http://h",
                 "--instance", "i", "--access-id", "a", "--access-key", "k"}),
            kExitBadConfiguration);  // Exists already.
  EXPECT_EQ(Run({"datasource", "remove", "prod_ots"}), kExitOk);
  EXPECT_EQ(Run({"datasource", "show", "prod_ots"}), kExitBadConfiguration);
}

TEST_F(CliTest, ADataSourceTypeBringsItsOwnFlags) {
  sync::DataSourceType files;
  files.name = "files";
  sync::DataSourceField token = sync::RequiredField("accessToken", "a token", "the token");
  token.secret = true;
  token.environment_variable = "FILES_TOKEN";
  files.fields = {sync::RequiredField("path", "a folder", "the folder"), token};
  plugins_.AddDataSourceType(files);

  EXPECT_EQ(Run({"datasource", "add", "--help"}), kExitOk);
  EXPECT_NE(out_.str().find("ots, odps or files"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("--access-token TEXT"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("files: the token (or set FILES_TOKEN, which keeps it out of the "
                            "process list)"),
            std::string::npos)
      << out_.str();

  EXPECT_EQ(Run({"datasource", "add", "f1", "--type", "files", "--path", "/srv"}),
            kExitBadConfiguration);
  EXPECT_EQ(err_.str(), "otsync: data source f1: accessToken: expected a token\n");
  EXPECT_EQ(Run({"datasource", "add", "f1", "--type", "files", "--path", "/srv", "--access-token",
                 "FilesSecretToken9"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), "Added data source 'f1' (files).\n");
  EXPECT_EQ(Run({"datasource", "show", "f1"}), kExitOk);
  EXPECT_NE(out_.str().find("accessToken:  ****"), std::string::npos) << out_.str();
  EXPECT_EQ(out_.str().find("FilesSecretToken9"), std::string::npos);
  EXPECT_EQ(Run({"datasource", "test", "f1"}), kExitJobFailed);
  EXPECT_NE(err_.str().find("testing data sources of type files is not available"),
            std::string::npos);
}

TEST_F(CliTest, HelpOnEveryCommand) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"run", "--help"},
                                             {"datasource", "--help"},
                                             {"datasource", "add", "--help"},
                                             {"datasource", "test", "--help"},
                                             {"params", "resolve", "--help"},
                                             {"table", "--help"},
                                             {"table", "put", "--help"},
                                             {"table", "import", "--help"}}) {
    EXPECT_EQ(Run(args), kExitOk) << args.back();
    EXPECT_NE(out_.str().find("Usage"), std::string::npos) << out_.str();
  }
}

TEST_F(CliTest, ParamsResolvePrintsOneLinePerParameter) {
  EXPECT_EQ(Run({"params", "resolve", "--at", "2025-11-01 02:30:45",
                 "startTime=$[yyyymmddhh24miss-10/24/60]", "endTime=$[yyyymmddhh24miss-5/24/60]",
                 "pt=${bdp.system.bizdate}", "day=${yyyy-mm-dd}"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(),
            "startTime=20251101022045\nendTime=20251101022545\npt=20251031\nday=2025-10-31\n");
  EXPECT_EQ(err_.str(), "");

  // A backfill of 2025-03-15 for a task of 00:00, in another zone, with the instance's ids.
  EXPECT_EQ(Run({"params", "resolve", "--at", "2000-01-01 00:00:00", "--backfill-date", "20250315",
                 "--tz", "America/New_York", "--task-id", "42", "cyc=$cyctime", "biz=$bizdate",
                 "id=$taskid"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), "cyc=20250316000000\nbiz=20250315\nid=42\n");
}

TEST_F(CliTest, ParamsResolveNamesEachBadParameterAndPrintsNothing) {
  EXPECT_EQ(Run({"params", "resolve", "--at", "2025-11-01 02:30:45", "good=$bizdate",
                 "spaced=$[yyyy-mm-dd hh24:mi:ss]", "java=${yyyyMMdd}", "good=1"}),
            kExitBadConfiguration);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(),
            "otsync: parameter spaced: the expression contains a space, which DataWorks does not "
            "allow; to write a date and a time apart, use two parameters and put the space where "
            "they are used\n"
            "otsync: parameter java: ${yyyyMMdd}: 'MMdd' in 'yyyyMMdd' does not begin with a "
            "field; the fields are yyyy, yy, mm, dd, hh24, hh, mi and ss, in lowercase\n"
            "otsync: parameter good is given twice\n");

  // Seconds may be left out, as in the other commands' times.
  EXPECT_EQ(Run({"params", "resolve", "--at", "2025-11-01 02:30", "t=$[hh24miss]"}), kExitOk);
  EXPECT_EQ(out_.str(), "t=023000\n");
  EXPECT_EQ(Run({"params", "resolve", "--at", "2025-11-01", "a=1"}), kExitBadConfiguration);
  EXPECT_EQ(err_.str(),
            "otsync: --at: '2025-11-01' is not a time: expected YYYY-MM-DD HH:MM[:SS]\n");
  EXPECT_EQ(
      Run({"params", "resolve", "--at", "2025-11-01 00:00:00", "--tz", "Mars/Olympus", "a=1"}),
      kExitBadConfiguration);
  EXPECT_NE(err_.str().find("--tz: unknown time zone 'Mars/Olympus'"), std::string::npos)
      << err_.str();
  EXPECT_EQ(Run({"params", "resolve", "--at", "2025-11-01 00:00:00", "--backfill-date", "20250230",
                 "a=1"}),
            kExitBadConfiguration);
  EXPECT_EQ(err_.str(), "otsync: --backfill-date: '20250230' is not a date: expected YYYYMMDD\n");
  EXPECT_EQ(Run({"params", "resolve", "--at", "2025-11-01 00:00:00"}), kExitBadConfiguration);
}

TEST_F(CliTest, TableCommandsSayWhatIsWrong) {
  ASSERT_EQ(
      Run({"datasource", "add", "nowhere", "--type", "ots", "--endpoint", "http://127.0.0.1:1",
           "--instance", "local", "--access-id", "id", "--access-key", "key"}),
      kExitOk)
      << err_.str();
  EXPECT_EQ(Run({"table", "list", "--datasource", "nowhere"}), kExitJobFailed);
  EXPECT_NE(err_.str().find("otsync: table list: nothing answers at data source 'nowhere' at "
                            "http://127.0.0.1:1 ("),
            std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("Is otsd running? Start it with: otsd --data-dir /tmp/otsd-data "
                            "--listen 127.0.0.1:1"),
            std::string::npos)
      << err_.str();

  EXPECT_EQ(Run({"table", "describe", "person", "--datasource", "odps_first"}),
            kExitBadConfiguration);
  EXPECT_NE(err_.str().find("data source 'odps_first' is of type odps, not ots"), std::string::npos)
      << err_.str();
  EXPECT_EQ(Run({"table", "describe", "person", "--datasource", "nosuch"}), kExitBadConfiguration);
  EXPECT_EQ(Run({"table", "create", "t", "--pk", "id:string", "--stream", "500"}),
            kExitBadConfiguration);
  EXPECT_EQ(Run({"table", "scan"}), kExitBadConfiguration);
  // A row that does not parse is refused before any request: no otsd needed to learn of a typo.
  EXPECT_EQ(Run({"table", "put", "t", "{\"pk\":{\"id\":\"a\"},}}", "--datasource", "nowhere"}),
            kExitBadConfiguration);
  EXPECT_NE(err_.str().find("otsync: table put: line 1, column 19: syntax error"),
            std::string::npos)
      << err_.str();
}

}  // namespace
}  // namespace otsync::tools
