#include "sync/variables.h"

#include <utility>
#include <vector>

namespace otsync::sync {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

Status AddOneAssignment(std::string_view assignment, std::map<std::string, std::string>& values) {
  size_t equals = assignment.find('=');
  std::string_view name =
      equals == std::string_view::npos ? assignment : assignment.substr(0, equals);
  if (equals == std::string_view::npos || !IsValidVariableName(name)) {
    return Status::InvalidArgument(
        "-p expects name=value with a name of letters, digits, '_', '.' or '-'");
  }
  values[std::string(name)] = std::string(assignment.substr(equals + 1));
  return Status::OK();
}

}  // namespace

bool IsValidVariableName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '.' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

Variables::Variables(std::map<std::string, std::string> values, std::shared_ptr<const Clock> clock,
                     TimeZone zone)
    : values_(values.begin(), values.end()),
      clock_(clock != nullptr ? std::move(clock) : DefaultClock()),
      zone_(std::move(zone)) {}

std::optional<std::string> Variables::Lookup(std::string_view name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  if (name == "bdp.system.bizdate") {
    return FormatCompactDate(clock_->NowMillis() - kMillisPerDay, zone_);
  }
  if (name == "bdp.system.cyctime") return FormatCompactDateTime(clock_->NowMillis(), zone_);
  return std::nullopt;
}

Result<std::string> Variables::Substitute(std::string_view text, std::string_view key_path) const {
  std::string result;
  size_t position = 0;
  while (true) {
    size_t open = text.find("${", position);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(std::string(key_path) +
                                     ": unclosed variable reference '${', expected ${name}");
    }
    std::string_view name = text.substr(open + 2, close - open - 2);
    if (!IsValidVariableName(name)) {
      return Status::InvalidArgument(
          std::string(key_path) +
          ": invalid variable reference, expected ${name} with a name of letters, digits, '_', "
          "'.' or '-'");
    }
    std::optional<std::string> value = Lookup(name);
    if (!value.has_value()) {
      return Status::InvalidArgument(std::string(key_path) + ": unresolved variable ${" +
                                     std::string(name) + "}, give its value with -p " +
                                     std::string(name) + "=<value>");
    }
    result.append(text.substr(position, open - position));
    result.append(*value);
    position = close + 1;
  }
  result.append(text.substr(position));
  return result;
}

Status AddVariableAssignment(std::string_view argument,
                             std::map<std::string, std::string>& values) {
  if (!argument.starts_with("-D")) return AddOneAssignment(argument, values);
  size_t position = 0;
  while (position < argument.size()) {
    size_t start = argument.find_first_not_of(' ', position);
    if (start == std::string_view::npos) break;
    size_t end = argument.find(' ', start);
    if (end == std::string_view::npos) end = argument.size();
    std::string_view token = argument.substr(start, end - start);
    if (!token.starts_with("-D")) {
      return Status::InvalidArgument("-p expects -Dname=value items separated by spaces");
    }
    OTSYNC_RETURN_IF_ERROR(AddOneAssignment(token.substr(2), values));
    position = end;
  }
  return Status::OK();
}

}  // namespace otsync::sync
