// The data-source registry: named connections that job scripts refer to ("datasource":
// "otsstream"), kept in <data-dir>/datasources.json. The file holds access keys, so it is created
// with mode 0600 and replaced atomically (temporary file, fsync, rename); a crash leaves the old or
// the new registry, never a torn one. Secrets leave this module only inside DataSource values;
// DescribeDataSource (sync/datasource_type.h) is the printable form, with secrets masked.
//
// Each entry is read and written through the descriptor of its type (sync/datasource_type.h) as
// registered in a PluginRegistry; an entry of a type the registry does not know makes the file
// unreadable (kCorruption). A fresh data dir starts with the defaults of every registered type:
// in the otsync binary the seed's `otsstream` (the local otsd) and `odps_first` (the local
// warehouse), so that the seed's script runs unchanged.
//
// Each call reads the file afresh; concurrent writers from several processes are not serialised
// (the last rename wins).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "sync/datasource_type.h"

namespace otsync::sync {

class PluginRegistry;

class DataSourceRegistry {
 public:
  // Creates `data_dir` (mode 0700) and the registry file holding the defaults of the types in
  // `plugins` when missing. `plugins` must outlive the registry.
  static Result<DataSourceRegistry> Open(std::string data_dir, const PluginRegistry& plugins);

  const std::string& data_dir() const { return data_dir_; }
  std::string file_path() const;

  // Sorted by name.
  Result<std::vector<DataSource>> List() const;
  // kNotFound naming the missing source.
  Result<DataSource> Get(std::string_view name) const;
  // kInvalidArgument for a bad name, type or field; kAlreadyExists unless `replace`.
  Status Add(const DataSource& source, bool replace = false);
  // kNotFound when there is no such source.
  Status Remove(std::string_view name);

 private:
  DataSourceRegistry(std::string data_dir, const PluginRegistry& plugins)
      : data_dir_(std::move(data_dir)), plugins_(&plugins) {}
  Status Save(const std::vector<DataSource>& sources) const;

  std::string data_dir_;
  const PluginRegistry* plugins_;
};

}  // namespace otsync::sync
