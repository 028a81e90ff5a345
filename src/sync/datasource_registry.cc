#include "sync/datasource_registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sync/plugin_registry.h"

namespace otsync::sync {
namespace {

using nlohmann::json;

constexpr int kRegistryFormatVersion = 1;
constexpr std::string_view kRegistryFileName = "datasources.json";

Status IoError(std::string_view what, const std::string& path) {
  return Status::IOError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

json ToJson(const DataSource& source, const DataSourceType& type) {
  json entry = json::object();
  entry["name"] = source.name;
  entry["type"] = source.type;
  entry["description"] = source.description;
  for (const DataSourceField& field : type.fields) entry[field.key] = source.field(field.key);
  return entry;
}

Result<std::string> StringField(const json& entry, const char* key, size_t index) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_string()) {
    return Status::Corruption("datasources[" + std::to_string(index) + "]." + key +
                              ": expected a string");
  }
  return it->get<std::string>();
}

Result<DataSource> FromJson(const json& entry, size_t index, const PluginRegistry& plugins) {
  if (!entry.is_object()) {
    return Status::Corruption("datasources[" + std::to_string(index) + "]: expected an object");
  }
  DataSource source;
  OTSYNC_ASSIGN_OR_RETURN(source.name, StringField(entry, "name", index));
  OTSYNC_ASSIGN_OR_RETURN(source.type, StringField(entry, "type", index));
  if (entry.contains("description")) {
    OTSYNC_ASSIGN_OR_RETURN(source.description, StringField(entry, "description", index));
  }
  const DataSourceType* type = plugins.FindDataSourceType(source.type);
  if (type == nullptr) {
    return Status::Corruption("datasources[" + std::to_string(index) + "].type: expected " +
                              plugins.DataSourceTypeChoices("\""));
  }
  for (const DataSourceField& field : type->fields) {
    if (!field.required && !entry.contains(field.key)) continue;
    OTSYNC_ASSIGN_OR_RETURN(source.fields[field.key], StringField(entry, field.key.c_str(), index));
  }
  return source;
}

Result<std::vector<DataSource>> ParseRegistry(const std::string& text,
                                              const PluginRegistry& plugins) {
  json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    return Status::Corruption("not a JSON object");
  }
  auto list = document.find("datasources");
  if (list == document.end() || !list->is_array()) {
    return Status::Corruption("datasources: expected an array");
  }
  std::vector<DataSource> sources;
  for (size_t i = 0; i < list->size(); ++i) {
    OTSYNC_ASSIGN_OR_RETURN(DataSource source, FromJson((*list)[i], i, plugins));
    sources.push_back(std::move(source));
  }
  return sources;
}

// The defaults of every type, sorted by name as List returns them.
std::vector<DataSource> DefaultDataSources(const std::string& data_dir,
                                           const PluginRegistry& plugins) {
  std::vector<DataSource> sources;
  for (const DataSourceType& type : plugins.data_source_types()) {
    if (!type.defaults) continue;
    for (DataSource& source : type.defaults(data_dir)) sources.push_back(std::move(source));
  }
  std::sort(sources.begin(), sources.end(),
            [](const DataSource& a, const DataSource& b) { return a.name < b.name; });
  return sources;
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::OK();
}

}  // namespace

Result<DataSourceRegistry> DataSourceRegistry::Open(std::string data_dir,
                                                    const PluginRegistry& plugins) {
  if (data_dir.empty()) return Status::InvalidArgument("the data dir must not be empty");
  while (data_dir.size() > 1 && data_dir.back() == '/') data_dir.pop_back();
  if (::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("cannot create data dir", data_dir);
  }
  DataSourceRegistry registry(data_dir, plugins);
  struct stat info;
  if (::stat(registry.file_path().c_str(), &info) != 0) {
    if (errno != ENOENT) return IoError("cannot read", registry.file_path());
    OTSYNC_RETURN_IF_ERROR(registry.Save(DefaultDataSources(data_dir, plugins)));
  }
  return registry;
}

std::string DataSourceRegistry::file_path() const {
  return data_dir_ + "/" + std::string(kRegistryFileName);
}

Result<std::vector<DataSource>> DataSourceRegistry::List() const {
  std::ifstream file(file_path(), std::ios::binary);
  if (!file) return IoError("cannot read", file_path());
  std::ostringstream text;
  text << file.rdbuf();
  Result<std::vector<DataSource>> sources = ParseRegistry(text.str(), *plugins_);
  if (!sources.ok()) return sources.status().WithContext(file_path());
  std::sort(sources->begin(), sources->end(),
            [](const DataSource& a, const DataSource& b) { return a.name < b.name; });
  return sources;
}

Result<DataSource> DataSourceRegistry::Get(std::string_view name) const {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<DataSource> sources, List());
  for (DataSource& source : sources) {
    if (source.name == name) return std::move(source);
  }
  return Status::NotFound("no data source named \"" + std::string(name) + "\" in " + file_path());
}

Status DataSourceRegistry::Add(const DataSource& source, bool replace) {
  const DataSourceType* type = plugins_->FindDataSourceType(source.type);
  if (type == nullptr) {
    return Status::InvalidArgument("data source " + source.name + ": type: expected " +
                                   plugins_->DataSourceTypeChoices() + ", got '" + source.type +
                                   "'");
  }
  OTSYNC_RETURN_IF_ERROR(ValidateDataSource(source, *type));
  OTSYNC_ASSIGN_OR_RETURN(std::vector<DataSource> sources, List());
  auto existing = std::find_if(sources.begin(), sources.end(),
                               [&](const DataSource& s) { return s.name == source.name; });
  if (existing != sources.end()) {
    if (!replace) {
      return Status::AlreadyExists("a data source named \"" + source.name + "\" already exists");
    }
    *existing = source;
  } else {
    sources.push_back(source);
  }
  return Save(sources);
}

Status DataSourceRegistry::Remove(std::string_view name) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<DataSource> sources, List());
  auto removed = std::remove_if(sources.begin(), sources.end(),
                                [&](const DataSource& s) { return s.name == name; });
  if (removed == sources.end()) {
    return Status::NotFound("no data source named \"" + std::string(name) + "\" in " + file_path());
  }
  sources.erase(removed, sources.end());
  return Save(sources);
}

Status DataSourceRegistry::Save(const std::vector<DataSource>& sources) const {
  json list = json::array();
  for (const DataSource& source : sources) {
    // Every source here was read or validated through its registered type.
    list.push_back(ToJson(source, *plugins_->FindDataSourceType(source.type)));
  }
  json document = {{"version", kRegistryFormatVersion}, {"datasources", std::move(list)}};
  std::string text = document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";

  std::string final_path = file_path();
  std::string temp_path = final_path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", temp_path);
  Status written =
      ::fchmod(fd, 0600) == 0 ? WriteAll(fd, text) : Status::IOError(std::strerror(errno));
  if (written.ok() && ::fsync(fd) != 0) written = Status::IOError(std::strerror(errno));
  if (::close(fd) != 0 && written.ok()) written = Status::IOError(std::strerror(errno));
  if (written.ok() && ::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    written = Status::IOError(std::strerror(errno));
  }
  if (!written.ok()) {
    ::unlink(temp_path.c_str());
    return written.WithContext("cannot write " + final_path);
  }
  int dir_fd = ::open(data_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::OK();
}

}  // namespace otsync::sync
