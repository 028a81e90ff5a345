#include "readers/otsstream/otsstream_reader_spec.h"

#include <utility>

#include "readers/otsstream/ots_datasource.h"

namespace otsync::readers::otsstream {

using sync::AsciiLower;
using sync::ConfigError;
using sync::ConfigObject;
using sync::ConfigValue;
using sync::ParseCompactDate;
using sync::ParseCompactDateTime;
using sync::TimeZone;
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;
constexpr std::string_view kSingleVersionMode = "single_version_and_update_only";

bool IsBlank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == text.npos; }

// A time string or date, also accepted when the script writes it as a JSON integer.
Result<std::optional<std::string>> GetTimeText(const ConfigObject& parameter,
                                               std::string_view key) {
  const ConfigValue* value = parameter.Find(key);
  if (value != nullptr && value->kind == ConfigValue::Kind::kInteger) {
    return std::optional(std::to_string(value->integer_value));
  }
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> text, parameter.GetString(key));
  if (text.has_value() && IsBlank(*text)) return std::optional<std::string>();
  return text;
}

Result<int64_t> GetPositiveOrDefault(const ConfigObject& parameter, std::string_view key,
                                     int64_t minimum, int64_t fallback) {
  OTSYNC_ASSIGN_OR_RETURN(std::optional<int64_t> value, parameter.GetInt64(key));
  if (!value.has_value()) return fallback;
  if (*value < minimum) {
    return ConfigError(parameter.PathOf(key), "expected an integer >= " + std::to_string(minimum) +
                                                  ", got " + std::to_string(*value));
  }
  return *value;
}

Result<bool> GetBoolOrDefault(const ConfigObject& parameter, std::string_view key, bool fallback) {
  OTSYNC_ASSIGN_OR_RETURN(std::optional<bool> value, parameter.GetBool(key));
  return value.value_or(fallback);
}

Status ParseConnection(const ConfigObject& parameter, OtsStreamReaderSpec& spec) {
  bool direct = parameter.Has("endpoint") || parameter.Has("accessId") ||
                parameter.Has("accessKey") || parameter.Has("instanceName");
  if (parameter.Has("datasource")) {
    if (direct) {
      return ConfigError(
          parameter.PathOf("datasource"),
          "give either datasource or endpoint, accessId, accessKey and instanceName, "
          "not both");
    }
    OTSYNC_ASSIGN_OR_RETURN(
        spec.datasource,
        parameter.GetRequiredString("datasource", "the name of a registered ots data source"));
    return Status::OK();
  }
  OtsConnectionSpec connection;
  OTSYNC_ASSIGN_OR_RETURN(
      connection.endpoint,
      parameter.GetRequiredString(
          "endpoint",
          "the Tablestore endpoint such as http://127.0.0.1:8800, or a registered data source "
          "named by datasource"));
  if (!connection.endpoint.starts_with("http://") && !connection.endpoint.starts_with("https://")) {
    return ConfigError(parameter.PathOf("endpoint"),
                       "expected an endpoint starting with http:// or https://");
  }
  OTSYNC_ASSIGN_OR_RETURN(connection.access_id,
                          parameter.GetRequiredString("accessId", "the AccessKey ID"));
  OTSYNC_ASSIGN_OR_RETURN(connection.access_key,
                          parameter.GetRequiredString("accessKey", "the AccessKey secret"));
  OTSYNC_ASSIGN_OR_RETURN(connection.instance_name,
                          parameter.GetRequiredString("instanceName", "the Tablestore instance"));
  spec.connection = std::move(connection);
  return Status::OK();
}

// The checks 1 to 7 of docs/datax-semantics.md §1.2, in order.
Status ParseTimeRange(const ConfigObject& parameter, const TimeZone& zone,
                      OtsStreamReaderSpec& spec) {
  const std::string& path = parameter.path();
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> date, GetTimeText(parameter, "date"));
  bool has_date = date.has_value() || parameter.Has("date");
  OTSYNC_ASSIGN_OR_RETURN(std::optional<int64_t> start_millis,
                          parameter.GetInt64("startTimestampMillis"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<int64_t> end_millis,
                          parameter.GetInt64("endTimestampMillis"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> start_string,
                          GetTimeText(parameter, "startTimeString"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> end_string,
                          GetTimeText(parameter, "endTimeString"));
  bool any_millis = start_millis.has_value() || end_millis.has_value();
  bool any_string = start_string.has_value() || end_string.has_value();
  bool both_millis = start_millis.has_value() && end_millis.has_value();
  bool both_strings = start_string.has_value() && end_string.has_value();

  if (!has_date && !both_millis && !both_strings) {
    return ConfigError(path,
                       "Must set date or time range millis or time range string, please check your "
                       "config.");
  }
  if (has_date && any_millis && any_string) {
    return ConfigError(
        path,
        "Can't set date and time range millis and time range string, please check your "
        "config.");
  }
  if (has_date && any_millis) {
    return ConfigError(path, "Can't set date and time range both, please check your config.");
  }
  if (has_date && any_string) {
    return ConfigError(path,
                       "Can't set date and time range string both, please check your config.");
  }
  if (any_millis && any_string) {
    return ConfigError(
        path,
        "Can't set time range millis and time range string both, expect timestamp like "
        "'1516010400000'.");
  }

  std::string end_key;
  if (both_strings) {
    spec.time_range_form = TimeRangeForm::kTimeString;
    Result<int64_t> start = ParseCompactDateTime(*start_string, zone);
    if (!start.ok()) {
      return ConfigError(parameter.PathOf("startTimeString"),
                         "Can't parse startTimeString: " + *start_string +
                             ", expect format date like '201801151612'.");
    }
    Result<int64_t> end = ParseCompactDateTime(*end_string, zone);
    if (!end.ok()) {
      return ConfigError(parameter.PathOf("endTimeString"),
                         "Can't parse endTimeString: " + *end_string +
                             ", expect format date like '201801151612'.");
    }
    spec.start_timestamp_millis = *start;
    spec.end_timestamp_millis = *end;
    end_key = "endTimeString";
  } else if (!has_date) {
    spec.time_range_form = TimeRangeForm::kTimestampMillis;
    spec.start_timestamp_millis = *start_millis;
    spec.end_timestamp_millis = *end_millis;
    end_key = "endTimestampMillis";
  } else {
    spec.time_range_form = TimeRangeForm::kDate;
    if (!date.has_value()) {
      return ConfigError(parameter.PathOf("date"),
                         "input the key is empty string. Expected yyyyMMdd.");
    }
    Result<int64_t> start = ParseCompactDate(*date, zone);
    if (!start.ok()) return ConfigError(parameter.PathOf("date"), "Can't parse date: " + *date);
    spec.start_timestamp_millis = *start;
    spec.end_timestamp_millis = *start + kMillisPerDay;
    end_key = "date";
  }
  if (spec.start_timestamp_millis >= spec.end_timestamp_millis) {
    return ConfigError(parameter.PathOf(end_key),
                       "EndTimestamp must be larger than startTimestamp.");
  }
  spec.time_zone = zone.name;
  return Status::OK();
}

Status ParseColumns(const ConfigObject& parameter, OtsStreamReaderSpec& spec) {
  const ConfigValue* columns = parameter.Find("column");
  if (columns == nullptr || columns->is_null()) return Status::OK();
  std::string path = parameter.PathOf("column");
  if (!columns->is_array()) {
    return ConfigError(path,
                       "Parse column fail, please check your config. Expected an array of "
                       "{\"name\": ...} objects, got " +
                           std::string(DescribeKind(columns->kind)) + ".");
  }
  for (size_t i = 0; i < columns->items.size(); ++i) {
    std::string item_path = path + "[" + std::to_string(i) + "]";
    const ConfigValue& item = columns->items[i];
    if (!item.is_object()) {
      return ConfigError(
          item_path,
          "Parse column fail, please check your config. The item of column must be map "
          "object, please check your input.");
    }
    OTSYNC_ASSIGN_OR_RETURN(ConfigObject column,
                            ConfigObject::Make(item, item_path, parameter.variables()));
    OtsStreamColumnSpec column_spec;
    OTSYNC_ASSIGN_OR_RETURN(column_spec.name, column.GetRequiredString("name", "the column name"));
    OTSYNC_ASSIGN_OR_RETURN(std::optional<bool> is_tag, column.GetBool("is_timeseries_tag"));
    column_spec.is_timeseries_tag = spec.is_timeseries_table && is_tag.value_or(false);
    spec.columns.push_back(std::move(column_spec));
  }
  return Status::OK();
}

}  // namespace

Result<OtsStreamReaderSpec> ParseOtsStreamReaderSpec(const ConfigObject& parameter,
                                                     const TimeZone& zone,
                                                     std::vector<std::string>& warnings) {
  OtsStreamReaderSpec spec;
  OTSYNC_RETURN_IF_ERROR(ParseConnection(parameter, spec));
  OTSYNC_ASSIGN_OR_RETURN(
      spec.data_table,
      parameter.GetRequiredString("dataTable", "the name of the table whose stream is exported"));
  OTSYNC_ASSIGN_OR_RETURN(
      spec.status_table,
      parameter.GetRequiredString("statusTable", "the name of the table that keeps checkpoints"));
  OTSYNC_ASSIGN_OR_RETURN(spec.is_export_sequence_info,
                          GetBoolOrDefault(parameter, "isExportSequenceInfo", false));
  // Any integer, as DataX takes it: threadNum <= 0 asks for DataX's own pool size (4 x CPUs /
  // tasks). otsync reads every shard on a task of its own whatever it says.
  OTSYNC_ASSIGN_OR_RETURN(std::optional<int64_t> thread_num, parameter.GetInt64("threadNum"));
  spec.thread_num = thread_num.value_or(32);
  OTSYNC_RETURN_IF_ERROR(ParseTimeRange(parameter, zone, spec));
  OTSYNC_ASSIGN_OR_RETURN(spec.max_retries, GetPositiveOrDefault(parameter, "maxRetries", 0, 30));

  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> mode, parameter.GetString("mode"));
  OTSYNC_ASSIGN_OR_RETURN(spec.is_timeseries_table,
                          GetBoolOrDefault(parameter, "isTimeseriesTable", false));
  if (mode.has_value()) {
    if (AsciiLower(*mode) != kSingleVersionMode) {
      return ConfigError(parameter.PathOf("mode"),
                         "Unsupported Mode: " + *mode + ", please check your config.");
    }
    spec.mode = OtsStreamMode::kSingleVersionAndUpdateOnly;
    OTSYNC_RETURN_IF_ERROR(ParseColumns(parameter, spec));
  } else {
    if (parameter.Has("column")) {
      warnings.push_back(parameter.PathOf("column") +
                         ": The multi version mode doesn't support setting columns, column "
                         "config will ignore.");
    }
    if (spec.is_timeseries_table) {
      warnings.push_back(parameter.PathOf("isTimeseriesTable") +
                         ": The multi version mode doesn't support setting Timeseries stream, "
                         "stream config will ignore.");
      spec.is_timeseries_table = false;
    }
  }
  OTSYNC_ASSIGN_OR_RETURN(spec.enable_seek_iterator,
                          GetBoolOrDefault(parameter, "enableSeekIterator", false));
  OTSYNC_ASSIGN_OR_RETURN(spec.enable_table_group_support,
                          GetBoolOrDefault(parameter, "enableTableGroupSupport", false));
  OTSYNC_ASSIGN_OR_RETURN(spec.conf_simplify_enable,
                          GetBoolOrDefault(parameter, "confSimplifyEnable", false));
  return spec;
}

Result<OtsConnectionSpec> ResolveOtsConnection(const OtsStreamReaderSpec& spec,
                                               const sync::DataSourceLookup& sources) {
  if (spec.connection.has_value()) return *spec.connection;
  OTSYNC_ASSIGN_OR_RETURN(const sync::DataSource* source,
                          sources.FindOfType(spec.datasource, "ots", "datasource"));
  OTSYNC_ASSIGN_OR_RETURN(OtsDataSourceConfig ots, OtsDataSourceConfigOf(*source));
  return OtsConnectionSpec{ots.endpoint, ots.access_id, ots.access_key, ots.instance};
}

}  // namespace otsync::readers::otsstream
