#include "writers/odps/odps_datasource.h"

#include <gtest/gtest.h>

#include "testing/temporary_directory.h"

namespace otsync::odps {
namespace {

TEST(OdpsDataSourceTest, ASourceHoldsItsConfigUnderTheFileKeys) {
  sync::DataSource source = OdpsDataSource("wh2", "", {"/tmp/wh2", "proj_2"});
  EXPECT_EQ(source.type, "odps");
  EXPECT_EQ(source.field("warehouse"), "/tmp/wh2");
  Result<OdpsDataSourceConfig> config = OdpsDataSourceConfigOf(source);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(*config, (OdpsDataSourceConfig{"/tmp/wh2", "proj_2"}));

  source.type = "ots";
  EXPECT_EQ(OdpsDataSourceConfigOf(source).status().message(),
            "data source 'wh2' is not of type odps");
}

TEST(OdpsDataSourceTest, TheTypeChecksTheProjectAndStartsWithOdpsFirst) {
  sync::DataSourceType type = OdpsDataSourceType();
  EXPECT_EQ(sync::ValidateDataSource(OdpsDataSource("w", "", {"/w", "1p"}), type).message(),
            "data source w: project: expected a project name of letters, digits and "
            "underscores beginning with a letter");
  std::vector<sync::DataSource> defaults = type.defaults("/data");
  ASSERT_EQ(defaults.size(), 1u);
  EXPECT_EQ(defaults[0],
            OdpsDataSource("odps_first", "the local warehouse", {"/data/warehouse", "odps_first"}));
}

TEST(OdpsDataSourceTest, ATestNeverCreatesTheWarehouse) {
  otsync::testing::TemporaryDirectory directory("odps_datasource_test");
  std::string path = directory.Child("warehouse");
  Result<std::string> tested = TestWarehouseDataSource(OdpsDataSource("w", "", {path, "p"}));
  ASSERT_TRUE(tested.ok()) << tested.status().ToString();
  EXPECT_NE(tested->find("does not exist yet"), std::string::npos) << *tested;
  EXPECT_EQ(TestWarehouseDataSource(OdpsDataSource("w", "", {path + "/a/b", "p"})).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace otsync::odps
