// JobSpec: one validated job, whichever form it was written in (a DataWorks script-mode script
// or a DataX job file). Everything the engine needs to plan a run is here; nothing else in the
// script matters once a JobSpec exists.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sync/plugin_spec.h"

namespace otsync::sync {

enum class JobScriptFormat {
  kDataWorksScript,  // {"type": "job", "configuration": {"reader", "writer", "setting"}}
  kDataXJob,         // {"job": {"setting", "content": [{"reader", "writer"}]}}
};

// The reader or writer step: the plugin's registered name ("otsstream", "odps") and its
// `parameter` object as the plugin's spec parser made it (sync/plugin_registry.h).
struct ReaderSpec {
  std::string plugin;
  PluginSpec parameters;

  bool operator==(const ReaderSpec&) const = default;
};

struct WriterSpec {
  std::string plugin;
  PluginSpec parameters;

  bool operator==(const WriterSpec&) const = default;
};

struct SpeedSpec {
  int64_t concurrent = 1;  // Channels; DataWorks `concurrent`, DataX `channel`.
  // Whole-job limits; absent means unlimited. DataWorks `mbps` (MiB/s) and DataX `byte`.
  std::optional<int64_t> bytes_per_second;
  std::optional<int64_t> records_per_second;  // DataX `record`.
  bool throttle = false;                      // Whether any limit applies.

  bool operator==(const SpeedSpec&) const = default;
};

// DataX semantics: when `record` is set `percentage` is ignored; neither set means no limit.
struct ErrorLimitSpec {
  std::optional<int64_t> record;
  std::optional<double> percentage;  // In [0, 1].

  bool operator==(const ErrorLimitSpec&) const = default;
};

struct JobSpec {
  JobScriptFormat format = JobScriptFormat::kDataWorksScript;
  ReaderSpec reader;
  WriterSpec writer;
  SpeedSpec speed;
  ErrorLimitSpec error_limit;
  // Accepted-but-ignored settings and unknown keys, each "<key path>: <why>", for the job log.
  std::vector<std::string> warnings;

  bool operator==(const JobSpec&) const = default;
};

}  // namespace otsync::sync
