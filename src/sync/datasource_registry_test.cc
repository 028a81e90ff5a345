#include "sync/datasource_registry.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "readers/otsstream/ots_datasource.h"
#include "sync/plugin_registry.h"
#include "testing/temporary_directory.h"
#include "writers/odps/odps_datasource.h"

namespace otsync::sync {
namespace {

using odps::OdpsDataSource;
using odps::OdpsDataSourceConfig;
using odps::OdpsDataSourceConfigOf;
using readers::otsstream::OtsDataSource;
using readers::otsstream::OtsDataSourceConfig;
using readers::otsstream::OtsDataSourceConfigOf;

// The data-source types of the otsync binary.
const PluginRegistry& Plugins() {
  static const PluginRegistry* plugins = [] {
    auto* registry = new PluginRegistry;
    registry->AddDataSourceType(readers::otsstream::OtsDataSourceType());
    registry->AddDataSourceType(odps::OdpsDataSourceType());
    return registry;
  }();
  return *plugins;
}

const DataSourceType& TypeOf(const DataSource& source) {
  return *Plugins().FindDataSourceType(source.type);
}

class DataSourceRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { data_dir_ = root_ + "/data"; }

  std::string FileText() const {
    std::ifstream file(data_dir_ + "/datasources.json");
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
  }

  otsync::testing::TemporaryDirectory directory_{"otsync_registry_test"};
  std::string root_ = directory_.path().string();
  std::string data_dir_;
};

DataSource OtsSource(std::string name, std::string secret = "AbCdEfGhIjKlMnOp") {
  return OtsDataSource(std::move(name), "orders",
                       OtsDataSourceConfig{"https://inst.cn-hangzhou.ots.aliyuncs.com", "inst",
                                           "LTAI5tExampleId", std::move(secret)});
}

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

TEST_F(DataSourceRegistryTest, FreshDataDirHoldsTheSeedDefaults) {
  Result<DataSourceRegistry> registry = DataSourceRegistry::Open(data_dir_, Plugins());
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  Result<std::vector<DataSource>> sources = registry->List();
  ASSERT_TRUE(sources.ok()) << sources.status().ToString();
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_EQ(sources->at(0).name, "odps_first");
  EXPECT_EQ(sources->at(1).name, "otsstream");

  Result<DataSource> ots = registry->Get("otsstream");
  ASSERT_TRUE(ots.ok());
  const OtsDataSourceConfig config = OtsDataSourceConfigOf(*ots).value();
  EXPECT_EQ(config.endpoint, "http://127.0.0.1:8800");
  EXPECT_EQ(config.instance, "local");
  EXPECT_EQ(config.access_id, "otsync-local-id");
  EXPECT_EQ(config.access_key, "otsync-local-secret");

  Result<DataSource> odps = registry->Get("odps_first");
  ASSERT_TRUE(odps.ok());
  EXPECT_EQ(OdpsDataSourceConfigOf(*odps)->warehouse_path, data_dir_ + "/warehouse");
  EXPECT_EQ(OdpsDataSourceConfigOf(*odps)->project, "odps_first");

  EXPECT_EQ(ModeOf(data_dir_ + "/datasources.json"), 0600u);
  EXPECT_EQ(ModeOf(data_dir_), 0700u);
}

TEST_F(DataSourceRegistryTest, AddGetRemoveRoundTripAcrossOpens) {
  {
    Result<DataSourceRegistry> registry = DataSourceRegistry::Open(data_dir_, Plugins());
    ASSERT_TRUE(registry.ok());
    ASSERT_TRUE(registry->Add(OtsSource("orders_ots")).ok());
    DataSource warehouse = OdpsDataSource("wh2", "", OdpsDataSourceConfig{"/tmp/wh2", "proj_2"});
    ASSERT_TRUE(registry->Add(warehouse).ok());
    EXPECT_EQ(registry->Add(OtsSource("orders_ots")).code(), StatusCode::kAlreadyExists);
    ASSERT_TRUE(registry->Add(OtsSource("orders_ots", "ReplacedSecret99"), true).ok());
  }
  ::umask(0);  // The file stays private whatever the umask.
  Result<DataSourceRegistry> reopened = DataSourceRegistry::Open(data_dir_ + "/", Plugins());
  ::umask(022);
  ASSERT_TRUE(reopened.ok());
  Result<DataSource> ots = reopened->Get("orders_ots");
  ASSERT_TRUE(ots.ok());
  EXPECT_EQ(OtsDataSourceConfigOf(*ots)->access_key, "ReplacedSecret99");
  EXPECT_EQ(ots->description, "orders");
  Result<DataSource> odps = reopened->Get("wh2");
  ASSERT_TRUE(odps.ok());
  EXPECT_EQ(OdpsDataSourceConfigOf(*odps)->project, "proj_2");
  ASSERT_TRUE(reopened->Add(OtsSource("another")).ok());
  EXPECT_EQ(ModeOf(data_dir_ + "/datasources.json"), 0600u);

  ASSERT_TRUE(reopened->Remove("otsstream").ok());
  Status missing = reopened->Remove("otsstream");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(reopened->Get("otsstream").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reopened->List()->size(), 4u);  // Removed defaults stay removed.
  for (const auto& entry : std::filesystem::directory_iterator(data_dir_)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos);
  }
}

TEST_F(DataSourceRegistryTest, NamesFollowTheSeedsRule) {
  EXPECT_TRUE(ValidateDataSourceName("a").ok());
  EXPECT_TRUE(ValidateDataSourceName("odps_first").ok());
  EXPECT_TRUE(ValidateDataSourceName(std::string(60, 'a')).ok());
  for (std::string bad :
       {std::string(""), std::string("1abc"), std::string("_abc"), std::string("has-dash"),
        std::string("has space"), std::string(61, 'a'), std::string("名字")}) {
    Status status = ValidateDataSourceName(bad);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ValidateDataSourceName("1abc").message(),
            "invalid data source name \"1abc\": it can contain letters, digits and underscores "
            "(_), must begin with a letter and cannot exceed 60 characters");

  Result<DataSourceRegistry> registry = DataSourceRegistry::Open(data_dir_, Plugins());
  ASSERT_TRUE(registry.ok());
  EXPECT_EQ(registry->Add(OtsSource("bad-name")).code(), StatusCode::kInvalidArgument);
}

TEST_F(DataSourceRegistryTest, FieldErrorsNeverQuoteTheSecret) {
  DataSource source = OtsSource("s1", "VerySecretKey123");
  source.fields["endpoint"] = "ftp://x";
  Status status = ValidateDataSource(source, TypeOf(source));
  EXPECT_EQ(status.message(),
            "data source s1: endpoint: expected an address such as http://example.com");
  source.fields["endpoint"] = "http://x";
  source.fields["accessKey"] = "  ";
  EXPECT_EQ(ValidateDataSource(source, TypeOf(source)).message(),
            "data source s1: accessKey: expected a non-empty AccessKey secret");
  DataSource odps = OdpsDataSource("w", "", OdpsDataSourceConfig{"", "p"});
  EXPECT_EQ(ValidateDataSource(odps, TypeOf(odps)).message(),
            "data source w: warehouse: expected the path of the local warehouse folder");
}

TEST_F(DataSourceRegistryTest, DescriptionsMaskSecrets) {
  EXPECT_EQ(MaskSecret("LTAI5tExampleSecretValue"), "****");
  EXPECT_EQ(MaskSecret("short"), "****");
  EXPECT_EQ(MaskSecret(""), "****");

  DataSource source = OtsSource("orders_ots", "AbCdEfGhIjKlMnOp");
  std::vector<std::pair<std::string, std::string>> fields =
      DescribeDataSource(source, TypeOf(source));
  std::vector<std::pair<std::string, std::string>> expected = {
      {"name", "orders_ots"},
      {"type", "ots"},
      {"endpoint", "https://inst.cn-hangzhou.ots.aliyuncs.com"},
      {"instance", "inst"},
      {"accessId", "LTAI5tExampleId"},
      {"accessKey", "****"},
      {"description", "orders"}};
  EXPECT_EQ(fields, expected);
  for (const auto& [field, value] : fields) {
    EXPECT_EQ(value.find("AbCdEfGhIjKlMnOp"), std::string::npos) << field;
  }
}

TEST_F(DataSourceRegistryTest, CorruptFileIsReportedNotOverwritten) {
  ASSERT_TRUE(DataSourceRegistry::Open(data_dir_, Plugins()).ok());
  {
    std::ofstream file(data_dir_ + "/datasources.json", std::ios::trunc);
    file << "{not json";
  }
  Result<DataSourceRegistry> registry = DataSourceRegistry::Open(data_dir_, Plugins());
  ASSERT_TRUE(registry.ok());
  Result<std::vector<DataSource>> sources = registry->List();
  ASSERT_FALSE(sources.ok());
  EXPECT_EQ(sources.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(registry->Add(OtsSource("x1")).code(), StatusCode::kCorruption);
  EXPECT_EQ(FileText(), "{not json");
}

// A type the registry has never heard of, as a plugin would describe it: a required path that
// must be absolute, an optional secret token, and one default.
DataSourceType FilesType() {
  DataSourceType type;
  type.name = "files";
  DataSourceField path = RequiredField("path", "an absolute path", "the folder");
  path.accepts = [](std::string_view value) { return value.starts_with("/"); };
  DataSourceField token = RequiredField("token", "a token", "the token");
  token.required = false;
  token.secret = true;
  type.fields = {path, token};
  type.defaults = [](const std::string& data_dir) {
    return std::vector<DataSource>{
        DataSource{"local_files", "files", "here", {{"path", data_dir + "/files"}}}};
  };
  return type;
}

TEST_F(DataSourceRegistryTest, AnyRegisteredTypeIsStoredCheckedAndDescribed) {
  PluginRegistry plugins;
  plugins.AddDataSourceType(FilesType());
  Result<DataSourceRegistry> registry = DataSourceRegistry::Open(data_dir_, plugins);
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  Result<std::vector<DataSource>> defaults = registry->List();
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  ASSERT_EQ(defaults->size(), 1u);  // Only the registered type's defaults.
  EXPECT_EQ(defaults->at(0).field("path"), data_dir_ + "/files");

  DataSource source{"f1", "files", "", {{"path", "/srv/f1"}, {"token", "TokenSecretValue1"}}};
  ASSERT_TRUE(registry->Add(source).ok());
  Result<DataSource> found = registry->Get("f1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, source);
  std::vector<std::pair<std::string, std::string>> expected = {{"name", "f1"},
                                                               {"type", "files"},
                                                               {"path", "/srv/f1"},
                                                               {"token", "****"},
                                                               {"description", ""}};
  EXPECT_EQ(DescribeDataSource(*found, FilesType()), expected);

  source.fields["path"] = "relative";
  EXPECT_EQ(registry->Add(source, true).message(),
            "data source f1: path: expected an absolute path");
  source.fields.erase("path");
  EXPECT_EQ(registry->Add(source, true).message(),
            "data source f1: path: expected an absolute path");
  EXPECT_EQ(registry->Add(OtsSource("o1")).message(),
            "data source o1: type: expected files, got 'ots'");

  // A file written by a build with more types is reported, not guessed at.
  {
    std::ofstream file(data_dir_ + "/datasources.json", std::ios::trunc);
    file << R"({"version": 1, "datasources": [{"name": "o", "type": "ots"}]})";
  }
  Result<std::vector<DataSource>> unknown = registry->List();
  EXPECT_EQ(unknown.status().code(), StatusCode::kCorruption);
  EXPECT_NE(unknown.status().message().find("datasources[0].type: expected \"files\""),
            std::string::npos)
      << unknown.status().message();
}

}  // namespace
}  // namespace otsync::sync
