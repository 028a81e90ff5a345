#include "sync/job_script.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "readers/otsstream/otsstream_reader.h"
#include "writers/odps/odps_writer_spec.h"
#include "writers/odps/warehouse_cli.h"
#include "writers/stream/stream_writer.h"
#include "writers/txtfile/txtfile_writer.h"

namespace otsync::sync {
namespace {

using odps::OdpsWriterSpec;
using readers::otsstream::OtsConnectionSpec;
using readers::otsstream::OtsStreamMode;
using readers::otsstream::OtsStreamReaderSpec;
using readers::otsstream::TimeRangeForm;
using writers::StreamWriterSpec;
using writers::TxtFileFormat;
using writers::TxtFileWriteMode;
using writers::TxtFileWriterSpec;

// 2017-10-20 01:00 in Shanghai: the business date is 20171019.
constexpr int64_t kNowMicros = 1508432400000LL * 1000;
constexpr int64_t kStartMillis = 1508400600000;  // 20171019161000 in Shanghai.
constexpr int64_t kEndMillis = 1508401560000;    // 20171019162600 in Shanghai.

std::string ReadTestData(const std::string& name) {
  std::ifstream file(std::string(OTSYNC_SYNC_TESTDATA_DIR) + "/" + name);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The plugins of the otsync binary, whose parameters the scripts below use.
const PluginRegistry& Plugins() {
  static const PluginRegistry* plugins = [] {
    auto* registry = new PluginRegistry;
    registry->AddReader(readers::otsstream::OtsStreamReaderPlugin());
    registry->AddWriter(odps::OdpsWriterPlugin());
    registry->AddWriter(writers::StreamWriterPlugin());
    registry->AddWriter(writers::TxtFileWriterPlugin());
    return registry;
  }();
  return *plugins;
}

// The plugin's spec held by `spec`, which must be a T.
template <typename T>
const T& SpecOf(const PluginSpec& spec) {
  static const T kNone{};
  EXPECT_NE(spec.As<T>(), nullptr);
  return spec.As<T>() != nullptr ? *spec.As<T>() : kNone;
}

JobScriptOptions SeedOptions() {
  JobScriptOptions options;
  options.plugins = &Plugins();
  options.variables = {{"startTime", "20171019161000"}, {"endTime", "20171019162600"}};
  options.clock = std::make_shared<ManualClock>(kNowMicros);
  return options;
}

JobSpec ExpectedSeedJob() {
  JobSpec job;
  job.format = JobScriptFormat::kDataWorksScript;
  job.reader.plugin = "otsstream";
  OtsStreamReaderSpec reader;
  reader.datasource = "otsstream";
  reader.data_table = "person";
  reader.status_table = "TableStoreStreamReaderStatusTable";
  reader.time_range_form = TimeRangeForm::kTimeString;
  reader.start_timestamp_millis = kStartMillis;
  reader.end_timestamp_millis = kEndMillis;
  reader.time_zone = "Asia/Shanghai";
  reader.max_retries = 30;
  reader.is_export_sequence_info = false;
  job.reader.parameters = PluginSpec::Of(reader);
  job.writer.plugin = "odps";
  OdpsWriterSpec writer;
  writer.datasource = "odps_first";
  writer.table = "person";
  writer.truncate = true;
  writer.partition = "pt=20171019";
  writer.columns = {"id", "colname", "version", "colvalue", "optype", "sequenceinfo"};
  job.writer.parameters = PluginSpec::Of(writer);
  job.speed.concurrent = 7;
  job.speed.bytes_per_second = 7 * 1024 * 1024;
  job.speed.throttle = true;
  return job;
}

TEST(JobScriptTest, SeedScriptParsesVerbatim) {
  Result<JobSpec> job = ParseJobScript(ReadTestData("seed_job.json"), SeedOptions());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_TRUE(job->warnings.empty()) << job->warnings.front();
  EXPECT_EQ(*job, ExpectedSeedJob());
}

TEST(JobScriptTest, DataXJobParsesIntoTheSameModel) {
  Result<JobSpec> job = ParseJobScript(ReadTestData("datax_job.json"), SeedOptions());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  JobSpec expected = ExpectedSeedJob();
  expected.format = JobScriptFormat::kDataXJob;
  expected.error_limit.record = 0;
  expected.error_limit.percentage = 0.02;
  EXPECT_TRUE(job->warnings.empty()) << job->warnings.front();
  EXPECT_EQ(*job, expected);
}

TEST(JobScriptTest, LoadJobScriptReadsFilesAndNamesThemInErrors) {
  Result<JobSpec> job =
      LoadJobScript(std::string(OTSYNC_SYNC_TESTDATA_DIR) + "/seed_job.json", SeedOptions());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  Result<JobSpec> missing = LoadJobScript("/nonexistent/job.json", SeedOptions());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "cannot read job script /nonexistent/job.json: No such file or directory");
}

constexpr const char* kGoodReader =
    R"("datasource": "otsstream", "dataTable": "person", "statusTable": "status",
       "startTimeString": "20171019161000", "endTimeString": "20171019162600")";
constexpr const char* kGoodWriter =
    R"({"plugin": "odps", "parameter": {"datasource": "odps_first", "table": "person",
        "truncate": false, "partition": "pt=1", "column": ["*"]}})";

std::string Script(const std::string& reader_parameters, const std::string& writer = kGoodWriter,
                   const std::string& setting = "") {
  std::string script = R"({"type": "job", "version": "1.0", "configuration": {
    "reader": {"plugin": "otsstream", "parameter": {)" +
                       reader_parameters + R"(}},
    "writer": )" + writer;
  if (!setting.empty()) script += R"(, "setting": )" + setting;
  return script + "}}";
}

std::string WithReader(const std::string& extra) {
  return Script(std::string(kGoodReader) + "," + extra);
}

std::string DataX(const std::string& content) { return R"({"job": {"content": )" + content + "}}"; }

// DataX takes any threadNum; zero or less asks for its own pool size.
TEST(JobScriptTest, ThreadNumIsAnyInteger) {
  for (int64_t thread_num : {-1, 0, 1, 64}) {
    Result<JobSpec> job =
        ParseJobScript(WithReader(R"("threadNum": )" + std::to_string(thread_num)), SeedOptions());
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    EXPECT_EQ(SpecOf<OtsStreamReaderSpec>(job->reader.parameters).thread_num, thread_num);
  }
}

TEST(JobScriptTest, ParsesDirectConnectionsAndOtherForms) {
  Result<JobSpec> job =
      ParseJobScript(DataX(R"([{"reader": {"name": "otsstreamreader", "parameter": {
          "endpoint": "http://127.0.0.1:8800", "accessId": "id", "accessKey": "secret",
          "instanceName": "local", "dataTable": "t", "statusTable": "s",
          "startTimestampMillis": 1000, "endTimestampMillis": "2000"}},
        "writer": {"name": "streamwriter", "parameter": {"print": "false"}}}])"),
                     SeedOptions());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  const OtsStreamReaderSpec& reader = SpecOf<OtsStreamReaderSpec>(job->reader.parameters);
  ASSERT_TRUE(reader.connection.has_value());
  EXPECT_EQ(*reader.connection,
            (OtsConnectionSpec{"http://127.0.0.1:8800", "id", "secret", "local"}));
  EXPECT_EQ(reader.time_range_form, TimeRangeForm::kTimestampMillis);
  EXPECT_EQ(reader.start_timestamp_millis, 1000);
  EXPECT_EQ(reader.end_timestamp_millis, 2000);
  EXPECT_EQ(job->writer.plugin, "stream");
  EXPECT_FALSE(SpecOf<StreamWriterSpec>(job->writer.parameters).print);
  EXPECT_EQ(job->speed, SpeedSpec{});

  job = ParseJobScript(Script(R"("datasource": "otsstream", "DataTable ": "t", "statusTable": "s",
                                 "date": "20171019", "mode": "SINGLE_VERSION_AND_UPDATE_ONLY",
                                 "column": [{"name": "a"}, {"name": "b"}], "extra": 1)",
                              R"({"plugin": "txtfile", "parameter": {"path": "/tmp/out",
                                  "fileName": "rows", "writeMode": "nonConflict",
                                  "fileFormat": "CSV", "fieldDelimiter": "\t"}})",
                              R"({"speed": {"throttle": false, "mbps": 3, "concurrent": "2"},
                                  "errorLimit": {"record": ""}})"),
                       SeedOptions());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(SpecOf<OtsStreamReaderSpec>(job->reader.parameters).time_range_form,
            TimeRangeForm::kDate);
  EXPECT_EQ(SpecOf<OtsStreamReaderSpec>(job->reader.parameters).start_timestamp_millis,
            1508342400000);
  EXPECT_EQ(SpecOf<OtsStreamReaderSpec>(job->reader.parameters).end_timestamp_millis,
            1508342400000 + 86'400'000);
  EXPECT_EQ(SpecOf<OtsStreamReaderSpec>(job->reader.parameters).mode,
            OtsStreamMode::kSingleVersionAndUpdateOnly);
  ASSERT_EQ(SpecOf<OtsStreamReaderSpec>(job->reader.parameters).columns.size(), 2u);
  EXPECT_EQ(SpecOf<OtsStreamReaderSpec>(job->reader.parameters).columns[1].name, "b");
  const auto& txtfile = SpecOf<TxtFileWriterSpec>(job->writer.parameters);
  EXPECT_EQ(txtfile.write_mode, TxtFileWriteMode::kNonConflict);
  EXPECT_EQ(txtfile.file_format, TxtFileFormat::kCsv);
  EXPECT_EQ(txtfile.field_delimiter, '\t');
  EXPECT_EQ(job->speed.concurrent, 2);
  EXPECT_FALSE(job->speed.throttle);
  EXPECT_FALSE(job->speed.bytes_per_second.has_value());
  EXPECT_FALSE(job->error_limit.record.has_value());
  EXPECT_EQ(job->warnings,
            (std::vector<std::string>{
                "configuration.reader.parameter.extra: unknown key, ignored",
                "configuration.setting.speed.mbps: throttle is false, mbps ignored"}));
}

TEST(JobScriptTest, NormalisesThePartitionAsDataXDoes) {
  Result<JobSpec> job = ParseJobScript(
      Script(kGoodReader,
             R"({"plugin": "odps", "parameter": {"datasource": "odps_first", "table": "t",
                 "truncate": "TRUE", "partition": " pt = '20150101' / type=1 ,biz =2 ",
                 "column": ["a"]}})"),
      SeedOptions());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(SpecOf<OdpsWriterSpec>(job->writer.parameters).partition, "pt=20150101,type=1,biz=2");
}

TEST(JobScriptTest, TimeStringsAreReadInTheChosenZone) {
  JobScriptOptions options = SeedOptions();
  options.time_zone = TimeZone::Utc();
  Result<JobSpec> job = ParseJobScript(Script(kGoodReader), options);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(SpecOf<OtsStreamReaderSpec>(job->reader.parameters).start_timestamp_millis,
            kStartMillis + 8 * 3'600'000);
  EXPECT_EQ(SpecOf<OtsStreamReaderSpec>(job->reader.parameters).time_zone, "UTC");
}

struct BrokenScript {
  std::string script;
  std::string message;
};

TEST(JobScriptTest, BrokenScriptsGiveTheirExactErrors) {
  const std::string reader_prefix = "configuration.reader.parameter";
  const std::string writer_prefix = "configuration.writer.parameter";
  const BrokenScript cases[] = {
      {R"({"type": "job",, })",
       "job script is not valid JSON: line 1, column 16: syntax error while parsing object key - "
       "unexpected ','; expected string literal"},
      {"[1, 2]", "job script: expected a JSON object at the top level"},
      {R"({"type": "job"})",
       "job script: expected a DataWorks script with \"configuration\" or a DataX job with "
       "\"job\""},
      {R"({"type": "task", "configuration": {}})", "type: expected \"job\", got \"task\""},
      {R"({"configuration": {}, "Configuration ": {}})",
       "Configuration: the key is given more than once (keys are matched ignoring case and "
       "surrounding spaces)"},
      {R"({"configuration": {"writer": {}}})",
       "configuration.reader: missing the key. Expected an object with plugin and parameter."},
      {R"({"configuration": {"reader": {"plugin": "mysql", "parameter": {}}}})",
       "configuration.reader.plugin: unsupported reader plugin \"mysql\", expected otsstream"},
      {R"({"configuration": {"reader": {"plugin": "otsstream", "parameter": []}}})",
       "configuration.reader.parameter: expected an object, got an array"},
      {Script(R"("datasource": "otsstream", "statusTable": "s")"),
       reader_prefix +
           ".dataTable: missing the key. Expected the name of the table whose stream is "
           "exported."},
      {Script(R"("datasource": "otsstream", "dataTable": "  ", "statusTable": "s")"),
       reader_prefix +
           ".dataTable: input the key is empty string. Expected the name of the table whose "
           "stream is exported."},
      {Script(R"("datasource": "otsstream", "dataTable": 5, "statusTable": "s")"),
       reader_prefix + ".dataTable: expected a string, got an integer"},
      {Script(R"("dataTable": "t", "statusTable": "s")"),
       reader_prefix + ".endpoint: missing the key. Expected the Tablestore endpoint such as "
                       "http://127.0.0.1:8800, or a registered data source named by datasource."},
      {Script(R"("datasource": "otsstream", "endpoint": "http://x", "dataTable": "t")"),
       reader_prefix + ".datasource: give either datasource or endpoint, accessId, accessKey and "
                       "instanceName, not both"},
      {Script(R"("endpoint": "127.0.0.1:8800", "accessId": "i", "accessKey": "k")"),
       reader_prefix + ".endpoint: expected an endpoint starting with http:// or https://"},
      {Script(R"("endpoint": "http://h", "accessId": "i", "accessKey": 12345)"),
       reader_prefix + ".accessKey: expected a string, got an integer"},
      {Script(R"("endpoint": "http://h", "accessId": "i", "accessKey": "${ak}")"),
       reader_prefix + ".accessKey: unresolved variable ${ak}, give its value with -p ak=<value>"},
      {Script(R"("datasource": "otsstream", "dataTable": "t", "statusTable": "s",
                 "startTimeString": "20171019161000")"),
       reader_prefix +
           ": Must set date or time range millis or time range string, please check your "
           "config."},
      {WithReader(R"("date": "20171019", "startTimestampMillis": 1)"),
       reader_prefix +
           ": Can't set date and time range millis and time range string, please check your "
           "config."},
      {Script(R"("datasource": "o", "dataTable": "t", "statusTable": "s", "date": "20171019",
                 "startTimestampMillis": 1, "endTimestampMillis": 2)"),
       reader_prefix + ": Can't set date and time range both, please check your config."},
      {WithReader(R"("date": "20171019")"),
       reader_prefix + ": Can't set date and time range string both, please check your config."},
      {WithReader(R"("endTimestampMillis": 1516010400000)"),
       reader_prefix +
           ": Can't set time range millis and time range string both, expect timestamp like "
           "'1516010400000'."},
      {Script(R"("datasource": "o", "dataTable": "t", "statusTable": "s",
                 "startTimeString": "201710191610", "endTimeString": "20171019162600")"),
       reader_prefix +
           ".startTimeString: Can't parse startTimeString: 201710191610, expect format date like "
           "'201801151612'."},
      {Script(R"("datasource": "o", "dataTable": "t", "statusTable": "s",
                 "startTimeString": "20171019161000", "endTimeString": "20171019256000")"),
       reader_prefix +
           ".endTimeString: Can't parse endTimeString: 20171019256000, expect format date like "
           "'201801151612'."},
      {Script(R"("datasource": "o", "dataTable": "t", "statusTable": "s",
                 "startTimeString": "20171019161000", "endTimeString": "20171019161000")"),
       reader_prefix + ".endTimeString: EndTimestamp must be larger than startTimestamp."},
      {Script(R"("datasource": "o", "dataTable": "t", "statusTable": "s", "date": "2017-10-19")"),
       reader_prefix + ".date: Can't parse date: 2017-10-19"},
      {Script(R"("datasource": "o", "dataTable": "t", "statusTable": "s",
                 "startTimestampMillis": "soon", "endTimestampMillis": 2)"),
       reader_prefix + ".startTimestampMillis: expected an integer, got \"soon\""},
      {Script(R"("datasource": "o", "dataTable": "t", "statusTable": "s",
                 "startTimeString": "${begin}", "endTimeString": "20171019162600")"),
       reader_prefix + ".startTimeString: unresolved variable ${begin}, give its value with -p "
                       "begin=<value>"},
      {WithReader(R"("isExportSequenceInfo": "yes")"),
       reader_prefix + ".isExportSequenceInfo: expected a boolean (true or false), got \"yes\""},
      {WithReader(R"("maxRetries": -1)"),
       reader_prefix + ".maxRetries: expected an integer >= 0, got -1"},
      {WithReader(R"("threadNum": "many")"),
       reader_prefix + ".threadNum: expected an integer, got \"many\""},
      {WithReader(R"("mode": "multi_version")"),
       reader_prefix + ".mode: Unsupported Mode: multi_version, please check your config."},
      {WithReader(R"("mode": "single_version_and_update_only", "column": ["a"])"),
       reader_prefix +
           ".column[0]: Parse column fail, please check your config. The item of column must be "
           "map object, please check your input."},
      {Script(kGoodReader, R"({"plugin": "mysql", "parameter": {}})"),
       "configuration.writer.plugin: unsupported writer plugin \"mysql\", expected one of odps, "
       "stream, txtfile"},
      {Script(kGoodReader, R"({"plugin": "odps", "parameter": {"datasource": "odps_first",
                               "table": "t", "column": ["a"]}})"),
       writer_prefix +
           ".truncate: missing the key. Expected true (Insert Overwrite: clear the table or "
           "partition before writing) or false (Insert Into: append)."},
      {Script(kGoodReader, R"({"plugin": "odps", "parameter": {"table": "t", "truncate": true,
                               "column": ["a"]}})"),
       writer_prefix +
           ".datasource: missing the key. Expected the name of a registered odps data source (or, "
           "in a DataX job, the project)."},
      {Script(kGoodReader, R"({"plugin": "odps", "parameter": {"datasource": "d", "table": "t",
                               "truncate": true, "column": []}})"),
       writer_prefix +
           ".column: missing the key. Expected the destination column names, or [\"*\"] for all "
           "columns."},
      {Script(kGoodReader, R"({"plugin": "odps", "parameter": {"datasource": "d", "table": "t",
                               "truncate": true, "column": ["a", "*"]}})"),
       writer_prefix + ".column[1]: \"*\" stands for all columns and must be the only entry"},
      {Script(kGoodReader, R"({"plugin": "odps", "parameter": {"datasource": "d", "table": "t",
                               "truncate": true, "partition": "pt", "column": ["a"]}})"),
       writer_prefix +
           ".partition: expected partition levels written as name=value separated by ',' or '/', "
           "such as pt=20171019 or pt=20171019,region=hz; got \"pt\""},
      {Script(kGoodReader, R"({"plugin": "txtfile", "parameter": {"path": "/tmp", "fileName": "f",
                               "writeMode": "overwrite"}})"),
       writer_prefix +
           ".writeMode: expected one of truncate, append, nonConflict, got \"overwrite\""},
      {Script(kGoodReader, R"({"plugin": "stream", "parameter": {"encoding": "GBK"}})"),
       writer_prefix + ".encoding: expected UTF-8, the only supported encoding, got \"GBK\""},
      {Script(kGoodReader, kGoodWriter, R"({"speed": {"concurrent": 0}})"),
       "configuration.setting.speed.concurrent: expected an integer from 1 to 1024, got 0"},
      {Script(kGoodReader, kGoodWriter, R"({"speed": {"mbps": -1}})"),
       "configuration.setting.speed.mbps: expected a rate in MB/s greater than 0"},
      {Script(kGoodReader, kGoodWriter, R"({"speed": {"throttle": true}})"),
       "configuration.setting.speed.mbps: missing the key. Expected the maximum rate in MB/s, "
       "required when throttle is true."},
      {Script(kGoodReader, kGoodWriter, R"({"errorLimit": {"record": -1}})"),
       "configuration.setting.errorLimit.record: expected a non-negative number of dirty records, "
       "got -1"},
      {Script(kGoodReader, kGoodWriter, R"({"errorLimit": {"percentage": 1.5}})"),
       "configuration.setting.errorLimit.percentage: expected a fraction of dirty records in "
       "[0.0, 1.0]"},
      {DataX("[]"), "job.content: expected a non-empty array of {\"reader\", \"writer\"} objects"},
      {DataX(R"([{"reader": {"name": "mysqlreader", "parameter": {}}}])"),
       "job.content[0].reader.name: unsupported reader plugin \"mysqlreader\", expected "
       "otsstream"},
      {DataX(R"([{"reader": {"name": "otsstreamreader", "parameter": {)" +
             std::string(kGoodReader) +
             R"(}}, "writer": {"name": "streamwriter", "parameter": {}},
                 "transformer": [{"name": "dx_substr"}]}])"),
       "job.content[0].transformer: transformers are not supported, expected none"},
  };
  for (const BrokenScript& broken : cases) {
    JobScriptOptions options;
    options.clock = std::make_shared<ManualClock>(kNowMicros);
    options.plugins = &Plugins();
    Result<JobSpec> job = ParseJobScript(broken.script, options);
    ASSERT_FALSE(job.ok()) << broken.script;
    EXPECT_EQ(job.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(job.status().message(), broken.message) << broken.script;
  }
}

TEST(JobScriptTest, SecretsNeverAppearInErrors) {
  const std::string secret = "TopSecretAccessKeyValue";
  Result<JobSpec> job =
      ParseJobScript(Script(R"("endpoint": "http://h", "accessId": "i", "accessKey": ")" + secret +
                            R"(", "instanceName": "x", "dataTable": "t")"),
                     SeedOptions());
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().message().find(secret), std::string::npos);
  job = ParseJobScript(R"({"configuration": {"reader": {"parameter": {"accessKey": TopSecret}}}})",
                       SeedOptions());
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().message().find("TopSecret"), std::string::npos) << job.status().message();
}

}  // namespace
}  // namespace otsync::sync
