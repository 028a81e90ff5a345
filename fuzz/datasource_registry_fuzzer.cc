// The data-source registry file (sync/datasource_registry.h) as any bytes: the registry of a
// temporary data dir is overwritten with the input, then listed, looked up, validated and
// described. Errors name what and where; the access key never appears in an error or in the
// printable description beyond MaskSecret's four characters.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_checks.h"
#include "readers/otsstream/ots_datasource.h"
#include "sync/datasource_registry.h"
#include "sync/plugin_registry.h"
#include "testing/temporary_directory.h"
#include "writers/odps/odps_datasource.h"

namespace {

using namespace otsync;

// The data-source types of the otsync binary.
const sync::PluginRegistry& Plugins() {
  static const sync::PluginRegistry* plugins = [] {
    auto* registry = new sync::PluginRegistry;
    registry->AddDataSourceType(readers::otsstream::OtsDataSourceType());
    registry->AddDataSourceType(odps::OdpsDataSourceType());
    return registry;
  }();
  return *plugins;
}

// Whether a field other than the access key holds `key` (then a message may quote that field).
bool KeyAppearsElsewhere(const sync::DataSource& source, const std::string& key) {
  for (const std::string* field : {&source.name, &source.description}) {
    if (field->find(key) != std::string::npos) return true;
  }
  for (const auto& [name, value] : source.fields) {
    if (name != "accessKey" && value.find(key) != std::string::npos) return true;
  }
  return false;
}

// Whether the validation error of `source` still holds `key` when the access key is replaced by
// another of the same length: then the key is a piece of the message's own text (an access key
// ", must begin with a l" is in the name rule's message), not a quote of it.
bool KeyIsPartOfTheMessageText(sync::DataSource source, const sync::DataSourceType& type,
                               const std::string& key) {
  const char other = key[0] == 'Q' ? 'Z' : 'Q';
  source.fields["accessKey"] = std::string(key.size(), other);
  Status valid = sync::ValidateDataSource(source, type);
  return !valid.ok() && valid.message().find(key) != std::string::npos;
}

void CheckSecretsKept(const sync::DataSource& source) {
  const std::string& key = source.field("accessKey");
  if (source.type != "ots" || key.size() < 8) return;
  const sync::DataSourceType& type = *Plugins().FindDataSourceType(source.type);
  Status valid = sync::ValidateDataSource(source, type);
  if (!valid.ok() && valid.message().find(key) != std::string::npos) {
    fuzz::Check(KeyAppearsElsewhere(source, key) || KeyIsPartOfTheMessageText(source, type, key),
                "a validation error quotes the access key", valid.message());
  }
  for (const auto& [field, value] : sync::DescribeDataSource(source, type)) {
    if (field == "accessKey") {
      fuzz::Check(value.find(key) == std::string::npos, "the description shows the access key",
                  value);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static otsync::testing::TemporaryDirectory directory("otsync_fuzz_datasource_registry");
  static const std::string data_dir = directory.Child("data");
  static const Result<sync::DataSourceRegistry> registry =
      sync::DataSourceRegistry::Open(data_dir, Plugins());
  fuzz::Check(registry.ok(), "the registry does not open", registry.status().ToString());
  // Overwritten in place and cut to size: truncating to zero first would make ext4 write the file
  // back at every close (its replace-by-truncate heuristic), a hundred times slower.
  static const int fd = ::open(registry->file_path().c_str(), O_WRONLY | O_CLOEXEC);
  fuzz::Check(fd >= 0, "the registry file does not open", registry->file_path());
  fuzz::Check(::pwrite(fd, data, size, 0) == static_cast<ssize_t>(size) &&
                  ::ftruncate(fd, static_cast<off_t>(size)) == 0,
              "the registry file cannot be written", registry->file_path());
  Result<std::vector<sync::DataSource>> sources = registry->List();
  if (!sources.ok()) {
    fuzz::Check(sources.status().code() == StatusCode::kCorruption,
                "a damaged registry is not Corruption", sources.status().ToString());
    fuzz::Check(sources.status().message().find(registry->file_path()) != std::string::npos,
                "a registry error does not name the file", sources.status().message());
    return 0;
  }
  for (const sync::DataSource& source : *sources) {
    CheckSecretsKept(source);
    Result<sync::DataSource> found = registry->Get(source.name);
    fuzz::Check(found.ok(), "a listed source is not found by name", source.name);
  }
  return 0;
}
