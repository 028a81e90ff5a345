#include "sync/job_binding.h"

#include <string>
#include <vector>

namespace otsync::sync {
namespace {

std::string ParameterPath(const JobSpec& job, std::string_view step, std::string_view key) {
  std::string prefix =
      job.format == JobScriptFormat::kDataXJob ? "job.content[0]." : "configuration.";
  return prefix + std::string(step) + ".parameter." + std::string(key);
}

std::string NamesOfType(const std::vector<DataSource>& sources, std::string_view type) {
  std::string names;
  for (const DataSource& source : sources) {
    if (source.type_name() != type) continue;
    if (!names.empty()) names += ", ";
    names += source.name;
  }
  return names.empty() ? "none registered" : names;
}

Result<const DataSource*> FindOfType(const std::vector<DataSource>& sources,
                                     const std::string& name, std::string_view type,
                                     const std::string& path) {
  for (const DataSource& source : sources) {
    if (source.name != name) continue;
    if (source.type_name() != type) {
      return Status::InvalidArgument(path + ": data source \"" + name + "\" is of type " +
                                     std::string(source.type_name()) + ", expected " +
                                     std::string(type));
    }
    return &source;
  }
  return Status::InvalidArgument(path + ": no data source named \"" + name +
                                 "\", expected one of " + std::string(type) +
                                 " data sources: " + NamesOfType(sources, type));
}

}  // namespace

Result<JobConnections> ResolveConnections(const JobSpec& job, const DataSourceRegistry& registry) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<DataSource> sources, registry.List());
  JobConnections connections;
  const OtsStreamReaderSpec& reader = job.reader.parameters;
  if (reader.connection.has_value()) {
    connections.reader = *reader.connection;
  } else {
    OTSYNC_ASSIGN_OR_RETURN(
        const DataSource* source,
        FindOfType(sources, reader.datasource, "ots", ParameterPath(job, "reader", "datasource")));
    const auto& ots = std::get<OtsDataSourceConfig>(source->config);
    connections.reader =
        OtsConnectionSpec{ots.endpoint, ots.access_id, ots.access_key, ots.instance};
  }

  const auto* odps = std::get_if<OdpsWriterSpec>(&job.writer.parameters);
  if (odps == nullptr) return connections;
  if (!odps->datasource.empty()) {
    OTSYNC_ASSIGN_OR_RETURN(
        const DataSource* source,
        FindOfType(sources, odps->datasource, "odps", ParameterPath(job, "writer", "datasource")));
    connections.warehouse = std::get<OdpsDataSourceConfig>(source->config);
    return connections;
  }
  std::vector<const OdpsDataSourceConfig*> matches;
  for (const DataSource& source : sources) {
    const auto* config = std::get_if<OdpsDataSourceConfig>(&source.config);
    if (config != nullptr && config->project == odps->project) matches.push_back(config);
  }
  if (matches.size() != 1) {
    return Status::InvalidArgument(ParameterPath(job, "writer", "project") +
                                   ": expected exactly one odps data source with project \"" +
                                   odps->project + "\", found " + std::to_string(matches.size()) +
                                   "; name one with datasource instead");
  }
  connections.warehouse = *matches.front();
  return connections;
}

}  // namespace otsync::sync
