// PluginRegistry: the readers, writers and data-source testers a build of otsync has, by name.
// Plugins that live in other rooms register themselves here from main() (or a test), so the
// engine never depends on them:
//
//   registry.RegisterWriter("odps", MakeOdpsWriter);           // writers/odps
//   registry.RegisterReader("otsstream", MakeOtsStreamReader); // readers/otsstream
//   registry.RegisterDataSourceTester("odps", TestWarehouse);
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "sync/datasource_registry.h"
#include "sync/job_binding.h"
#include "sync/job_spec.h"
#include "sync/reader.h"
#include "sync/writer.h"

namespace otsync::sync {

// What a factory gets to build its plugin for one job.
struct PluginContext {
  const JobSpec& job;
  const JobConnections& connections;  // Secrets inside: never print them.
  std::string data_dir;
  std::shared_ptr<const Clock> clock;
  std::ostream& data_out;  // Standard output, for writers that print rows.
};

// Factories fail with kInvalidArgument for a configuration the plugin cannot run.
using ReaderFactory = std::function<Result<std::unique_ptr<Reader>>(const PluginContext&)>;
using WriterFactory = std::function<Result<std::unique_ptr<Writer>>(const PluginContext&)>;
// Makes a real request to the data source; OK with a one-line description of what was reached
// ("reached instance local at http://127.0.0.1:8800: 3 tables"), or the reason it failed. The
// description and the reason never contain a secret.
using DataSourceTester = std::function<Result<std::string>(const DataSource&)>;

class PluginRegistry {
 public:
  // A later registration under the same name replaces the earlier one.
  void RegisterReader(std::string name, ReaderFactory factory);
  void RegisterWriter(std::string name, WriterFactory factory);
  void RegisterDataSourceTester(std::string type_name, DataSourceTester tester);

  // nullptr when nothing is registered under the name.
  const ReaderFactory* FindReader(std::string_view name) const;
  const WriterFactory* FindWriter(std::string_view name) const;
  const DataSourceTester* FindDataSourceTester(std::string_view type_name) const;

 private:
  std::map<std::string, ReaderFactory, std::less<>> readers_;
  std::map<std::string, WriterFactory, std::less<>> writers_;
  std::map<std::string, DataSourceTester, std::less<>> testers_;
};

}  // namespace otsync::sync
