#include "sync/job_script.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "sync/config_object.h"
#include "sync/lenient_json.h"
#include "sync/variables.h"

namespace otsync::sync {
namespace {

constexpr double kBytesPerMebibyte = 1024.0 * 1024.0;
constexpr int64_t kMaxConcurrent = 1024;

struct ParseContext {
  const Variables& variables;
  const TimeZone& zone;
  const PluginRegistry& plugins;
  std::vector<std::string>& warnings;
};

void NoteUnknownKeys(const ConfigObject& object, std::vector<std::string>& warnings) {
  for (const std::string& path : object.UnusedKeyPaths()) {
    warnings.push_back(path + ": unknown key, ignored");
  }
}

// "otsstream", or "one of odps, stream, txtfile".
std::string ExpectedNames(const std::vector<std::string>& names) {
  if (names.empty()) return "a plugin of this build, which has none";
  if (names.size() == 1) return names.front();
  std::string text = "one of ";
  for (size_t i = 0; i < names.size(); ++i) text += (i == 0 ? "" : ", ") + names[i];
  return text;
}

// The registered name a script's plugin name stands for: itself, or without DataX's "reader" or
// "writer" suffix.
std::string PluginName(std::string_view written, std::string_view suffix) {
  std::string name = AsciiLower(written);
  if (name.ends_with(suffix)) name.resize(name.size() - suffix.size());
  return name;
}

// One step, reader or writer: its plugin name checked against `names`, its parameter object
// parsed by `parse_spec` of the plugin `find` returns.
template <typename Step, typename Find>
Result<Step> ParseStep(const ConfigObject& step, std::string_view name_key, std::string_view role,
                       const std::vector<std::string>& names, Find find, ParseContext& context) {
  std::string expected = ExpectedNames(names);
  OTSYNC_ASSIGN_OR_RETURN(
      std::string written,
      step.GetRequiredString(name_key, "the " + std::string(role) + " plugin, " + expected));
  std::string plugin = PluginName(written, role);
  const auto* descriptor = find(plugin);
  if (descriptor == nullptr) {
    return ConfigError(step.PathOf(name_key), "unsupported " + std::string(role) + " plugin \"" +
                                                  written + "\", expected " + expected);
  }
  OTSYNC_ASSIGN_OR_RETURN(
      ConfigObject parameter,
      step.GetRequiredObject("parameter", "the " + std::string(role) + "'s parameters"));
  Step spec;
  spec.plugin = plugin;
  if (descriptor->parse_spec) {  // Without a parser the plugin takes no parameters.
    SpecParseContext spec_context{context.zone, context.warnings};
    OTSYNC_ASSIGN_OR_RETURN(spec.parameters, descriptor->parse_spec(parameter, spec_context));
  }
  NoteUnknownKeys(parameter, context.warnings);
  NoteUnknownKeys(step, context.warnings);
  return spec;
}

Result<ReaderSpec> ParseReader(const ConfigObject& reader, std::string_view name_key,
                               ParseContext& context) {
  return ParseStep<ReaderSpec>(
      reader, name_key, "reader", context.plugins.ReaderNames(),
      [&](std::string_view name) { return context.plugins.FindReader(name); }, context);
}

Result<WriterSpec> ParseWriter(const ConfigObject& writer, std::string_view name_key,
                               ParseContext& context) {
  return ParseStep<WriterSpec>(
      writer, name_key, "writer", context.plugins.WriterNames(),
      [&](std::string_view name) { return context.plugins.FindWriter(name); }, context);
}

Result<int64_t> GetConcurrent(const ConfigObject& speed, std::string_view key) {
  OTSYNC_ASSIGN_OR_RETURN(std::optional<int64_t> concurrent, speed.GetInt64(key));
  if (!concurrent.has_value()) return 1;
  if (*concurrent < 1 || *concurrent > kMaxConcurrent) {
    return ConfigError(speed.PathOf(key), "expected an integer from 1 to " +
                                              std::to_string(kMaxConcurrent) + ", got " +
                                              std::to_string(*concurrent));
  }
  return *concurrent;
}

// DataWorks: {"mbps", "concurrent", "throttle", "dmu"}.
Result<SpeedSpec> ParseScriptSpeed(const ConfigObject& speed, ParseContext& context) {
  SpeedSpec spec;
  OTSYNC_ASSIGN_OR_RETURN(spec.concurrent, GetConcurrent(speed, "concurrent"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<double> mbps, speed.GetDouble("mbps"));
  if (mbps.has_value() && !(*mbps > 0)) {
    return ConfigError(speed.PathOf("mbps"), "expected a rate in MB/s greater than 0");
  }
  OTSYNC_ASSIGN_OR_RETURN(std::optional<bool> throttle, speed.GetBool("throttle"));
  if (throttle == false) {
    if (mbps.has_value()) {
      context.warnings.push_back(speed.PathOf("mbps") + ": throttle is false, mbps ignored");
    }
    mbps.reset();
  } else if (throttle == true && !mbps.has_value()) {
    return ConfigError(
        speed.PathOf("mbps"),
        "missing the key. Expected the maximum rate in MB/s, required when throttle is "
        "true.");
  }
  if (mbps.has_value()) {
    spec.bytes_per_second = std::llround(*mbps * kBytesPerMebibyte);
    spec.throttle = true;
  }
  if (speed.Find("dmu") != nullptr) {
    context.warnings.push_back(
        speed.PathOf("dmu") + ": a DataWorks billing unit, ignored (concurrent sets the channels)");
  }
  NoteUnknownKeys(speed, context.warnings);
  return spec;
}

// DataX: {"channel", "byte", "record"}; a byte or record limit <= 0 means none, as in DataX.
// Unlike DataX, `byte` and `record` are whole-job limits and `channel` is kept beside them.
Result<SpeedSpec> ParseDataXSpeed(const ConfigObject& speed, ParseContext& context) {
  SpeedSpec spec;
  OTSYNC_ASSIGN_OR_RETURN(spec.concurrent, GetConcurrent(speed, "channel"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<int64_t> bytes, speed.GetInt64("byte"));
  if (bytes.has_value() && *bytes > 0) spec.bytes_per_second = *bytes;
  OTSYNC_ASSIGN_OR_RETURN(std::optional<int64_t> records, speed.GetInt64("record"));
  if (records.has_value() && *records > 0) spec.records_per_second = *records;
  spec.throttle = spec.bytes_per_second.has_value() || spec.records_per_second.has_value();
  NoteUnknownKeys(speed, context.warnings);
  return spec;
}

Result<ErrorLimitSpec> ParseErrorLimit(const ConfigObject& limit, ParseContext& context) {
  ErrorLimitSpec spec;
  OTSYNC_ASSIGN_OR_RETURN(spec.record, limit.GetInt64("record"));
  if (spec.record.has_value() && *spec.record < 0) {
    return ConfigError(
        limit.PathOf("record"),
        "expected a non-negative number of dirty records, got " + std::to_string(*spec.record));
  }
  OTSYNC_ASSIGN_OR_RETURN(spec.percentage, limit.GetDouble("percentage"));
  if (spec.percentage.has_value() && !(*spec.percentage >= 0 && *spec.percentage <= 1)) {
    return ConfigError(limit.PathOf("percentage"),
                       "expected a fraction of dirty records in [0.0, 1.0]");
  }
  NoteUnknownKeys(limit, context.warnings);
  return spec;
}

Status ParseSetting(const ConfigObject& setting, bool datax, ParseContext& context, JobSpec& job) {
  OTSYNC_ASSIGN_OR_RETURN(std::optional<ConfigObject> speed, setting.GetObject("speed"));
  if (speed.has_value()) {
    if (datax) {
      OTSYNC_ASSIGN_OR_RETURN(job.speed, ParseDataXSpeed(*speed, context));
    } else {
      OTSYNC_ASSIGN_OR_RETURN(job.speed, ParseScriptSpeed(*speed, context));
    }
  }
  OTSYNC_ASSIGN_OR_RETURN(std::optional<ConfigObject> limit, setting.GetObject("errorLimit"));
  if (limit.has_value()) {
    OTSYNC_ASSIGN_OR_RETURN(job.error_limit, ParseErrorLimit(*limit, context));
  }
  NoteUnknownKeys(setting, context.warnings);
  return Status::OK();
}

Status ParseScript(const ConfigObject& root, ParseContext& context, JobSpec& job) {
  job.format = JobScriptFormat::kDataWorksScript;
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> type, root.GetString("type"));
  if (type.has_value() && AsciiLower(*type) != "job") {
    return ConfigError("type", "expected \"job\", got \"" + *type + "\"");
  }
  const ConfigValue* version_value = root.Find("version");
  if (version_value != nullptr && !version_value->is_null()) {
    OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> version, root.GetString("version"));
    if (*version != "1.0" && *version != "2.0") {
      return ConfigError("version", "expected \"1.0\" or \"2.0\", got \"" + *version + "\"");
    }
  }
  if (root.Has("steps")) {
    return ConfigError(
        "steps", "the steps form is not supported, expected configuration with reader and writer");
  }
  OTSYNC_ASSIGN_OR_RETURN(
      ConfigObject configuration,
      root.GetRequiredObject("configuration", "an object with reader, writer and setting"));
  OTSYNC_ASSIGN_OR_RETURN(
      ConfigObject reader,
      configuration.GetRequiredObject("reader", "an object with plugin and parameter"));
  OTSYNC_ASSIGN_OR_RETURN(job.reader, ParseReader(reader, "plugin", context));
  OTSYNC_ASSIGN_OR_RETURN(
      ConfigObject writer,
      configuration.GetRequiredObject("writer", "an object with plugin and parameter"));
  OTSYNC_ASSIGN_OR_RETURN(job.writer, ParseWriter(writer, "plugin", context));

  OTSYNC_ASSIGN_OR_RETURN(std::optional<ConfigObject> inner_setting,
                          configuration.GetObject("setting"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<ConfigObject> outer_setting, root.GetObject("setting"));
  if (inner_setting.has_value() && outer_setting.has_value()) {
    return ConfigError("setting",
                       "given both here and as configuration.setting, expected one of them");
  }
  if (inner_setting.has_value()) {
    OTSYNC_RETURN_IF_ERROR(ParseSetting(*inner_setting, false, context, job));
  } else if (outer_setting.has_value()) {
    OTSYNC_RETURN_IF_ERROR(ParseSetting(*outer_setting, false, context, job));
  }
  NoteUnknownKeys(configuration, context.warnings);
  NoteUnknownKeys(root, context.warnings);
  return Status::OK();
}

Status ParseDataX(const ConfigObject& root, ParseContext& context, JobSpec& job) {
  job.format = JobScriptFormat::kDataXJob;
  root.Find("core");  // DataX engine tuning; otsync has its own.
  OTSYNC_ASSIGN_OR_RETURN(ConfigObject datax_job,
                          root.GetRequiredObject("job", "an object with setting and content"));
  const ConfigValue* content = datax_job.Find("content");
  std::string content_path = datax_job.PathOf("content");
  if (content == nullptr || content->is_null()) {
    return ConfigError(content_path,
                       "missing the key. Expected [{\"reader\": ..., \"writer\": ...}].");
  }
  if (!content->is_array() || content->items.empty()) {
    return ConfigError(content_path,
                       "expected a non-empty array of {\"reader\", \"writer\"} objects");
  }
  if (content->items.size() > 1) {
    context.warnings.push_back(content_path + ": only content[0] is used, as in DataX");
  }
  OTSYNC_ASSIGN_OR_RETURN(
      ConfigObject step,
      ConfigObject::Make(content->items[0], content_path + "[0]", context.variables));
  OTSYNC_ASSIGN_OR_RETURN(ConfigObject reader,
                          step.GetRequiredObject("reader", "an object with name and parameter"));
  OTSYNC_ASSIGN_OR_RETURN(job.reader, ParseReader(reader, "name", context));
  OTSYNC_ASSIGN_OR_RETURN(ConfigObject writer,
                          step.GetRequiredObject("writer", "an object with name and parameter"));
  OTSYNC_ASSIGN_OR_RETURN(job.writer, ParseWriter(writer, "name", context));
  const ConfigValue* transformer = step.Find("transformer");
  if (transformer != nullptr && !transformer->is_null() &&
      !(transformer->is_array() && transformer->items.empty())) {
    return ConfigError(step.PathOf("transformer"), "transformers are not supported, expected none");
  }
  OTSYNC_ASSIGN_OR_RETURN(std::optional<ConfigObject> setting, datax_job.GetObject("setting"));
  if (setting.has_value()) OTSYNC_RETURN_IF_ERROR(ParseSetting(*setting, true, context, job));
  NoteUnknownKeys(step, context.warnings);
  NoteUnknownKeys(datax_job, context.warnings);
  NoteUnknownKeys(root, context.warnings);
  return Status::OK();
}

}  // namespace

Result<JobSpec> ParseJobScript(std::string_view text, const JobScriptOptions& options) {
  Result<ConfigValue> document = ParseLenientJson(text);
  if (!document.ok()) {
    return Status::InvalidArgument("job script is not valid JSON: " + document.status().message());
  }
  Variables variables(options.variables, options.clock, options.time_zone);
  JobSpec job;
  PluginRegistry no_plugins;
  ParseContext context{variables, options.time_zone,
                       options.plugins != nullptr ? *options.plugins : no_plugins, job.warnings};
  Result<ConfigObject> root = ConfigObject::Make(*document, "", variables);
  if (!root.ok()) {
    if (document->is_object()) return root.status();
    return Status::InvalidArgument("job script: expected a JSON object at the top level");
  }
  if (root->Has("job")) {
    OTSYNC_RETURN_IF_ERROR(ParseDataX(*root, context, job));
  } else if (root->Has("configuration")) {
    OTSYNC_RETURN_IF_ERROR(ParseScript(*root, context, job));
  } else {
    return Status::InvalidArgument(
        "job script: expected a DataWorks script with \"configuration\" or a DataX job with "
        "\"job\"");
  }
  return job;
}

Result<JobSpec> LoadJobScript(const std::string& path, const JobScriptOptions& options) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Status::InvalidArgument("cannot read job script " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << file.rdbuf();
  Result<JobSpec> job = ParseJobScript(text.str(), options);
  if (!job.ok()) return job.status().WithContext(path);
  return job;
}

}  // namespace otsync::sync
