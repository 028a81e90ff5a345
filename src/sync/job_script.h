// Reading job scripts: the seed's script mode verbatim (comments, trailing commas, keys with
// stray spaces or odd case, ${variables}) and DataX job files, into one validated JobSpec. The
// whole script is checked before anything runs; every error is kInvalidArgument and names the
// key path and what was expected ("configuration.reader.parameter.dataTable: missing the key.
// Expected ..."). The reader and writer a script names, and their `parameter` objects, are
// checked by the plugins registered under those names (sync/plugin_registry.h). Data-source names
// are not looked up here.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "sync/job_spec.h"
#include "sync/local_time.h"
#include "sync/plugin_registry.h"

namespace otsync::sync {

struct JobScriptOptions {
  std::map<std::string, std::string> variables;  // From -p name=value.
  std::shared_ptr<const Clock> clock;            // For ${bdp.system.bizdate}; null: real clock.
  // The zone of yyyyMMddHHmmss / yyyyMMdd values and of the business date.
  TimeZone time_zone = TimeZone::Shanghai();
  // The readers and writers a script may name; null: none.
  const PluginRegistry* plugins = nullptr;
};

Result<JobSpec> ParseJobScript(std::string_view text, const JobScriptOptions& options);

// Reads the file, then ParseJobScript; errors are prefixed with the file name.
Result<JobSpec> LoadJobScript(const std::string& path, const JobScriptOptions& options);

}  // namespace otsync::sync
