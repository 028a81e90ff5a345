// ConfigObject: one JSON object of a job script, read the way the seed writes its keys
// (case-insensitively, stray spaces trimmed: "Configuration " is "configuration"), with every
// error naming the key path ("configuration.reader.parameter.dataTable: ...") and what was
// expected. String values are read with their ${variables} substituted. Error messages never
// quote a string value except where a reader of the message needs it (numbers, booleans, times);
// callers never read secrets through those.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sync/config_value.h"
#include "sync/variables.h"

namespace otsync::sync {

// Lower-cased with surrounding spaces and tabs removed.
std::string NormalizeKey(std::string_view key);

// ASCII letters lower-cased; other bytes unchanged.
std::string AsciiLower(std::string_view text);

// The configuration error every job-script check returns: kInvalidArgument "<key_path>: <what>".
Status ConfigError(const std::string& key_path, std::string_view what);

class ConfigObject {
 public:
  // REQUIRED: `value` and `variables` outlive the ConfigObject and everything read from it.
  // Fails when `value` is not an object or two of its keys are equal once normalised.
  static Result<ConfigObject> Make(const ConfigValue& value, std::string path,
                                   const Variables& variables);

  const std::string& path() const { return path_; }
  // "<path>.<key>", or just the key at the root.
  std::string PathOf(std::string_view key) const;
  const Variables& variables() const { return *variables_; }

  // The member whose normalised key equals NormalizeKey(key), or nullptr. A null JSON value is
  // returned as is; the typed getters treat null as absent.
  const ConfigValue* Find(std::string_view key) const;
  bool Has(std::string_view key) const;

  // Absent or null -> nullopt.
  Result<std::optional<std::string>> GetString(std::string_view key) const;
  // DataX's ParamChecker: "<path>: missing the key. Expected <expected>." when absent and
  // "<path>: input the key is empty string. Expected <expected>." when blank; trimmed.
  Result<std::string> GetRequiredString(std::string_view key, std::string_view expected) const;
  // A JSON integer or a string of one (DataX's getLong); absent, null or blank -> nullopt.
  Result<std::optional<int64_t>> GetInt64(std::string_view key) const;
  // A JSON number or a string of one; absent, null or blank -> nullopt.
  Result<std::optional<double>> GetDouble(std::string_view key) const;
  // true/false, or the strings "true"/"false" in any case (DataX's getBool); absent/null ->
  // nullopt.
  Result<std::optional<bool>> GetBool(std::string_view key) const;
  Result<std::optional<ConfigObject>> GetObject(std::string_view key) const;
  Result<ConfigObject> GetRequiredObject(std::string_view key, std::string_view expected) const;
  // An array of strings; absent/null -> nullopt.
  Result<std::optional<std::vector<std::string>>> GetStringList(std::string_view key) const;

  // Paths of members never looked up by any getter or Find, for "unknown key" warnings.
  std::vector<std::string> UnusedKeyPaths() const;

 private:
  ConfigObject(const ConfigValue& value, std::string path, const Variables& variables);

  const ConfigValue* value_;
  std::string path_;
  const Variables* variables_;
  std::vector<std::string> normalized_keys_;
  mutable std::vector<bool> used_;
};

}  // namespace otsync::sync
