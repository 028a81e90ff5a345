#include "writers/odps/odps_writer_spec.h"

namespace otsync::odps {

using sync::ConfigError;
using sync::ConfigObject;

namespace {

std::string_view Trim(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == text.npos) return {};
  size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Removes the spaces on both sides of every `separator`.
std::string TightenAround(std::string_view text, char separator) {
  std::string result;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == separator) {
      while (!result.empty() && result.back() == ' ') result.pop_back();
      result.push_back(c);
      while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
    } else {
      result.push_back(c);
    }
  }
  return result;
}

Status ValidatePartition(const std::string& path, const std::string& partition) {
  if (partition.empty()) return Status::OK();
  size_t start = 0;
  while (start <= partition.size()) {
    size_t comma = partition.find(',', start);
    if (comma == std::string::npos) comma = partition.size();
    std::string_view level(partition.data() + start, comma - start);
    size_t equals = level.find('=');
    if (equals == 0 || equals == level.npos || equals + 1 == level.size()) {
      return ConfigError(path,
                         "expected partition levels written as name=value separated by ',' or "
                         "'/', such as pt=20171019 or pt=20171019,region=hz; got \"" +
                             partition + "\"");
    }
    start = comma + 1;
  }
  return Status::OK();
}

}  // namespace

std::string NormalizePartition(std::string_view partition) {
  std::string text(Trim(partition));
  text = TightenAround(text, '=');
  text = TightenAround(text, '/');
  for (char& c : text) {
    if (c == '/') c = ',';
  }
  text = TightenAround(text, ',');
  std::erase(text, '\'');
  return text;
}

Result<OdpsWriterSpec> ParseOdpsWriterSpec(const ConfigObject& parameter,
                                           std::vector<std::string>& warnings) {
  OdpsWriterSpec spec;
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> datasource, parameter.GetString("datasource"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> project, parameter.GetString("project"));
  spec.datasource = std::string(Trim(datasource.value_or("")));
  spec.project = std::string(Trim(project.value_or("")));
  if (spec.datasource.empty() && spec.project.empty()) {
    return ConfigError(
        parameter.PathOf("datasource"),
        "missing the key. Expected the name of a registered odps data source (or, in a "
        "DataX job, the project).");
  }
  OTSYNC_ASSIGN_OR_RETURN(spec.table,
                          parameter.GetRequiredString("table", "the destination table name"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> partition, parameter.GetString("partition"));
  spec.partition = NormalizePartition(partition.value_or(""));
  OTSYNC_RETURN_IF_ERROR(ValidatePartition(parameter.PathOf("partition"), spec.partition));

  std::string column_path = parameter.PathOf("column");
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> columns,
                          parameter.GetStringList("column"));
  if (!columns.has_value() || columns->empty()) {
    return ConfigError(column_path,
                       "missing the key. Expected the destination column names, or [\"*\"] for all "
                       "columns.");
  }
  for (size_t i = 0; i < columns->size(); ++i) {
    std::string name(Trim((*columns)[i]));
    std::string item_path = column_path + "[" + std::to_string(i) + "]";
    if (name.empty()) return ConfigError(item_path, "expected a column name, got an empty string");
    if (name == "*" && columns->size() > 1) {
      return ConfigError(item_path, "\"*\" stands for all columns and must be the only entry");
    }
    spec.columns.push_back(std::move(name));
  }

  OTSYNC_ASSIGN_OR_RETURN(std::optional<bool> truncate, parameter.GetBool("truncate"));
  if (!truncate.has_value()) {
    return ConfigError(
        parameter.PathOf("truncate"),
        "missing the key. Expected true (Insert Overwrite: clear the table or partition "
        "before writing) or false (Insert Into: append).");
  }
  spec.truncate = *truncate;
  OTSYNC_ASSIGN_OR_RETURN(std::optional<bool> empty_as_null, parameter.GetBool("emptyAsNull"));
  spec.empty_as_null = empty_as_null.value_or(false);
  OTSYNC_ASSIGN_OR_RETURN(std::optional<bool> compress, parameter.GetBool("compress"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<bool> is_compress, parameter.GetBool("isCompress"));
  spec.compress = compress.value_or(is_compress.value_or(false));

  for (std::string_view cloud_only :
       {"odpsServer", "tunnelServer", "accessId", "accessKey", "securityToken", "accountType"}) {
    if (parameter.Find(cloud_only) != nullptr) {
      warnings.push_back(parameter.PathOf(cloud_only) +
                         ": not used by the local warehouse, ignored");
    }
  }
  return spec;
}

Result<OdpsDataSourceConfig> ResolveWarehouse(const OdpsWriterSpec& spec,
                                              const sync::DataSourceLookup& sources) {
  if (!spec.datasource.empty()) {
    OTSYNC_ASSIGN_OR_RETURN(const sync::DataSource* source,
                            sources.FindOfType(spec.datasource, "odps", "datasource"));
    return OdpsDataSourceConfigOf(*source);
  }
  std::vector<OdpsDataSourceConfig> matches;
  for (const sync::DataSource& source : sources.all()) {
    Result<OdpsDataSourceConfig> config = OdpsDataSourceConfigOf(source);
    if (config.ok() && config->project == spec.project) matches.push_back(std::move(*config));
  }
  if (matches.size() != 1) {
    return Status::InvalidArgument(sources.PathOf("project") +
                                   ": expected exactly one odps data source with project \"" +
                                   spec.project + "\", found " + std::to_string(matches.size()) +
                                   "; name one with datasource instead");
  }
  return matches.front();
}

}  // namespace otsync::odps
