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

namespace otsync::sync {
namespace {

using nlohmann::json;

constexpr size_t kMaxNameLength = 60;
constexpr int kRegistryFormatVersion = 1;
constexpr std::string_view kRegistryFileName = "datasources.json";

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool IsIdentifier(std::string_view text) {
  if (text.empty() || !IsAsciiLetter(text[0])) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_'; });
}

bool IsBlank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == text.npos; }

Status FieldError(const DataSource& source, std::string_view field, std::string_view expected) {
  return Status::InvalidArgument("data source " + source.name + ": " + std::string(field) +
                                 ": expected " + std::string(expected));
}

Status IoError(std::string_view what, const std::string& path) {
  return Status::IOError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

json ToJson(const DataSource& source) {
  json entry = json::object();
  entry["name"] = source.name;
  entry["type"] = std::string(source.type_name());
  entry["description"] = source.description;
  if (const auto* ots = std::get_if<OtsDataSourceConfig>(&source.config)) {
    entry["endpoint"] = ots->endpoint;
    entry["instance"] = ots->instance;
    entry["accessId"] = ots->access_id;
    entry["accessKey"] = ots->access_key;
  } else {
    const auto& odps = std::get<OdpsDataSourceConfig>(source.config);
    entry["warehouse"] = odps.warehouse_path;
    entry["project"] = odps.project;
  }
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

Result<DataSource> FromJson(const json& entry, size_t index) {
  if (!entry.is_object()) {
    return Status::Corruption("datasources[" + std::to_string(index) + "]: expected an object");
  }
  DataSource source;
  OTSYNC_ASSIGN_OR_RETURN(source.name, StringField(entry, "name", index));
  OTSYNC_ASSIGN_OR_RETURN(std::string type, StringField(entry, "type", index));
  if (entry.contains("description")) {
    OTSYNC_ASSIGN_OR_RETURN(source.description, StringField(entry, "description", index));
  }
  if (type == "ots") {
    OtsDataSourceConfig ots;
    OTSYNC_ASSIGN_OR_RETURN(ots.endpoint, StringField(entry, "endpoint", index));
    OTSYNC_ASSIGN_OR_RETURN(ots.instance, StringField(entry, "instance", index));
    OTSYNC_ASSIGN_OR_RETURN(ots.access_id, StringField(entry, "accessId", index));
    OTSYNC_ASSIGN_OR_RETURN(ots.access_key, StringField(entry, "accessKey", index));
    source.config = std::move(ots);
  } else if (type == "odps") {
    OdpsDataSourceConfig odps;
    OTSYNC_ASSIGN_OR_RETURN(odps.warehouse_path, StringField(entry, "warehouse", index));
    OTSYNC_ASSIGN_OR_RETURN(odps.project, StringField(entry, "project", index));
    source.config = std::move(odps);
  } else {
    return Status::Corruption("datasources[" + std::to_string(index) +
                              "].type: expected \"ots\" or \"odps\"");
  }
  return source;
}

Result<std::vector<DataSource>> ParseRegistry(const std::string& text) {
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
    OTSYNC_ASSIGN_OR_RETURN(DataSource source, FromJson((*list)[i], i));
    sources.push_back(std::move(source));
  }
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

std::string_view DataSource::type_name() const {
  return std::holds_alternative<OtsDataSourceConfig>(config) ? "ots" : "odps";
}

Status ValidateDataSourceName(std::string_view name) {
  if (name.size() > kMaxNameLength || !IsIdentifier(name)) {
    std::string shown(name.substr(0, kMaxNameLength + 1));
    if (name.size() > shown.size()) shown += "...";
    return Status::InvalidArgument(
        "invalid data source name \"" + shown +
        "\": it can contain letters, digits and underscores (_), must begin with a letter and "
        "cannot exceed 60 characters");
  }
  return Status::OK();
}

Status ValidateDataSource(const DataSource& source) {
  OTSYNC_RETURN_IF_ERROR(ValidateDataSourceName(source.name));
  if (const auto* ots = std::get_if<OtsDataSourceConfig>(&source.config)) {
    if (!ots->endpoint.starts_with("http://") && !ots->endpoint.starts_with("https://")) {
      return FieldError(source, "endpoint", "an address such as http://example.com");
    }
    if (IsBlank(ots->instance)) return FieldError(source, "instance", "a Tablestore instance name");
    if (IsBlank(ots->access_id)) return FieldError(source, "accessId", "a non-empty AccessKey ID");
    if (IsBlank(ots->access_key)) {
      return FieldError(source, "accessKey", "a non-empty AccessKey secret");
    }
    return Status::OK();
  }
  const auto& odps = std::get<OdpsDataSourceConfig>(source.config);
  if (IsBlank(odps.warehouse_path)) {
    return FieldError(source, "warehouse", "the path of the local warehouse folder");
  }
  if (!IsIdentifier(odps.project)) {
    return FieldError(source, "project",
                      "a project name of letters, digits and underscores beginning with a letter");
  }
  return Status::OK();
}

std::string MaskSecret(std::string_view secret) {
  if (secret.size() >= 12) return std::string(secret.substr(0, 4)) + "****";
  return "****";
}

std::vector<std::pair<std::string, std::string>> DescribeDataSource(const DataSource& source) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"name", source.name}, {"type", std::string(source.type_name())}};
  if (const auto* ots = std::get_if<OtsDataSourceConfig>(&source.config)) {
    fields.emplace_back("endpoint", ots->endpoint);
    fields.emplace_back("instance", ots->instance);
    fields.emplace_back("accessId", ots->access_id);
    fields.emplace_back("accessKey", MaskSecret(ots->access_key));
  } else {
    const auto& odps = std::get<OdpsDataSourceConfig>(source.config);
    fields.emplace_back("warehouse", odps.warehouse_path);
    fields.emplace_back("project", odps.project);
  }
  fields.emplace_back("description", source.description);
  return fields;
}

std::vector<DataSource> DefaultDataSources(const std::string& data_dir) {
  return {
      DataSource{"odps_first", "the local warehouse",
                 OdpsDataSourceConfig{data_dir + "/warehouse", "odps_first"}},
      DataSource{"otsstream", "the local otsd",
                 OtsDataSourceConfig{"http://127.0.0.1:8800", "local", "otsync-local-id",
                                     "otsync-local-secret"}},
  };
}

Result<DataSourceRegistry> DataSourceRegistry::Open(std::string data_dir) {
  if (data_dir.empty()) return Status::InvalidArgument("the data dir must not be empty");
  while (data_dir.size() > 1 && data_dir.back() == '/') data_dir.pop_back();
  if (::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("cannot create data dir", data_dir);
  }
  DataSourceRegistry registry(data_dir);
  struct stat info;
  if (::stat(registry.file_path().c_str(), &info) != 0) {
    if (errno != ENOENT) return IoError("cannot read", registry.file_path());
    OTSYNC_RETURN_IF_ERROR(registry.Save(DefaultDataSources(data_dir)));
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
  Result<std::vector<DataSource>> sources = ParseRegistry(text.str());
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
  OTSYNC_RETURN_IF_ERROR(ValidateDataSource(source));
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
  for (const DataSource& source : sources) list.push_back(ToJson(source));
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
