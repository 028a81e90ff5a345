#include "sync/datasource_type.h"

#include <algorithm>
#include <utility>

namespace otsync::sync {
namespace {

constexpr size_t kMaxNameLength = 60;

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool IsBlank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == text.npos; }

}  // namespace

const std::string& DataSource::field(std::string_view key) const {
  static const std::string kUnset;
  auto it = fields.find(key);
  return it == fields.end() ? kUnset : it->second;
}

DataSourceField RequiredField(std::string key, std::string expected, std::string help) {
  DataSourceField field;
  field.key = std::move(key);
  field.expected = std::move(expected);
  field.help = std::move(help);
  return field;
}

bool IsIdentifier(std::string_view text) {
  if (text.empty() || !IsAsciiLetter(text[0])) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_'; });
}

Status ValidateDataSourceName(std::string_view name) {
  if (name.size() > kMaxNameLength || !IsIdentifier(name)) {
    std::string shown(name.substr(0, kMaxNameLength + 1));
    if (name.size() > shown.size()) shown += "...";
    return Status::InvalidArgument(
        "invalid data source name \"" + shown +
        "\": it can contain letters, digits and underscores (_), must begin with a letter and "
        "cannot exceed 60 characters");
  }
  return Status::OK();
}

Status ValidateDataSource(const DataSource& source, const DataSourceType& type) {
  OTSYNC_RETURN_IF_ERROR(ValidateDataSourceName(source.name));
  for (const DataSourceField& field : type.fields) {
    const std::string& value = source.field(field.key);
    bool blank = IsBlank(value);
    if ((blank && field.required) || (!blank && field.accepts && !field.accepts(value))) {
      return Status::InvalidArgument("data source " + source.name + ": " + field.key +
                                     ": expected " + field.expected);
    }
  }
  return Status::OK();
}

std::string MaskSecret(std::string_view /*secret*/) { return "****"; }

std::vector<std::pair<std::string, std::string>> DescribeDataSource(const DataSource& source,
                                                                    const DataSourceType& type) {
  std::vector<std::pair<std::string, std::string>> fields = {{"name", source.name},
                                                             {"type", source.type}};
  for (const DataSourceField& field : type.fields) {
    const std::string& value = source.field(field.key);
    fields.emplace_back(field.key, field.secret ? MaskSecret(value) : value);
  }
  fields.emplace_back("description", source.description);
  return fields;
}

}  // namespace otsync::sync
