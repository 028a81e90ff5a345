#include "sync/plugin_registry.h"

namespace otsync::sync {
namespace {

template <typename Map>
const typename Map::mapped_type* FindIn(const Map& map, std::string_view name) {
  auto it = map.find(name);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

void PluginRegistry::RegisterReader(std::string name, ReaderFactory factory) {
  readers_[std::move(name)] = std::move(factory);
}

void PluginRegistry::RegisterWriter(std::string name, WriterFactory factory) {
  writers_[std::move(name)] = std::move(factory);
}

void PluginRegistry::RegisterDataSourceTester(std::string type_name, DataSourceTester tester) {
  testers_[std::move(type_name)] = std::move(tester);
}

const ReaderFactory* PluginRegistry::FindReader(std::string_view name) const {
  return FindIn(readers_, name);
}

const WriterFactory* PluginRegistry::FindWriter(std::string_view name) const {
  return FindIn(writers_, name);
}

const DataSourceTester* PluginRegistry::FindDataSourceTester(std::string_view type_name) const {
  return FindIn(testers_, type_name);
}

}  // namespace otsync::sync
