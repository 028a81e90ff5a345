#include "tools/otsync/row_text.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "sync/lenient_json.h"
#include "wire/signature.h"

namespace otsync::tools {
namespace {

using sync::ConfigValue;

// A value of the row JSON shape; `path` ("columns.age") goes into the messages.
Result<wire::Value> ValueFromJson(const ConfigValue& json, const std::string& path) {
  switch (json.kind) {
    case ConfigValue::Kind::kString:
      return wire::Value::String(json.string_value);
    case ConfigValue::Kind::kInteger:
      return wire::Value::Integer(json.integer_value);
    case ConfigValue::Kind::kDouble:
      return wire::Value::Double(json.double_value);
    case ConfigValue::Kind::kBool:
      return wire::Value::Boolean(json.bool_value);
    case ConfigValue::Kind::kObject:
      break;
    default:
      return Status::InvalidArgument(path + ": expected a string, number, boolean or a typed " +
                                     "value such as {\"binary\": \"AAE=\"}, got " +
                                     std::string(sync::DescribeKind(json.kind)));
  }
  if (json.members.size() != 1) {
    return Status::InvalidArgument(path +
                                   ": a typed value is an object with one member, such as "
                                   "{\"binary\": \"AAE=\"} or {\"double\": 3}");
  }
  const std::string& type = json.members[0].key;
  const ConfigValue& inner = json.members[0].value;
  const std::string inner_path = path + "." + type;
  auto expect = [&](bool matches, std::string_view what) -> Status {
    if (matches) return Status::OK();
    return Status::InvalidArgument(inner_path + ": expected " + std::string(what) + ", got " +
                                   std::string(sync::DescribeKind(inner.kind)));
  };
  if (type == "binary") {
    OTSYNC_RETURN_IF_ERROR(expect(inner.is_string(), "base64 text"));
    std::string bytes;
    if (!wire::Base64Decode(inner.string_value, &bytes)) {
      return Status::InvalidArgument(inner_path + ": not valid base64 (standard alphabet, padded)");
    }
    return wire::Value::Binary(std::move(bytes));
  }
  if (type == "string") {
    OTSYNC_RETURN_IF_ERROR(expect(inner.is_string(), "a string"));
    return wire::Value::String(inner.string_value);
  }
  if (type == "integer") {
    OTSYNC_RETURN_IF_ERROR(expect(inner.kind == ConfigValue::Kind::kInteger, "an integer"));
    return wire::Value::Integer(inner.integer_value);
  }
  if (type == "double") {
    OTSYNC_RETURN_IF_ERROR(expect(inner.is_number(), "a number"));
    return wire::Value::Double(inner.kind == ConfigValue::Kind::kInteger
                                   ? static_cast<double>(inner.integer_value)
                                   : inner.double_value);
  }
  if (type == "boolean") {
    OTSYNC_RETURN_IF_ERROR(expect(inner.kind == ConfigValue::Kind::kBool, "true or false"));
    return wire::Value::Boolean(inner.bool_value);
  }
  return Status::InvalidArgument(path + ": unknown type '" + type +
                                 "' (expected binary, string, integer, double or boolean)");
}

// The members of the object at `path`, each name once.
Status CheckObject(const ConfigValue& json, const std::string& path) {
  if (!json.is_object()) {
    return Status::InvalidArgument(path + ": expected an object, got " +
                                   std::string(sync::DescribeKind(json.kind)));
  }
  std::set<std::string_view> seen;
  for (const sync::ConfigMember& member : json.members) {
    if (member.key.empty()) return Status::InvalidArgument(path + ": a column name is empty");
    if (!seen.insert(member.key).second) {
      return Status::InvalidArgument(path + ": column '" + member.key + "' appears twice");
    }
  }
  return Status::OK();
}

Result<wire::PrimaryKey> PrimaryKeyFromJson(const ConfigValue& json, const std::string& path) {
  OTSYNC_RETURN_IF_ERROR(CheckObject(json, path));
  wire::PrimaryKey key;
  for (const sync::ConfigMember& member : json.members) {
    OTSYNC_ASSIGN_OR_RETURN(wire::Value value,
                            ValueFromJson(member.value, path + "." + member.key));
    key.push_back({member.key, std::move(value)});
  }
  return key;
}

Result<TextRow> RowFromJson(const ConfigValue& json, bool allow_delete) {
  if (!json.is_object()) {
    return Status::InvalidArgument(
        "expected a row object such as {\"pk\": {\"id\": \"a\"}, "
        "\"columns\": {\"name\": \"x\"}}, got " +
        std::string(sync::DescribeKind(json.kind)));
  }
  TextRow row;
  bool has_key = false;
  for (const sync::ConfigMember& member : json.members) {
    if (member.key == "pk") {
      OTSYNC_ASSIGN_OR_RETURN(row.primary_key, PrimaryKeyFromJson(member.value, "pk"));
      has_key = true;
    } else if (member.key == "columns") {
      OTSYNC_RETURN_IF_ERROR(CheckObject(member.value, "columns"));
      for (const sync::ConfigMember& column : member.value.members) {
        wire::Cell cell;
        cell.name = column.key;
        if (column.value.is_null()) {
          if (!allow_delete) {
            return Status::InvalidArgument("columns." + column.key +
                                           ": null deletes a column, which only `update` does");
          }
          cell.operation = wire::CellOperation::kDeleteAllVersions;
        } else {
          OTSYNC_ASSIGN_OR_RETURN(cell.value, ValueFromJson(column.value, "columns." + column.key));
        }
        row.columns.push_back(std::move(cell));
      }
    } else {
      return Status::InvalidArgument("unknown member '" + member.key +
                                     "' (a row has \"pk\" and \"columns\")");
    }
  }
  if (!has_key || row.primary_key.empty()) {
    return Status::InvalidArgument("the row has no \"pk\" (its primary key columns)");
  }
  return row;
}

// "line 1, column 7: ..." of a one-line document becomes "line <line>, column 7: ...".
Status OnLine(const Status& status, int line) {
  std::string message = status.message();
  const std::string first_line = "line 1, ";
  if (message.rfind(first_line, 0) == 0) message = message.substr(first_line.size());
  return Status(status.code(), "line " + std::to_string(line) + ", " + message);
}

// --- CSV ---------------------------------------------------------------------------------------

struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;  // Where the record starts.
};

// Splits `text` into records (RFC 4180). Blank lines are skipped.
Result<std::vector<CsvRecord>> SplitCsv(std::string_view text) {
  std::vector<CsvRecord> records;
  size_t i = 0;
  int line = 1;
  while (i < text.size()) {
    CsvRecord record;
    record.line = line;
    if (text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      i += text[i] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    while (true) {
      std::string field;
      const int field_number = static_cast<int>(record.fields.size()) + 1;
      if (i < text.size() && text[i] == '"') {
        const int quote_line = line;
        ++i;
        while (true) {
          if (i >= text.size()) {
            return Status::InvalidArgument("line " + std::to_string(quote_line) + ", column " +
                                           std::to_string(field_number) +
                                           ": the quoted field never ends (a \" is missing)");
          }
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return Status::InvalidArgument("line " + std::to_string(line) + ", column " +
                                         std::to_string(field_number) +
                                         ": text after the closing quote of a quoted field");
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' &&
               !(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
          if (text[i] == '"') {
            return Status::InvalidArgument(
                "line " + std::to_string(line) + ", column " + std::to_string(field_number) +
                ": a \" inside an unquoted field (quote the whole field and double the \")");
          }
          field += text[i++];
        }
      }
      record.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size()) {
        i += text[i] == '\r' ? 2 : 1;
        ++line;
      }
      break;
    }
    records.push_back(std::move(record));
  }
  return records;
}

enum class CsvType { kString, kInteger, kDouble, kBoolean, kBinary };

Result<CsvType> ParseCsvType(std::string_view name) {
  if (name == "string") return CsvType::kString;
  if (name == "integer") return CsvType::kInteger;
  if (name == "double") return CsvType::kDouble;
  if (name == "boolean") return CsvType::kBoolean;
  if (name == "binary") return CsvType::kBinary;
  return Status::InvalidArgument("unknown type '" + std::string(name) +
                                 "' (expected string, integer, double, boolean or binary)");
}

CsvType CsvTypeOf(wire::PrimaryKeyType type) {
  switch (type) {
    case wire::PrimaryKeyType::kInteger:
      return CsvType::kInteger;
    case wire::PrimaryKeyType::kBinary:
      return CsvType::kBinary;
    case wire::PrimaryKeyType::kString:
      break;
  }
  return CsvType::kString;
}

// The value of one field; the message says what is wrong with it (the caller says where).
Result<wire::Value> CsvValue(const std::string& field, CsvType type) {
  switch (type) {
    case CsvType::kString:
      return wire::Value::String(field);
    case CsvType::kInteger: {
      int64_t value = 0;
      auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
      if (error != std::errc() || end != field.data() + field.size() || field.empty()) {
        return Status::InvalidArgument("'" + field + "' is not an integer");
      }
      return wire::Value::Integer(value);
    }
    case CsvType::kDouble: {
      double value = 0;
      auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
      if (error != std::errc() || end != field.data() + field.size() || field.empty() ||
          !std::isfinite(value)) {
        return Status::InvalidArgument("'" + field + "' is not a finite number");
      }
      return wire::Value::Double(value);
    }
    case CsvType::kBoolean:
      if (field == "true") return wire::Value::Boolean(true);
      if (field == "false") return wire::Value::Boolean(false);
      return Status::InvalidArgument("'" + field + "' is not true or false");
    case CsvType::kBinary: {
      std::string bytes;
      if (!wire::Base64Decode(field, &bytes)) {
        return Status::InvalidArgument("not valid base64 (standard alphabet, padded)");
      }
      return wire::Value::Binary(std::move(bytes));
    }
  }
  return Status::Internal("unknown CSV type");
}

}  // namespace

std::string RowJsonHelp() {
  return "A row is JSON: {\"pk\":{\"id\":\"a\",\"seq\":3},\"columns\":{\"name\":\"x\",\"age\":3,"
         "\"score\":1.5,\"ok\":true}}. A string is STRING, an integer INTEGER, a number with a "
         "fraction DOUBLE, true/false BOOLEAN; {\"binary\":\"<base64>\"}, {\"double\":3}, "
         "{\"integer\":5}, {\"string\":\"x\"} name the type. null deletes a column (update "
         "only). get, scan and delete read only \"pk\".";
}

Result<TextRow> ParseRowJson(std::string_view text, bool allow_delete) {
  OTSYNC_ASSIGN_OR_RETURN(ConfigValue json, sync::ParseLenientJson(text));
  return RowFromJson(json, allow_delete);
}

Result<wire::PrimaryKey> ParsePrimaryKeyJson(std::string_view text) {
  OTSYNC_ASSIGN_OR_RETURN(ConfigValue json, sync::ParseLenientJson(text));
  return PrimaryKeyFromJson(json, "pk");
}

Result<std::vector<TextRow>> ParseJsonLines(std::string_view text) {
  std::vector<TextRow> rows;
  int line = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(start, end - start);
    start = end + 1;
    ++line;
    if (content.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Result<ConfigValue> json = sync::ParseLenientJson(content);
    if (!json.ok()) return OnLine(json.status(), line);
    Result<TextRow> row = RowFromJson(*json, /*allow_delete=*/false);
    if (!row.ok()) return row.status().WithContext("line " + std::to_string(line));
    row->line = line;
    rows.push_back(std::move(*row));
  }
  return rows;
}

Result<std::vector<TextRow>> ParseCsvRows(std::string_view text,
                                          const std::vector<wire::PrimaryKeySchemaColumn>& schema) {
  OTSYNC_ASSIGN_OR_RETURN(std::vector<CsvRecord> records, SplitCsv(text));
  if (records.empty()) {
    return Status::InvalidArgument("line 1: the file is empty (expected a header line)");
  }
  const CsvRecord& header = records.front();
  struct Column {
    std::string name;
    CsvType type = CsvType::kString;
    bool primary_key = false;
  };
  std::vector<Column> columns;
  std::set<std::string> seen;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string where =
        "line " + std::to_string(header.line) + ", column " + std::to_string(i + 1) + ": ";
    const std::string& field = header.fields[i];
    Column column;
    size_t colon = field.find(':');
    column.name = field.substr(0, colon);
    if (column.name.empty()) return Status::InvalidArgument(where + "the column name is empty");
    if (!seen.insert(column.name).second) {
      return Status::InvalidArgument(where + "column '" + column.name + "' appears twice");
    }
    std::optional<CsvType> declared;
    if (colon != std::string::npos) {
      Result<CsvType> type = ParseCsvType(field.substr(colon + 1));
      if (!type.ok()) return type.status().WithContext(where + column.name);
      declared = *type;
      column.type = *type;
    }
    for (const wire::PrimaryKeySchemaColumn& key : schema) {
      if (key.name != column.name) continue;
      column.primary_key = true;
      column.type = CsvTypeOf(key.type);
      if (declared && *declared != column.type) {
        return Status::InvalidArgument(where + "primary key column '" + column.name + "' is " +
                                       std::string(wire::PrimaryKeyTypeName(key.type)) +
                                       " in the table, not " + field.substr(colon + 1));
      }
    }
    columns.push_back(std::move(column));
  }
  for (const wire::PrimaryKeySchemaColumn& key : schema) {
    if (!seen.contains(key.name)) {
      return Status::InvalidArgument(
          "line " + std::to_string(header.line) + ": the header lacks primary key column '" +
          key.name + "' (the table's primary key is " + DescribePrimaryKeySchema(schema) + ")");
    }
  }

  std::vector<TextRow> rows;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    if (record.fields.size() != columns.size()) {
      return Status::InvalidArgument(
          "line " + std::to_string(record.line) + ": " + std::to_string(record.fields.size()) +
          " fields, but the header names " + std::to_string(columns.size()) + " columns");
    }
    TextRow row;
    row.line = record.line;
    for (size_t i = 0; i < columns.size(); ++i) {
      const Column& column = columns[i];
      const std::string& field = record.fields[i];
      const std::string where = "line " + std::to_string(record.line) + ", column " +
                                std::to_string(i + 1) + " (" + column.name + ")";
      if (field.empty() && !column.primary_key) continue;
      if (field.empty() && column.type != CsvType::kString) {
        return Status::InvalidArgument(where + ": a primary key value is empty");
      }
      Result<wire::Value> value = CsvValue(field, column.type);
      if (!value.ok()) return value.status().WithContext(where);
      if (column.primary_key) {
        row.primary_key.push_back({column.name, std::move(*value)});
      } else {
        wire::Cell cell;
        cell.name = column.name;
        cell.value = std::move(*value);
        row.columns.push_back(std::move(cell));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<wire::PrimaryKey> ArrangePrimaryKey(const wire::PrimaryKey& given,
                                           const std::vector<wire::PrimaryKeySchemaColumn>& schema,
                                           MissingKeyColumns missing) {
  const std::string schema_text =
      " (the table's primary key is " + DescribePrimaryKeySchema(schema) + ")";
  for (const wire::PrimaryKeyColumn& column : given) {
    bool known = false;
    for (const wire::PrimaryKeySchemaColumn& key : schema) known = known || key.name == column.name;
    if (!known) {
      return Status::InvalidArgument("pk." + column.name + ": not a primary key column" +
                                     schema_text);
    }
  }
  wire::PrimaryKey arranged;
  for (const wire::PrimaryKeySchemaColumn& key : schema) {
    const wire::PrimaryKeyColumn* found = nullptr;
    for (const wire::PrimaryKeyColumn& column : given) {
      if (column.name == key.name) found = &column;
    }
    if (found == nullptr) {
      if (key.auto_increment && missing == MissingKeyColumns::kRefuse) {
        arranged.push_back({key.name, wire::Value::AutoIncrement()});  // The server assigns it.
        continue;
      }
      if (missing == MissingKeyColumns::kRefuse) {
        return Status::InvalidArgument("pk: column '" + key.name + "' is missing" + schema_text);
      }
      arranged.push_back({key.name, missing == MissingKeyColumns::kFillInfMin
                                        ? wire::Value::InfMin()
                                        : wire::Value::InfMax()});
      continue;
    }
    if (!wire::MatchesPrimaryKeyType(found->value, key.type)) {
      return Status::InvalidArgument(
          "pk." + key.name + ": expected " + std::string(wire::PrimaryKeyTypeName(key.type)) +
          ", got " + std::string(wire::ValueTypeName(found->value.type())) + schema_text);
    }
    arranged.push_back(*found);
  }
  return arranged;
}

Result<std::vector<wire::PrimaryKeySchemaColumn>> ParsePrimaryKeySpec(std::string_view spec) {
  std::vector<wire::PrimaryKeySchemaColumn> schema;
  const std::string usage =
      " (expected NAME:TYPE[,NAME:TYPE...], e.g. 'id:string,seq:integer'; "
      "types string, integer, binary; integer:auto for AUTO_INCREMENT)";
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string_view::npos) end = spec.size();
    std::string_view item = spec.substr(start, end - start);
    start = end + 1;
    size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::InvalidArgument("--pk: '" + std::string(item) + "' has no NAME:TYPE" + usage);
    }
    wire::PrimaryKeySchemaColumn column;
    column.name = std::string(item.substr(0, colon));
    std::string_view type = item.substr(colon + 1);
    if (type == "integer:auto") {
      column.type = wire::PrimaryKeyType::kInteger;
      column.auto_increment = true;
    } else if (type == "integer") {
      column.type = wire::PrimaryKeyType::kInteger;
    } else if (type == "string") {
      column.type = wire::PrimaryKeyType::kString;
    } else if (type == "binary") {
      column.type = wire::PrimaryKeyType::kBinary;
    } else {
      return Status::InvalidArgument("--pk: column '" + column.name + "' has unknown type '" +
                                     std::string(type) + "'" + usage);
    }
    schema.push_back(std::move(column));
    if (end == spec.size()) break;
  }
  if (schema.empty() || schema.size() > 4) {
    return Status::InvalidArgument("--pk: a table has 1 to 4 primary key columns" + usage);
  }
  return schema;
}

std::string DescribePrimaryKeySchema(const std::vector<wire::PrimaryKeySchemaColumn>& schema) {
  std::string text;
  for (const wire::PrimaryKeySchemaColumn& column : schema) {
    if (!text.empty()) text += ", ";
    text += column.name + " " + std::string(wire::PrimaryKeyTypeName(column.type));
    if (column.auto_increment) text += " AUTO_INCREMENT";
  }
  return text;
}

std::string RowToJson(const wire::Row& row) {
  using json = nlohmann::ordered_json;
  auto to_json = [](const wire::Value& value) -> json {
    switch (value.type()) {
      case wire::ValueType::kInteger:
        return value.integer();
      case wire::ValueType::kDouble:
        return value.double_value();
      case wire::ValueType::kBoolean:
        return value.boolean();
      case wire::ValueType::kString:
        return value.bytes();
      case wire::ValueType::kBinary:
        return json{{"binary", wire::Base64Encode(value.bytes())}};
      default:
        return nullptr;
    }
  };
  json key = json::object();
  for (const wire::PrimaryKeyColumn& column : row.primary_key) {
    key[column.name] = to_json(column.value);
  }
  json columns = json::object();
  for (const wire::Cell& cell : row.cells) {
    if (columns.contains(cell.name) || !cell.value) continue;
    columns[cell.name] = to_json(*cell.value);
  }
  json document = json::object();
  document["pk"] = std::move(key);
  document["columns"] = std::move(columns);
  // Replace, not throw, on a STRING that is not UTF-8: the row is still shown.
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace otsync::tools
