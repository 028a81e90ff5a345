// JobSpec: one validated job, whichever form it was written in (a DataWorks script-mode script
// or a DataX job file). Everything the engine needs to plan a run is here; nothing else in the
// script matters once a JobSpec exists.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sync/odps_writer_spec.h"
#include "sync/otsstream_reader_spec.h"
#include "sync/stream_writer_spec.h"
#include "sync/txtfile_writer_spec.h"

namespace otsync::sync {

enum class JobScriptFormat {
  kDataWorksScript,  // {"type": "job", "configuration": {"reader", "writer", "setting"}}
  kDataXJob,         // {"job": {"setting", "content": [{"reader", "writer"}]}}
};

struct ReaderSpec {
  std::string plugin;  // "otsstream"
  OtsStreamReaderSpec parameters;

  bool operator==(const ReaderSpec&) const = default;
};

struct WriterSpec {
  std::string plugin;  // "odps", "stream" or "txtfile", matching the alternative held.
  std::variant<OdpsWriterSpec, StreamWriterSpec, TxtFileWriterSpec> parameters;

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
