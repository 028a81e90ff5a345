#include "sync/job_binding.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "readers/otsstream/ots_datasource.h"
#include "readers/otsstream/otsstream_reader.h"
#include "sync/job_script.h"
#include "sync/plugin_registry.h"
#include "testing/temporary_directory.h"
#include "writers/odps/odps_datasource.h"
#include "writers/odps/warehouse_cli.h"

namespace otsync::sync {
namespace {

using odps::OdpsDataSourceConfig;

class JobBindingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plugins_.AddReader(readers::otsstream::OtsStreamReaderPlugin());
    plugins_.AddWriter(odps::OdpsWriterPlugin());
    plugins_.AddDataSourceType(readers::otsstream::OtsDataSourceType());
    plugins_.AddDataSourceType(odps::OdpsDataSourceType());
    Result<DataSourceRegistry> registry = DataSourceRegistry::Open(data_dir_, plugins_);
    ASSERT_TRUE(registry.ok());
    registry_.emplace(std::move(*registry));
  }

  JobSpec Parse(const std::string& reader_source, const std::string& writer_key,
                const std::string& writer_value) {
    std::string script = R"({"configuration": {"reader": {"plugin": "otsstream", "parameter": {
        "datasource": ")" +
                         reader_source +
                         R"(", "dataTable": "t", "statusTable": "s", "date": "20171019"}},
        "writer": {"plugin": "odps", "parameter": {")" +
                         writer_key + R"(": ")" + writer_value +
                         R"(", "table": "t", "truncate": true, "column": ["*"]}}}})";
    JobScriptOptions options;
    options.plugins = &plugins_;
    Result<JobSpec> job = ParseJobScript(script, options);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? *job : JobSpec{};
  }

  otsync::testing::TemporaryDirectory directory_{"otsync_binding_test"};
  std::string data_dir_ = directory_.path().string();
  std::optional<DataSourceRegistry> registry_;
  PluginRegistry plugins_;
};

TEST_F(JobBindingTest, ResolvesTheSeedDefaults) {
  Result<JobConnections> connections =
      ResolveConnections(Parse("otsstream", "datasource", "odps_first"), *registry_, plugins_);
  ASSERT_TRUE(connections.ok()) << connections.status().ToString();
  using readers::otsstream::OtsConnectionSpec;
  ASSERT_NE(connections->reader.As<OtsConnectionSpec>(), nullptr);
  EXPECT_EQ(*connections->reader.As<OtsConnectionSpec>(),
            (OtsConnectionSpec{"http://127.0.0.1:8800", "otsync-local-id", "otsync-local-secret",
                               "local"}));
  const auto* warehouse = connections->writer.As<OdpsDataSourceConfig>();
  ASSERT_TRUE(warehouse != nullptr);
  EXPECT_EQ(warehouse->warehouse_path, data_dir_ + "/warehouse");

  connections =
      ResolveConnections(Parse("otsstream", "project", "odps_first"), *registry_, plugins_);
  ASSERT_TRUE(connections.ok()) << connections.status().ToString();
  ASSERT_NE(connections->writer.As<OdpsDataSourceConfig>(), nullptr);
  EXPECT_EQ(connections->writer.As<OdpsDataSourceConfig>()->project, "odps_first");
}

TEST_F(JobBindingTest, UnknownOrMistypedSourcesAreConfigurationErrors) {
  Result<JobConnections> missing =
      ResolveConnections(Parse("nope", "datasource", "odps_first"), *registry_, plugins_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "configuration.reader.parameter.datasource: no data source named \"nope\", expected "
            "one of ots data sources: otsstream");
  Result<JobConnections> mistyped =
      ResolveConnections(Parse("otsstream", "datasource", "otsstream"), *registry_, plugins_);
  ASSERT_FALSE(mistyped.ok());
  EXPECT_EQ(mistyped.status().message(),
            "configuration.writer.parameter.datasource: data source \"otsstream\" is of type ots, "
            "expected odps");
  Result<JobConnections> no_project =
      ResolveConnections(Parse("otsstream", "project", "other"), *registry_, plugins_);
  ASSERT_FALSE(no_project.ok());
  EXPECT_EQ(no_project.status().message(),
            "configuration.writer.parameter.project: expected exactly one odps data source with "
            "project \"other\", found 0; name one with datasource instead");
}

}  // namespace
}  // namespace otsync::sync
