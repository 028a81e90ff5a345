// The parameters of the `otsstream` reader (DataX otsstreamreader, docs/datax-semantics.md §1.1),
// validated with the checks of docs/datax-semantics.md §1.2 in their order and with their
// messages, each prefixed by its key path.
// Rules that need "now" (start >= now - retention + margin, end <= now - 5 min) are the reader's
// at run time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "sync/config_object.h"
#include "sync/job_binding.h"
#include "sync/local_time.h"

namespace otsync::readers::otsstream {

// A Tablestore connection written directly in the reader's parameters, as DataX jobs do.
struct OtsConnectionSpec {
  std::string endpoint;
  std::string access_id;
  std::string access_key;  // Secret: never logged, printed or put in a message.
  std::string instance_name;

  bool operator==(const OtsConnectionSpec&) const = default;
};

enum class TimeRangeForm { kTimeString, kTimestampMillis, kDate };

enum class OtsStreamMode { kMultiVersion, kSingleVersionAndUpdateOnly };

struct OtsStreamColumnSpec {
  std::string name;
  bool is_timeseries_tag = false;

  bool operator==(const OtsStreamColumnSpec&) const = default;
};

struct OtsStreamReaderSpec {
  // Exactly one of the two is set: a registered `ots` data source, or a direct connection.
  std::string datasource;
  std::optional<OtsConnectionSpec> connection;

  std::string data_table;
  std::string status_table;

  // The window [start, end) in epoch millis, however it was written.
  TimeRangeForm time_range_form = TimeRangeForm::kTimeString;
  int64_t start_timestamp_millis = 0;
  int64_t end_timestamp_millis = 0;
  std::string time_zone;  // The zone yyyyMMddHHmmss and yyyyMMdd were read in.

  bool is_export_sequence_info = false;
  int64_t max_retries = 30;
  OtsStreamMode mode = OtsStreamMode::kMultiVersion;
  std::vector<OtsStreamColumnSpec> columns;  // Only in single-version mode.
  bool is_timeseries_table = false;          // Only in single-version mode.
  bool enable_seek_iterator = false;
  int64_t thread_num = 32;
  bool enable_table_group_support = false;
  bool conf_simplify_enable = false;

  bool operator==(const OtsStreamReaderSpec&) const = default;
};

// `warnings` receives notes about settings that are accepted but ignored.
Result<OtsStreamReaderSpec> ParseOtsStreamReaderSpec(const sync::ConfigObject& parameter,
                                                     const sync::TimeZone& zone,
                                                     std::vector<std::string>& warnings);

// The spec's direct connection, or that of the `ots` data source it names (errors from `sources`:
// an unknown name, a source of another type).
Result<OtsConnectionSpec> ResolveOtsConnection(const OtsStreamReaderSpec& spec,
                                               const sync::DataSourceLookup& sources);

}  // namespace otsync::readers::otsstream
