// PluginRegistry: the readers, writers and data-source testers a build of otsync has, by name.
// The engine knows plugins only through the descriptors below: each plugin's folder makes its
// own descriptor (its name, how it parses and checks its `parameter` object, which data sources
// it needs, how it is built), and the binary's composition root adds one line per plugin
// (src/tools/otsync_main.cc), so the engine never depends on a plugin:
//
//   plugins.AddReader(readers::otsstream::OtsStreamReaderPlugin());   // readers/otsstream
//   plugins.AddWriter(writers::StreamWriterPlugin());                 // writers/stream
//   plugins.RegisterDataSourceTester("odps", odps::TestWarehouseDataSource);
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
#include "sync/datasource_registry.h"
#include "sync/job_binding.h"
#include "sync/job_spec.h"
#include "sync/local_time.h"
#include "sync/plugin_spec.h"
#include "sync/reader.h"
#include "sync/writer.h"

namespace otsync::sync {

// What a factory gets to build its plugin for one job. The plugin's own values are in
// job.reader.parameters / job.writer.parameters and connections.reader / connections.writer.
struct PluginContext {
  const JobSpec& job;
  const JobConnections& connections;  // Secrets inside: never print them.
  std::string data_dir;
  std::shared_ptr<const Clock> clock;
  std::ostream& data_out;  // Standard output, for writers that print rows.
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
// Makes a real request to the data source; OK with a one-line description of what was reached
// ("reached instance local at http://127.0.0.1:8800: 3 tables"), or the reason it failed. The
// description and the reason never contain a secret.
using DataSourceTester = std::function<Result<std::string>(const DataSource&)>;

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
  // A later plugin or tester under the same name replaces the earlier one.
  void AddReader(ReaderPlugin plugin);
  void AddWriter(WriterPlugin plugin);
  void RegisterDataSourceTester(std::string type_name, DataSourceTester tester);

  // Runs `factory` in place of the named plugin's own, keeping its spec parsing and connections
  // (tests substitute a reader or writer this way). The plugin must have been added.
  void ReplaceReaderFactory(std::string_view name, ReaderFactory factory);
  void ReplaceWriterFactory(std::string_view name, WriterFactory factory);

  // nullptr when nothing is registered under the name (a registered name, not a DataX alias).
  const ReaderPlugin* FindReader(std::string_view name) const;
  const WriterPlugin* FindWriter(std::string_view name) const;
  const DataSourceTester* FindDataSourceTester(std::string_view type_name) const;

  // Sorted.
  std::vector<std::string> ReaderNames() const;
  std::vector<std::string> WriterNames() const;

 private:
  std::map<std::string, ReaderPlugin, std::less<>> readers_;
  std::map<std::string, WriterPlugin, std::less<>> writers_;
  std::map<std::string, DataSourceTester, std::less<>> testers_;
};

}  // namespace otsync::sync
