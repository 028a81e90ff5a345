#include "writers/odps/odps_datasource.h"

#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include "writers/odps/warehouse.h"

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;

constexpr char kType[] = "odps";

}  // namespace

sync::DataSourceType OdpsDataSourceType() {
  sync::DataSourceType type;
  type.name = kType;
  sync::DataSourceField project = sync::RequiredField(
      "project", "a project name of letters, digits and underscores beginning with a letter",
      "the project name");
  project.accepts = sync::IsIdentifier;
  type.fields = {sync::RequiredField("warehouse", "the path of the local warehouse folder",
                                     "the warehouse folder"),
                 project};
  type.defaults = [](const std::string& data_dir) {
    return std::vector<sync::DataSource>{OdpsDataSource("odps_first", "the local warehouse",
                                                        {data_dir + "/warehouse", "odps_first"})};
  };
  type.test = TestWarehouseDataSource;
  return type;
}

sync::DataSource OdpsDataSource(std::string name, std::string description,
                                const OdpsDataSourceConfig& config) {
  return sync::DataSource{std::move(name),
                          kType,
                          std::move(description),
                          {{"warehouse", config.warehouse_path}, {"project", config.project}}};
}

Result<OdpsDataSourceConfig> OdpsDataSourceConfigOf(const sync::DataSource& source) {
  if (source.type != kType) {
    return Status::InvalidArgument("data source '" + source.name + "' is not of type odps");
  }
  return OdpsDataSourceConfig{source.field("warehouse"), source.field("project")};
}

Result<std::string> TestWarehouseDataSource(const sync::DataSource& source) {
  OTSYNC_ASSIGN_OR_RETURN(OdpsDataSourceConfig config, OdpsDataSourceConfigOf(source));
  std::error_code error;
  fs::path absolute = fs::absolute(config.warehouse_path, error);
  std::string path = error ? config.warehouse_path : absolute.lexically_normal().string();
  if (!fs::exists(path, error)) {
    fs::path folder = fs::path(path).parent_path();
    if (!fs::is_directory(folder, error)) {
      return Status::NotFound("neither the warehouse " + path + " nor its folder exists");
    }
    return "the warehouse " + path +
           " does not exist yet; `otsync warehouse create-table` creates it in " + folder.string();
  }
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse, Warehouse::Open(path));
  OTSYNC_ASSIGN_OR_RETURN(std::vector<std::string> tables, warehouse->ListTables());
  std::string text = "opened the warehouse " + path + ": " + std::to_string(tables.size()) +
                     (tables.size() == 1 ? " table" : " tables");
  for (size_t i = 0; i < tables.size(); ++i) text += (i == 0 ? " (" : ", ") + tables[i];
  return text + (tables.empty() ? "" : ")");
}

}  // namespace otsync::odps
