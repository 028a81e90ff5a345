#include "sync/plugin_registry.h"

namespace otsync::sync {
namespace {

template <typename Map>
const typename Map::mapped_type* FindIn(const Map& map, std::string_view name) {
  auto it = map.find(name);
  return it == map.end() ? nullptr : &it->second;
}

template <typename Map>
std::vector<std::string> NamesIn(const Map& map) {
  std::vector<std::string> names;
  for (const auto& entry : map) names.push_back(entry.first);
  return names;
}

}  // namespace

void PluginRegistry::AddReader(ReaderPlugin plugin) {
  std::string name = plugin.name;
  readers_[std::move(name)] = std::move(plugin);
}

void PluginRegistry::AddWriter(WriterPlugin plugin) {
  std::string name = plugin.name;
  writers_[std::move(name)] = std::move(plugin);
}

void PluginRegistry::AddDataSourceType(DataSourceType type) {
  for (DataSourceType& added : data_source_types_) {
    if (added.name == type.name) {
      added = std::move(type);
      return;
    }
  }
  data_source_types_.push_back(std::move(type));
}

void PluginRegistry::ReplaceReaderFactory(std::string_view name, ReaderFactory factory) {
  auto it = readers_.find(name);
  if (it != readers_.end()) it->second.make = std::move(factory);
}

void PluginRegistry::ReplaceWriterFactory(std::string_view name, WriterFactory factory) {
  auto it = writers_.find(name);
  if (it != writers_.end()) it->second.make = std::move(factory);
}

const ReaderPlugin* PluginRegistry::FindReader(std::string_view name) const {
  return FindIn(readers_, name);
}

const WriterPlugin* PluginRegistry::FindWriter(std::string_view name) const {
  return FindIn(writers_, name);
}

void PluginRegistry::ReplaceDataSourceTester(std::string_view type_name, DataSourceTester tester) {
  for (DataSourceType& type : data_source_types_) {
    if (type.name == type_name) type.test = std::move(tester);
  }
}

const DataSourceType* PluginRegistry::FindDataSourceType(std::string_view name) const {
  for (const DataSourceType& type : data_source_types_) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::vector<std::string> PluginRegistry::ReaderNames() const { return NamesIn(readers_); }

std::vector<std::string> PluginRegistry::WriterNames() const { return NamesIn(writers_); }

std::string PluginRegistry::DataSourceTypeChoices(std::string_view quote) const {
  if (data_source_types_.empty()) return "a data-source type, of which this build has none";
  std::string choices;
  for (size_t i = 0; i < data_source_types_.size(); ++i) {
    if (i > 0) choices += i + 1 == data_source_types_.size() ? " or " : ", ";
    choices += std::string(quote) + data_source_types_[i].name + std::string(quote);
  }
  return choices;
}

}  // namespace otsync::sync
