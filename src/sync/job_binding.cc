#include "sync/job_binding.h"

#include <string>
#include <utility>
#include <vector>

#include "sync/plugin_registry.h"

namespace otsync::sync {
namespace {

std::string ParameterPath(const JobSpec& job, std::string_view step) {
  std::string prefix =
      job.format == JobScriptFormat::kDataXJob ? "job.content[0]." : "configuration.";
  return prefix + std::string(step) + ".parameter";
}

std::string NamesOfType(const std::vector<DataSource>& sources, std::string_view type) {
  std::string names;
  for (const DataSource& source : sources) {
    if (source.type != type) continue;
    if (!names.empty()) names += ", ";
    names += source.name;
  }
  return names.empty() ? "none registered" : names;
}

Result<PluginSpec> Resolve(const ConnectionResolver& resolve, const PluginSpec& spec,
                           const std::vector<DataSource>& sources, std::string parameter_path) {
  if (!resolve) return PluginSpec();
  return resolve(spec, DataSourceLookup(sources, std::move(parameter_path)));
}

}  // namespace

DataSourceLookup::DataSourceLookup(const std::vector<DataSource>& sources,
                                   std::string parameter_path)
    : sources_(sources), parameter_path_(std::move(parameter_path)) {}

std::string DataSourceLookup::PathOf(std::string_view key) const {
  return parameter_path_ + "." + std::string(key);
}

Result<const DataSource*> DataSourceLookup::FindOfType(const std::string& name,
                                                       std::string_view type,
                                                       std::string_view key) const {
  std::string path = PathOf(key);
  for (const DataSource& source : sources_) {
    if (source.name != name) continue;
    if (source.type != type) {
      return Status::InvalidArgument(path + ": data source \"" + name + "\" is of type " +
                                     source.type + ", expected " + std::string(type));
    }
    return &source;
  }
  return Status::InvalidArgument(path + ": no data source named \"" + name +
                                 "\", expected one of " + std::string(type) +
                                 " data sources: " + NamesOfType(sources_, type));
}

Result<JobConnections> ResolveConnections(const JobSpec& job, const DataSourceRegistry& registry,
                                          const PluginRegistry& plugins) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<DataSource> sources, registry.List());
  JobConnections connections;
  if (const ReaderPlugin* reader = plugins.FindReader(job.reader.plugin)) {
    OTSYNC_ASSIGN_OR_RETURN(connections.reader,
                            Resolve(reader->resolve_connection, job.reader.parameters, sources,
                                    ParameterPath(job, "reader")));
  }
  if (const WriterPlugin* writer = plugins.FindWriter(job.writer.plugin)) {
    OTSYNC_ASSIGN_OR_RETURN(connections.writer,
                            Resolve(writer->resolve_connection, job.writer.parameters, sources,
                                    ParameterPath(job, "writer")));
  }
  return connections;
}

}  // namespace otsync::sync
