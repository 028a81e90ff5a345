#include "writers/odps/table_schema.h"

#include <cctype>
#include <charconv>

namespace otsync::odps {
namespace {

struct NamedKind {
  std::string_view name;
  ColumnKind kind;
};

constexpr NamedKind kKindNames[] = {
    {"STRING", ColumnKind::kString},     {"BIGINT", ColumnKind::kBigint},
    {"INT", ColumnKind::kInt},           {"SMALLINT", ColumnKind::kSmallint},
    {"TINYINT", ColumnKind::kTinyint},   {"DOUBLE", ColumnKind::kDouble},
    {"FLOAT", ColumnKind::kFloat},       {"BOOLEAN", ColumnKind::kBoolean},
    {"DATETIME", ColumnKind::kDatetime}, {"TIMESTAMP", ColumnKind::kTimestamp},
    {"DATE", ColumnKind::kDate},         {"DECIMAL", ColumnKind::kDecimal},
    {"BINARY", ColumnKind::kBinary},
};

std::string_view Trim(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == text.npos) return {};
  size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string ToUpper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ToUpper(text.substr(0, prefix.size())) == prefix;
}

// Splits on commas that are not inside parentheses ("a DECIMAL(10,2), b STRING").
std::vector<std::string_view> SplitTopLevel(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')') --depth;
    if (text[i] == ',' && depth == 0) {
      parts.push_back(Trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(Trim(text.substr(start)));
  return parts;
}

// The text between the '(' at `open` and its matching ')', and the position after it.
Result<std::pair<std::string_view, size_t>> Parenthesised(std::string_view text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0) {
      return std::pair{text.substr(open + 1, i - open - 1), i + 1};
    }
  }
  return Status::InvalidArgument("table spec: unbalanced parentheses in \"" + std::string(text) +
                                 "\"");
}

Result<std::vector<Column>> ParseColumnList(std::string_view list, std::string_view what) {
  std::vector<Column> columns;
  for (std::string_view item : SplitTopLevel(list)) {
    size_t space = item.find_first_of(" \t");
    if (item.empty() || space == item.npos) {
      return Status::InvalidArgument("table spec: expected \"name TYPE\" in the " +
                                     std::string(what) + ", got \"" + std::string(item) + "\"");
    }
    Column column;
    column.name = ToLower(item.substr(0, space));
    OTSYNC_RETURN_IF_ERROR(ValidateIdentifier("column", column.name));
    OTSYNC_ASSIGN_OR_RETURN(column.type, ParseColumnType(Trim(item.substr(space))));
    columns.push_back(std::move(column));
  }
  return columns;
}

Result<int> ParseSmallInt(std::string_view text) {
  text = Trim(text);
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("expected a number, got \"" + std::string(text) + "\"");
  }
  return value;
}

}  // namespace

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string ColumnTypeName(const ColumnType& type) {
  if (type.kind == ColumnKind::kDecimal) {
    return "DECIMAL(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
  }
  for (const NamedKind& named : kKindNames) {
    if (named.kind == type.kind) return std::string(named.name);
  }
  return "UNKNOWN";
}

std::string DuckDbTypeName(const ColumnType& type) {
  switch (type.kind) {
    case ColumnKind::kString:
      return "VARCHAR";
    case ColumnKind::kBigint:
      return "BIGINT";
    case ColumnKind::kInt:
      return "INTEGER";
    case ColumnKind::kSmallint:
      return "SMALLINT";
    case ColumnKind::kTinyint:
      return "TINYINT";
    case ColumnKind::kDouble:
      return "DOUBLE";
    case ColumnKind::kFloat:
      return "FLOAT";
    case ColumnKind::kBoolean:
      return "BOOLEAN";
    case ColumnKind::kDatetime:
    case ColumnKind::kTimestamp:
      return "TIMESTAMP";
    case ColumnKind::kDate:
      return "DATE";
    case ColumnKind::kDecimal:
      return ColumnTypeName(type);
    case ColumnKind::kBinary:
      return "BLOB";
  }
  return "VARCHAR";
}

Result<ColumnType> ParseColumnType(std::string_view text) {
  std::string upper = ToUpper(Trim(text));
  std::string_view base = upper;
  std::string_view arguments;
  if (size_t open = upper.find('('); open != upper.npos) {
    if (upper.back() != ')') {
      return Status::InvalidArgument("unknown column type \"" + std::string(text) + "\"");
    }
    base = Trim(std::string_view(upper).substr(0, open));
    arguments = std::string_view(upper).substr(open + 1, upper.size() - open - 2);
  }
  for (const NamedKind& named : kKindNames) {
    if (named.name != base) continue;
    ColumnType type{named.kind};
    if (named.kind != ColumnKind::kDecimal) {
      if (!arguments.empty()) break;
      return type;
    }
    type.precision = 38;
    type.scale = 18;
    if (!arguments.empty()) {
      std::vector<std::string_view> parts = SplitTopLevel(arguments);
      if (parts.size() > 2) break;
      OTSYNC_ASSIGN_OR_RETURN(type.precision, ParseSmallInt(parts[0]));
      type.scale = 0;
      if (parts.size() == 2) {
        OTSYNC_ASSIGN_OR_RETURN(type.scale, ParseSmallInt(parts[1]));
      }
    }
    if (type.precision < 1 || type.precision > 38 || type.scale < 0 ||
        type.scale > type.precision) {
      return Status::InvalidArgument("DECIMAL(p,s) needs 1 <= p <= 38 and 0 <= s <= p, got \"" +
                                     std::string(text) + "\"");
    }
    return type;
  }
  return Status::InvalidArgument(
      "unknown column type \"" + std::string(text) +
      "\"; expected STRING, BIGINT, INT, SMALLINT, TINYINT, DOUBLE, FLOAT, BOOLEAN, DATETIME, "
      "TIMESTAMP, DATE, DECIMAL(p,s) or BINARY");
}

Status ValidateIdentifier(std::string_view what, std::string_view name) {
  bool valid =
      !name.empty() && name.size() <= 128 && std::isalpha(static_cast<unsigned char>(name.front()));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') valid = false;
  }
  if (valid) return Status::OK();
  return Status::InvalidArgument(
      std::string(what) + " name \"" + std::string(name) +
      "\" is not valid: use letters, digits and '_', starting with a letter, at most 128");
}

std::optional<size_t> TableSchema::FindColumn(std::string_view column_name) const {
  std::string lower = ToLower(column_name);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == lower) return i;
  }
  return std::nullopt;
}

std::string TableSchema::ToSpec() const {
  auto list = [](const std::vector<Column>& list_columns) {
    std::string text;
    for (const Column& column : list_columns) {
      if (!text.empty()) text += ", ";
      text += column.name + " " + ColumnTypeName(column.type);
    }
    return text;
  };
  std::string spec = name + "(" + list(columns) + ")";
  if (partitioned()) spec += " PARTITIONED BY (" + list(partition_columns) + ")";
  return spec;
}

Result<TableSchema> ParseTableSpec(std::string_view spec) {
  spec = Trim(spec);
  size_t open = spec.find('(');
  if (open == spec.npos) {
    return Status::InvalidArgument(
        "table spec: expected \"name(col TYPE, ...) [PARTITIONED BY (col TYPE, ...)]\", got \"" +
        std::string(spec) + "\"");
  }
  TableSchema schema;
  schema.name = ToLower(Trim(spec.substr(0, open)));
  OTSYNC_RETURN_IF_ERROR(ValidateIdentifier("table", schema.name));
  OTSYNC_ASSIGN_OR_RETURN(auto data_list, Parenthesised(spec, open));
  OTSYNC_ASSIGN_OR_RETURN(schema.columns, ParseColumnList(data_list.first, "column list"));

  std::string_view rest = Trim(spec.substr(data_list.second));
  if (!rest.empty()) {
    constexpr std::string_view kPartitionedBy = "PARTITIONED";
    size_t partition_open = rest.find('(');
    std::string keywords = ToUpper(rest.substr(0, partition_open));
    std::string compact;
    for (char c : keywords) {
      if (c != ' ' && c != '\t' && c != '\n') compact += c;
    }
    if (!StartsWithNoCase(rest, kPartitionedBy) || compact != "PARTITIONEDBY" ||
        partition_open == rest.npos) {
      return Status::InvalidArgument(
          "table spec: expected PARTITIONED BY (...) after the columns, "
          "got \"" +
          std::string(rest) + "\"");
    }
    OTSYNC_ASSIGN_OR_RETURN(auto partition_list, Parenthesised(rest, partition_open));
    if (!Trim(rest.substr(partition_list.second)).empty()) {
      return Status::InvalidArgument("table spec: unexpected text after PARTITIONED BY (...): \"" +
                                     std::string(rest.substr(partition_list.second)) + "\"");
    }
    OTSYNC_ASSIGN_OR_RETURN(schema.partition_columns,
                            ParseColumnList(partition_list.first, "partition list"));
  }

  std::vector<std::string> seen;
  for (const auto* list : {&schema.columns, &schema.partition_columns}) {
    for (const Column& column : *list) {
      for (const std::string& other : seen) {
        if (other == column.name) {
          return Status::InvalidArgument("table spec: column \"" + column.name +
                                         "\" is declared twice");
        }
      }
      seen.push_back(column.name);
    }
  }
  if (schema.columns.empty()) {
    return Status::InvalidArgument("table spec: a table needs at least one data column");
  }
  return schema;
}

}  // namespace otsync::odps
