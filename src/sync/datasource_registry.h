// The data-source registry: named connections that job scripts refer to ("datasource":
// "otsstream"), kept in <data-dir>/datasources.json. The file holds access keys, so it is created
// with mode 0600 and replaced atomically (temporary file, fsync, rename); a crash leaves the old or
// the new registry, never a torn one. Secrets leave this module only inside DataSource values;
// DescribeDataSource is the printable form, with secrets masked.
//
// A fresh data dir starts with the defaults the seed's script names: `otsstream` (the local otsd)
// and `odps_first` (the local warehouse), so that script runs unchanged.
//
// Each call reads the file afresh; concurrent writers from several processes are not serialised
// (the last rename wins).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"

namespace otsync::sync {

struct OtsDataSourceConfig {
  std::string endpoint;  // http:// or https://
  std::string instance;
  std::string access_id;
  std::string access_key;  // Secret.

  bool operator==(const OtsDataSourceConfig&) const = default;
};

struct OdpsDataSourceConfig {
  std::string warehouse_path;  // The local warehouse folder (Parquet files and manifests).
  std::string project;

  bool operator==(const OdpsDataSourceConfig&) const = default;
};

struct DataSource {
  std::string name;
  std::string description;
  std::variant<OtsDataSourceConfig, OdpsDataSourceConfig> config;

  // "ots" or "odps".
  std::string_view type_name() const;
};

// The seed's rule: letters, digits and underscores; begins with a letter; at most 60 characters.
Status ValidateDataSourceName(std::string_view name);
// The name rule plus the fields each type needs. Messages never contain the access key.
Status ValidateDataSource(const DataSource& source);

// "LTAI****": the first four characters of a secret of 12 or more, else only "****".
std::string MaskSecret(std::string_view secret);

// Field/value pairs for `list` and `show`, secrets masked: name, type, then the type's fields,
// then description.
std::vector<std::pair<std::string, std::string>> DescribeDataSource(const DataSource& source);

// `otsstream` (ots: http://127.0.0.1:8800, instance local, otsync-local-id) and `odps_first`
// (odps: <data_dir>/warehouse, project odps_first).
std::vector<DataSource> DefaultDataSources(const std::string& data_dir);

class DataSourceRegistry {
 public:
  // Creates `data_dir` (mode 0700) and the registry file holding the defaults when missing.
  static Result<DataSourceRegistry> Open(std::string data_dir);

  const std::string& data_dir() const { return data_dir_; }
  std::string file_path() const;

  // Sorted by name.
  Result<std::vector<DataSource>> List() const;
  // kNotFound naming the missing source.
  Result<DataSource> Get(std::string_view name) const;
  // kInvalidArgument for a bad name or field; kAlreadyExists unless `replace`.
  Status Add(const DataSource& source, bool replace = false);
  // kNotFound when there is no such source.
  Status Remove(std::string_view name);

 private:
  explicit DataSourceRegistry(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  Status Save(const std::vector<DataSource>& sources) const;

  std::string data_dir_;
};

}  // namespace otsync::sync
