#include "sync/config_object.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace otsync::sync {
namespace {

char ToLowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsBlankChar(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlankChar(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlankChar(text.back())) text.remove_suffix(1);
  return text;
}

Status TypeError(const std::string& path, std::string_view expected, const ConfigValue& got) {
  return ConfigError(
      path, "expected " + std::string(expected) + ", got " + std::string(DescribeKind(got.kind)));
}

}  // namespace

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = ToLowerAscii(c);
  return lower;
}

Status ConfigError(const std::string& key_path, std::string_view what) {
  return Status::InvalidArgument(key_path + ": " + std::string(what));
}

std::string NormalizeKey(std::string_view key) { return AsciiLower(Trim(key)); }

ConfigObject::ConfigObject(const ConfigValue& value, std::string path, const Variables& variables)
    : value_(&value), path_(std::move(path)), variables_(&variables) {}

Result<ConfigObject> ConfigObject::Make(const ConfigValue& value, std::string path,
                                        const Variables& variables) {
  if (!value.is_object()) {
    return TypeError(path.empty() ? std::string("the document") : path, "an object", value);
  }
  ConfigObject object(value, std::move(path), variables);
  for (const ConfigMember& member : value.members) {
    std::string normalized = NormalizeKey(member.key);
    for (const std::string& seen : object.normalized_keys_) {
      if (seen == normalized) {
        return ConfigError(object.PathOf(std::string(Trim(member.key))),
                           "the key is given more than once (keys are matched ignoring case and "
                           "surrounding spaces)");
      }
    }
    object.normalized_keys_.push_back(std::move(normalized));
  }
  object.used_.assign(value.members.size(), false);
  return object;
}

std::string ConfigObject::PathOf(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

const ConfigValue* ConfigObject::Find(std::string_view key) const {
  std::string normalized = NormalizeKey(key);
  for (size_t i = 0; i < normalized_keys_.size(); ++i) {
    if (normalized_keys_[i] == normalized) {
      used_[i] = true;
      return &value_->members[i].value;
    }
  }
  return nullptr;
}

bool ConfigObject::Has(std::string_view key) const {
  const ConfigValue* value = Find(key);
  return value != nullptr && !value->is_null();
}

Result<std::optional<std::string>> ConfigObject::GetString(std::string_view key) const {
  const ConfigValue* value = Find(key);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  std::string path = PathOf(key);
  if (!value->is_string()) return TypeError(path, "a string", *value);
  OTSYNC_ASSIGN_OR_RETURN(std::string text, variables_->Substitute(value->string_value, path));
  return std::optional<std::string>(std::move(text));
}

Result<std::string> ConfigObject::GetRequiredString(std::string_view key,
                                                    std::string_view expected) const {
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> text, GetString(key));
  if (!text.has_value()) {
    return ConfigError(PathOf(key), "missing the key. Expected " + std::string(expected) + ".");
  }
  std::string_view trimmed = Trim(*text);
  if (trimmed.empty()) {
    return ConfigError(PathOf(key),
                       "input the key is empty string. Expected " + std::string(expected) + ".");
  }
  return std::string(trimmed);
}

Result<std::optional<int64_t>> ConfigObject::GetInt64(std::string_view key) const {
  const ConfigValue* value = Find(key);
  if (value == nullptr || value->is_null()) return std::optional<int64_t>();
  std::string path = PathOf(key);
  if (value->kind == ConfigValue::Kind::kInteger) return std::optional(value->integer_value);
  if (!value->is_string()) return TypeError(path, "an integer", *value);
  OTSYNC_ASSIGN_OR_RETURN(std::string text, variables_->Substitute(value->string_value, path));
  std::string_view trimmed = Trim(text);
  if (trimmed.empty()) return std::optional<int64_t>();
  int64_t parsed = 0;
  auto [end, error] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), parsed);
  if (error != std::errc() || end != trimmed.data() + trimmed.size()) {
    return ConfigError(path, "expected an integer, got \"" + std::string(trimmed) + "\"");
  }
  return std::optional(parsed);
}

Result<std::optional<double>> ConfigObject::GetDouble(std::string_view key) const {
  const ConfigValue* value = Find(key);
  if (value == nullptr || value->is_null()) return std::optional<double>();
  std::string path = PathOf(key);
  if (value->kind == ConfigValue::Kind::kInteger) {
    return std::optional(static_cast<double>(value->integer_value));
  }
  if (value->kind == ConfigValue::Kind::kDouble) return std::optional(value->double_value);
  if (!value->is_string()) return TypeError(path, "a number", *value);
  OTSYNC_ASSIGN_OR_RETURN(std::string text, variables_->Substitute(value->string_value, path));
  std::string trimmed(Trim(text));
  if (trimmed.empty()) return std::optional<double>();
  char* end = nullptr;
  errno = 0;
  double parsed = std::strtod(trimmed.c_str(), &end);
  if (errno != 0 || end != trimmed.c_str() + trimmed.size() || !std::isfinite(parsed)) {
    return ConfigError(path, "expected a number, got \"" + trimmed + "\"");
  }
  return std::optional(parsed);
}

Result<std::optional<bool>> ConfigObject::GetBool(std::string_view key) const {
  const ConfigValue* value = Find(key);
  if (value == nullptr || value->is_null()) return std::optional<bool>();
  std::string path = PathOf(key);
  if (value->kind == ConfigValue::Kind::kBool) return std::optional(value->bool_value);
  if (!value->is_string()) return TypeError(path, "a boolean (true or false)", *value);
  OTSYNC_ASSIGN_OR_RETURN(std::string text, variables_->Substitute(value->string_value, path));
  std::string lower = AsciiLower(Trim(text));
  if (lower == "true") return std::optional(true);
  if (lower == "false") return std::optional(false);
  return ConfigError(path, "expected a boolean (true or false), got \"" + text + "\"");
}

Result<std::optional<ConfigObject>> ConfigObject::GetObject(std::string_view key) const {
  const ConfigValue* value = Find(key);
  if (value == nullptr || value->is_null()) return std::optional<ConfigObject>();
  OTSYNC_ASSIGN_OR_RETURN(ConfigObject object, Make(*value, PathOf(key), *variables_));
  return std::optional<ConfigObject>(std::move(object));
}

Result<ConfigObject> ConfigObject::GetRequiredObject(std::string_view key,
                                                     std::string_view expected) const {
  OTSYNC_ASSIGN_OR_RETURN(std::optional<ConfigObject> object, GetObject(key));
  if (!object.has_value()) {
    return ConfigError(PathOf(key), "missing the key. Expected " + std::string(expected) + ".");
  }
  return std::move(*object);
}

Result<std::optional<std::vector<std::string>>> ConfigObject::GetStringList(
    std::string_view key) const {
  const ConfigValue* value = Find(key);
  if (value == nullptr || value->is_null()) return std::optional<std::vector<std::string>>();
  std::string path = PathOf(key);
  if (!value->is_array()) return TypeError(path, "an array of strings", *value);
  std::vector<std::string> strings;
  for (size_t i = 0; i < value->items.size(); ++i) {
    const ConfigValue& item = value->items[i];
    std::string item_path = path + "[" + std::to_string(i) + "]";
    if (!item.is_string()) return TypeError(item_path, "a string", item);
    OTSYNC_ASSIGN_OR_RETURN(std::string text, variables_->Substitute(item.string_value, item_path));
    strings.push_back(std::move(text));
  }
  return std::optional(std::move(strings));
}

std::vector<std::string> ConfigObject::UnusedKeyPaths() const {
  std::vector<std::string> paths;
  for (size_t i = 0; i < used_.size(); ++i) {
    if (!used_[i]) paths.push_back(PathOf(Trim(value_->members[i].key)));
  }
  return paths;
}

}  // namespace otsync::sync
