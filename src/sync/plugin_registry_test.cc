#include "sync/plugin_registry.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sync/engine.h"
#include "sync/job_script.h"

namespace otsync::sync {
namespace {

struct CountSpec {
  int64_t count = 0;
  bool operator==(const CountSpec&) const = default;
};

TEST(PluginSpecTest, HoldsOneTypedValueComparedByValue) {
  PluginSpec empty;
  EXPECT_FALSE(empty.has_value());
  EXPECT_EQ(empty.As<CountSpec>(), nullptr);

  PluginSpec three = PluginSpec::Of(CountSpec{3});
  ASSERT_NE(three.As<CountSpec>(), nullptr);
  EXPECT_EQ(three.As<CountSpec>()->count, 3);
  EXPECT_EQ(three.As<int>(), nullptr);

  EXPECT_EQ(three, PluginSpec::Of(CountSpec{3}));
  EXPECT_FALSE(three == PluginSpec::Of(CountSpec{4}));
  EXPECT_FALSE(three == PluginSpec::Of(3));
  EXPECT_FALSE(three == empty);
  EXPECT_EQ(empty, PluginSpec());
  PluginSpec copy = three;
  EXPECT_EQ(copy.As<CountSpec>(), three.As<CountSpec>());  // Copies share the value.
}

// A reader of `count` records, and a writer that keeps what it receives: the whole seam between
// the engine and a plugin, with nothing of the engine changed to add them.
class CountingReader final : public Reader {
 public:
  explicit CountingReader(int64_t count) : count_(count) {}
  Result<WindowKey> Prepare() override { return WindowKey{"t", "s", 1, 2}; }
  Result<std::vector<ReaderTask>> Split(int advice) override {
    return std::vector<ReaderTask>{{"only", {}}};
  }
  Status RunTask(const ReaderTask& task, RecordSink& sink, std::stop_token stop) override {
    for (int64_t i = 0; i < count_; ++i) {
      OTSYNC_RETURN_IF_ERROR(sink.Emit(Record{{Field::Integer(i)}}));
    }
    return Status::OK();
  }
  Result<std::string> EndCheckpoints() override { return std::string("cp"); }
  Status PublishCheckpoints(const std::string& end_checkpoints) override { return Status::OK(); }

 private:
  int64_t count_;
};

class KeepingWriter final : public Writer {
 public:
  explicit KeepingWriter(std::vector<Record>* kept) : kept_(kept) {}
  Status Prepare() override { return Status::OK(); }
  Result<std::optional<CommittedWindow>> FindCommittedWindow(const WindowKey& key) override {
    return std::optional<CommittedWindow>();
  }
  Status Write(const std::vector<Record>& records, std::vector<DirtyRecord>* dirty) override {
    kept_->insert(kept_->end(), records.begin(), records.end());
    return Status::OK();
  }
  Status Commit(const CommittedWindow& window) override { return Status::OK(); }
  void Abort() override {}
  std::string DescribeDestination() const override { return "memory"; }

 private:
  std::vector<Record>* kept_;
};

ReaderPlugin CountingReaderPlugin() {
  ReaderPlugin plugin;
  plugin.name = "counting";
  plugin.parse_spec = [](const ConfigObject& parameter,
                         SpecParseContext& context) -> Result<PluginSpec> {
    OTSYNC_ASSIGN_OR_RETURN(std::optional<int64_t> count, parameter.GetInt64("count"));
    if (!count.has_value() || *count < 0) {
      return ConfigError(parameter.PathOf("count"), "expected a count >= 0");
    }
    return PluginSpec::Of(CountSpec{*count});
  };
  plugin.make = [](const PluginContext& context) -> Result<std::unique_ptr<Reader>> {
    return std::unique_ptr<Reader>(
        std::make_unique<CountingReader>(context.job.reader.parameters.As<CountSpec>()->count));
  };
  return plugin;
}

constexpr const char* kScript = R"({"configuration": {
  "reader": {"plugin": "countingReader", "parameter": {"count": 3}},
  "writer": {"plugin": "keeping", "parameter": {"extra": 1}}}})";

TEST(PluginRegistryTest, AScriptRunsThroughRegisteredDescriptorsOnly) {
  std::vector<Record> kept;
  PluginRegistry plugins;
  plugins.AddReader(CountingReaderPlugin());
  WriterPlugin keeping;
  keeping.name = "keeping";  // No parser: takes no parameters.
  keeping.make = [&kept](const PluginContext&) -> Result<std::unique_ptr<Writer>> {
    return std::unique_ptr<Writer>(std::make_unique<KeepingWriter>(&kept));
  };
  plugins.AddWriter(keeping);
  EXPECT_EQ(plugins.ReaderNames(), std::vector<std::string>{"counting"});

  JobScriptOptions options;
  options.plugins = &plugins;
  Result<JobSpec> job = ParseJobScript(kScript, options);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->reader.plugin, "counting");  // DataX's "...reader" names the same plugin.
  EXPECT_EQ(job->reader.parameters, PluginSpec::Of(CountSpec{3}));
  EXPECT_EQ(job->warnings,
            std::vector<std::string>{"configuration.writer.parameter.extra: unknown key, ignored"});

  JobConnections connections;  // Neither plugin names a data source.
  std::ostringstream out;
  PluginContext context{*job, connections, "/nonexistent", DefaultClock(), out, plugins};
  EngineOptions engine;
  JobResult result = RunJob(*job, context, plugins, engine);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(kept.size(), 3u);
}

TEST(PluginRegistryTest, ErrorsNameTheRegisteredPlugins) {
  PluginRegistry plugins;
  plugins.AddReader(CountingReaderPlugin());
  JobScriptOptions options;
  options.plugins = &plugins;
  Result<JobSpec> job = ParseJobScript(kScript, options);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().message(),
            "configuration.writer.plugin: unsupported writer plugin \"keeping\", expected a "
            "plugin of this build, which has none");
  job = ParseJobScript(
      R"({"configuration": {"reader": {"plugin": "counting", "parameter": {"count": -1}}}})",
      options);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().message(), "configuration.reader.parameter.count: expected a count >= 0");
}

TEST(PluginRegistryTest, APluginWithoutAFactoryParsesButDoesNotRun) {
  PluginRegistry plugins;
  ReaderPlugin unbuilt = CountingReaderPlugin();
  unbuilt.make = nullptr;
  plugins.AddReader(unbuilt);
  plugins.AddWriter(WriterPlugin{"keeping", nullptr, nullptr, nullptr});
  JobScriptOptions options;
  options.plugins = &plugins;
  Result<JobSpec> job = ParseJobScript(kScript, options);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  JobConnections connections;
  std::ostringstream out;
  PluginContext context{*job, connections, "/nonexistent", DefaultClock(), out, plugins};
  JobResult result = RunJob(*job, context, plugins, EngineOptions{});
  EXPECT_EQ(result.status.code(), StatusCode::kUnsupported);
  EXPECT_EQ(result.status.message(),
            "reader plugin 'counting' is not available in this build of otsync");

  // A test's factory replaces the plugin's own and keeps its parsing.
  plugins.ReplaceReaderFactory("counting", CountingReaderPlugin().make);
  ASSERT_NE(plugins.FindReader("counting"), nullptr);
  EXPECT_TRUE(plugins.FindReader("counting")->make != nullptr);
  EXPECT_TRUE(plugins.FindReader("counting")->parse_spec != nullptr);
}

TEST(PluginRegistryTest, DataSourceTypesKeepTheirOrderAndTheirTestsCanBeReplaced) {
  PluginRegistry plugins;
  EXPECT_EQ(plugins.FindDataSourceType("ots"), nullptr);
  plugins.AddDataSourceType(DataSourceType{"ots", {}, nullptr, nullptr});
  plugins.AddDataSourceType(DataSourceType{"odps", {}, nullptr, nullptr});
  EXPECT_EQ(plugins.DataSourceTypeChoices(), "ots or odps");
  EXPECT_EQ(plugins.DataSourceTypeChoices("\""), "\"ots\" or \"odps\"");
  plugins.AddDataSourceType(DataSourceType{"files", {}, nullptr, nullptr});
  EXPECT_EQ(plugins.DataSourceTypeChoices(), "ots, odps or files");

  DataSourceTester reached = [](const DataSource&) -> Result<std::string> {
    return std::string("reached");
  };
  plugins.AddDataSourceType(DataSourceType{"ots", {}, nullptr, reached});  // Replaces, in place.
  EXPECT_EQ(plugins.DataSourceTypeChoices(), "ots, odps or files");
  ASSERT_NE(plugins.FindDataSourceType("ots"), nullptr);
  EXPECT_EQ(*plugins.FindDataSourceType("ots")->test(DataSource{}), "reached");
  plugins.ReplaceDataSourceTester("ots", nullptr);
  EXPECT_FALSE(plugins.FindDataSourceType("ots")->test);
}

}  // namespace
}  // namespace otsync::sync
