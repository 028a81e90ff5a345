// Binding a parsed job to the data-source registry: the connections a run uses, with the
// configuration errors (unknown name, wrong type) found before anything runs. Each plugin
// resolves the data sources its own spec names (its ConnectionResolver, sync/plugin_registry.h)
// through a DataSourceLookup, which words the errors: kInvalidArgument naming the key path of
// the script form the job came in. Other registry failures (unreadable file) keep their own code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sync/datasource_registry.h"
#include "sync/job_spec.h"
#include "sync/plugin_spec.h"

namespace otsync::sync {

class PluginRegistry;

// What each plugin resolved; empty for a plugin that names no data source. Secrets inside.
struct JobConnections {
  PluginSpec reader;  // E.g. an endpoint with its access key.
  PluginSpec writer;  // E.g. a warehouse folder.
};

// The registered data sources as one step of a job (its `parameter` object) sees them.
class DataSourceLookup {
 public:
  // `parameter_path`: "configuration.reader.parameter" or "job.content[0].writer.parameter".
  DataSourceLookup(const std::vector<DataSource>& sources, std::string parameter_path);

  // The source named `name`, which must be of type `type`; otherwise kInvalidArgument naming the
  // key `key` of the parameter object, the name, and the sources of that type there are.
  Result<const DataSource*> FindOfType(const std::string& name, std::string_view type,
                                       std::string_view key) const;

  const std::vector<DataSource>& all() const { return sources_; }
  // "<parameter path>.<key>", for errors of the plugin's own wording.
  std::string PathOf(std::string_view key) const;

 private:
  const std::vector<DataSource>& sources_;
  std::string parameter_path_;
};

// Asks the job's reader and then its writer (as registered in `plugins`) to resolve their data
// sources.
Result<JobConnections> ResolveConnections(const JobSpec& job, const DataSourceRegistry& registry,
                                          const PluginRegistry& plugins);

}  // namespace otsync::sync
