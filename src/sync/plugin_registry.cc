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

void PluginRegistry::RegisterDataSourceTester(std::string type_name, DataSourceTester tester) {
  testers_[std::move(type_name)] = std::move(tester);
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

const DataSourceTester* PluginRegistry::FindDataSourceTester(std::string_view type_name) const {
  return FindIn(testers_, type_name);
}

std::vector<std::string> PluginRegistry::ReaderNames() const { return NamesIn(readers_); }

std::vector<std::string> PluginRegistry::WriterNames() const { return NamesIn(writers_); }

}  // namespace otsync::sync
