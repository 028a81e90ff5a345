// Job scripts (sync/job_script.h) in both formats, the seed's script mode and DataX job files,
// with the otsync binary's plugins checking their parameters and ${variables} substituted. An
// input may begin with a line "//@ name=value name=value" giving the -p variables; without it the
// variables are startTime and endTime of the seed's example. Every error is InvalidArgument.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "fuzz/fuzz_checks.h"
#include "readers/otsstream/otsstream_reader.h"
#include "sync/job_script.h"
#include "sync/plugin_registry.h"
#include "writers/odps/warehouse_cli.h"
#include "writers/stream/stream_writer.h"
#include "writers/txtfile/txtfile_writer.h"

namespace {

using namespace otsync;

const sync::PluginRegistry& Plugins() {
  static const sync::PluginRegistry* plugins = [] {
    auto* registry = new sync::PluginRegistry;
    registry->AddReader(readers::otsstream::OtsStreamReaderPlugin());
    registry->AddWriter(odps::OdpsWriterPlugin());
    registry->AddWriter(writers::StreamWriterPlugin());
    registry->AddWriter(writers::TxtFileWriterPlugin());
    return registry;
  }();
  return *plugins;
}

// "name=value name=value": the variables of the "//@ " line.
std::map<std::string, std::string> ParseVariables(std::string_view line) {
  std::map<std::string, std::string> variables;
  while (!line.empty()) {
    size_t end = line.find(' ');
    std::string_view word = line.substr(0, end);
    if (size_t equals = word.find('='); equals != std::string_view::npos) {
      variables[std::string(word.substr(0, equals))] = std::string(word.substr(equals + 1));
    }
    if (end == std::string_view::npos) break;
    line.remove_prefix(end + 1);
  }
  return variables;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::shared_ptr<const Clock> clock =
      std::make_shared<ManualClock>(1'508'400'000'000'000);  // 2017-10-19 08:00 UTC.
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sync::JobScriptOptions options;
  options.plugins = &Plugins();
  options.clock = clock;
  if (text.starts_with("//@ ")) {
    size_t line_end = text.find('\n');
    options.variables =
        ParseVariables(text.substr(4, line_end == text.npos ? text.npos : line_end - 4));
  } else {
    options.variables = {{"startTime", "20171019161000"}, {"endTime", "20171019162600"}};
  }
  Result<sync::JobSpec> job = sync::ParseJobScript(text, options);
  if (!job.ok()) {
    fuzz::Check(job.status().code() == StatusCode::kInvalidArgument,
                "a job script error is not InvalidArgument", job.status().ToString());
  }
  return 0;
}
