// PluginRegistry: the readers, writers and data-source types a build of otsync has, by name.
// The engine knows plugins only through the descriptors below and in sync/datasource_type.h:
// each plugin's folder makes its own descriptor (its name, how it parses and checks its
// `parameter` object, which data sources it needs, how it is built; a data-source type's fields,
// checks, defaults and test), and the binary's composition root adds one line per plugin
// (src/tools/otsync_main.cc), so the engine never depends on a plugin:
//
//   plugins.AddReader(readers::otsstream::OtsStreamReaderPlugin());   // readers/otsstream
//   plugins.AddWriter(writers::StreamWriterPlugin());                 // writers/stream
//   plugins.AddDataSourceType(odps::OdpsDataSourceType());            // writers/odps
//
// A job script names a plugin by its name or, as DataX does, by the name followed by "reader" or
// "writer" ("otsstreamreader", "streamwriter").
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "sync/config_object.h"
#include "sync/datasource_type.h"
#include "sync/job_binding.h"
#include "sync/job_spec.h"
#include "sync/local_time.h"
#include "sync/plugin_spec.h"
#include "sync/reader.h"
#include "sync/writer.h"

namespace otsync::sync {

class PluginRegistry;

// What a factory gets to build its plugin for one job. The plugin's own values are in
// job.reader.parameters / job.writer.parameters and connections.reader / connections.writer.
struct PluginContext {
  const JobSpec& job;
  const JobConnections& connections;  // Secrets inside: never print them.
  std::string data_dir;
  std::shared_ptr<const Clock> clock;
  std::ostream& data_out;  // Standard output, for writers that print rows.
  // The plugins of the run: the data-source types, for a plugin that opens the registry itself.
  const PluginRegistry& plugins;
};

// What a spec parser gets beside the `parameter` object.
struct SpecParseContext {
  const TimeZone& time_zone;           // The zone of time strings and dates written in the script.
  std::vector<std::string>& warnings;  // "<key path>: <why>" for settings accepted but ignored.
};

// Parses and checks a step's `parameter` object into the plugin's spec. Every error is
// kInvalidArgument naming the key path (parameter.PathOf(key)). Keys the parser never read are
// reported as unknown by the job script afterwards.
using SpecParser =
    std::function<Result<PluginSpec>(const ConfigObject& parameter, SpecParseContext& context)>;
// Turns the data sources a spec names into what the factory connects to (an endpoint with its
// keys, a warehouse folder); errors come from `sources`, which names the key paths.
using ConnectionResolver =
    std::function<Result<PluginSpec>(const PluginSpec& spec, const DataSourceLookup& sources)>;
// Factories fail with kInvalidArgument for a configuration the plugin cannot run.
using ReaderFactory = std::function<Result<std::unique_ptr<Reader>>(const PluginContext&)>;
using WriterFactory = std::function<Result<std::unique_ptr<Writer>>(const PluginContext&)>;

struct ReaderPlugin {
  std::string name;       // Lowercase, as job scripts name it: "otsstream".
  SpecParser parse_spec;  // Empty: the plugin takes no parameters (each key is reported unknown).
  ConnectionResolver resolve_connection;  // Empty: the reader names no data source.
  ReaderFactory make;  // Empty: scripts naming it parse, but this build cannot run it.
};

struct WriterPlugin {
  std::string name;       // Lowercase: "odps", "stream".
  SpecParser parse_spec;  // Empty: the plugin takes no parameters (each key is reported unknown).
  ConnectionResolver resolve_connection;  // Empty: the writer names no data source.
  WriterFactory make;  // Empty: scripts naming it parse, but this build cannot run it.
};

class PluginRegistry {
 public:
  // A later plugin or type under the same name replaces the earlier one.
  void AddReader(ReaderPlugin plugin);
  void AddWriter(WriterPlugin plugin);
  void AddDataSourceType(DataSourceType type);

  // Runs `factory` in place of the named plugin's own, keeping its spec parsing and connections
  // (tests substitute a reader or writer this way). The plugin must have been added.
  void ReplaceReaderFactory(std::string_view name, ReaderFactory factory);
  void ReplaceWriterFactory(std::string_view name, WriterFactory factory);
  // Likewise for a data-source type's test (empty: the type cannot be tested).
  void ReplaceDataSourceTester(std::string_view type_name, DataSourceTester tester);

  // nullptr when nothing is registered under the name (a registered name, not a DataX alias).
  const ReaderPlugin* FindReader(std::string_view name) const;
  const WriterPlugin* FindWriter(std::string_view name) const;
  const DataSourceType* FindDataSourceType(std::string_view name) const;

  // Sorted.
  std::vector<std::string> ReaderNames() const;
  std::vector<std::string> WriterNames() const;
  // In the order they were added, which is the order help texts list them in.
  const std::vector<DataSourceType>& data_source_types() const { return data_source_types_; }
  // "ots or odps" ("a, b or c"), each name between `quote`s: the types a message expects.
  std::string DataSourceTypeChoices(std::string_view quote = "") const;

 private:
  std::map<std::string, ReaderPlugin, std::less<>> readers_;
  std::map<std::string, WriterPlugin, std::less<>> writers_;
  std::vector<DataSourceType> data_source_types_;
};

}  // namespace otsync::sync
