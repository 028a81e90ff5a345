// Job variables: `${name}` references in string values of a job script, filled from `-p
// name=value` pairs and the DataWorks system variables.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "sync/local_time.h"

namespace otsync::sync {

class Variables {
 public:
  // `clock` null means the real clock. `zone` decides which day "yesterday" is.
  explicit Variables(std::map<std::string, std::string> values = {},
                     std::shared_ptr<const Clock> clock = nullptr,
                     TimeZone zone = TimeZone::Shanghai());

  // A value given with -p wins; otherwise the system variables are
  //   bdp.system.bizdate  yesterday in the zone, yyyyMMdd (the DataWorks business date)
  //   bdp.system.cyctime  now in the zone, yyyyMMddHHmmss
  std::optional<std::string> Lookup(std::string_view name) const;

  // `text` with every ${name} replaced by its value; values are not expanded again. An unset
  // name, "${}" or an unclosed "${" fails with kInvalidArgument naming `key_path` and the name.
  Result<std::string> Substitute(std::string_view text, std::string_view key_path) const;

  const TimeZone& zone() const { return zone_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::shared_ptr<const Clock> clock_;
  TimeZone zone_;
};

// A name a job script can reference as ${name}: letters, digits, '_', '.' and '-'.
bool IsValidVariableName(std::string_view name);

// Adds one command-line assignment to `values`: "name=value" (the value may be empty or contain
// '='), or DataX's "-Dname=value", several of them separated by spaces.
Status AddVariableAssignment(std::string_view argument, std::map<std::string, std::string>& values);

}  // namespace otsync::sync
