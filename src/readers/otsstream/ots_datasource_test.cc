#include "readers/otsstream/ots_datasource.h"

#include <gtest/gtest.h>

namespace otsync::readers::otsstream {
namespace {

const OtsDataSourceConfig kConfig{"https://inst.cn-hangzhou.ots.aliyuncs.com", "inst",
                                  "LTAI5tExampleId", "AbCdEfGhIjKlMnOp"};

TEST(OtsDataSourceTest, ASourceHoldsItsConfigUnderTheFileKeys) {
  sync::DataSource source = OtsDataSource("orders_ots", "orders", kConfig);
  EXPECT_EQ(source.type, "ots");
  EXPECT_EQ(source.field("accessId"), "LTAI5tExampleId");
  EXPECT_EQ(source.field("accessKey"), "AbCdEfGhIjKlMnOp");
  Result<OtsDataSourceConfig> config = OtsDataSourceConfigOf(source);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(*config, kConfig);

  source.type = "odps";
  EXPECT_EQ(OtsDataSourceConfigOf(source).status().message(),
            "data source 'orders_ots' is not of type ots");
  EXPECT_EQ(TestOtsDataSource(source).status().code(), StatusCode::kInvalidArgument);
}

TEST(OtsDataSourceTest, TheTypeChecksEachFieldAndMasksTheKey) {
  sync::DataSourceType type = OtsDataSourceType();
  sync::DataSource source = OtsDataSource("s1", "", kConfig);
  EXPECT_TRUE(sync::ValidateDataSource(source, type).ok());
  source.fields["endpoint"] = "ftp://x";
  EXPECT_EQ(sync::ValidateDataSource(source, type).message(),
            "data source s1: endpoint: expected an address such as http://example.com");
  source.fields["endpoint"] = "http://x";
  source.fields["accessId"] = " ";
  EXPECT_EQ(sync::ValidateDataSource(source, type).message(),
            "data source s1: accessId: expected a non-empty AccessKey ID");

  std::vector<std::pair<std::string, std::string>> described =
      sync::DescribeDataSource(OtsDataSource("s1", "", kConfig), type);
  ASSERT_EQ(described.size(), 7u);
  EXPECT_EQ(described[5], (std::pair<std::string, std::string>{"accessKey", "****"}));

  std::vector<sync::DataSource> defaults = type.defaults("/data");
  ASSERT_EQ(defaults.size(), 1u);
  EXPECT_EQ(defaults[0].name, "otsstream");
  EXPECT_EQ(OtsDataSourceConfigOf(defaults[0])->endpoint, "http://127.0.0.1:8800");
}

}  // namespace
}  // namespace otsync::readers::otsstream
