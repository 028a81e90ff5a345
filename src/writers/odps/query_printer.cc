#include "writers/odps/query_printer.h"

#include <algorithm>
#include <cstdio>

#include "writers/odps/table_schema.h"

namespace otsync::odps {
namespace {}  // namespace

bool IsNumericQueryType(std::string_view type) {
  static constexpr std::string_view kNumeric[] = {"TINYINT", "SMALLINT", "INTEGER",   "BIGINT",
                                                  "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                                                  "UBIGINT", "UHUGEINT", "FLOAT",     "DOUBLE"};
  for (std::string_view numeric : kNumeric) {
    if (type == numeric) return true;
  }
  return type.starts_with("DECIMAL");
}

namespace {

// Code points, as a stand-in for the display width of UTF-8 text.
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xc0) != 0x80) ++width;
  }
  return width;
}

std::string FormatTable(const QueryResult& result) {
  constexpr std::string_view kNull = "NULL";
  size_t columns = result.column_names.size();
  std::vector<size_t> widths(columns);
  std::vector<bool> right_aligned(columns);
  for (size_t c = 0; c < columns; ++c) {
    widths[c] = DisplayWidth(result.column_names[c]);
    right_aligned[c] = c < result.column_types.size() && IsNumericQueryType(result.column_types[c]);
  }
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < columns; ++c) {
      widths[c] = std::max(widths[c], row[c] ? DisplayWidth(*row[c]) : kNull.size());
    }
  }
  std::string out;
  auto cell = [&](std::string_view text, size_t c, bool right) {
    if (c > 0) out += " | ";
    std::string padding(widths[c] - DisplayWidth(text), ' ');
    if (right) out += padding;
    out += text;
    if (!right && c + 1 < columns) out += padding;
  };
  for (size_t c = 0; c < columns; ++c) cell(result.column_names[c], c, false);
  out += "\n";
  for (size_t c = 0; c < columns; ++c) {
    if (c > 0) out += "-+-";
    out += std::string(widths[c], '-');
  }
  out += "\n";
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < columns; ++c) {
      cell(row[c] ? std::string_view(*row[c]) : kNull, c, right_aligned[c]);
    }
    out += "\n";
  }
  out += '(';
  out += std::to_string(result.rows.size());
  out += result.rows.size() == 1 ? " row)\n" : " rows)\n";
  return out;
}

void AppendCsvField(std::string_view text, bool force_quotes, std::string* out) {
  bool quote = force_quotes || text.find_first_of(",\"\r\n") != text.npos;
  if (!quote) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

std::string FormatCsv(const QueryResult& result) {
  std::string out;
  for (size_t c = 0; c < result.column_names.size(); ++c) {
    if (c > 0) out += ",";
    AppendCsvField(result.column_names[c], false, &out);
  }
  out += "\r\n";
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ",";
      if (row[c]) AppendCsvField(*row[c], row[c]->empty(), &out);
    }
    out += "\r\n";
  }
  return out;
}

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
          *out += escaped;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

bool IsJsonNumber(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
      return false;
    }
  }
  return true;
}

std::string FormatJson(const QueryResult& result) {
  std::string out = "[";
  for (size_t r = 0; r < result.rows.size(); ++r) {
    out += r == 0 ? "\n  {" : ",\n  {";
    const auto& row = result.rows[r];
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ", ";
      AppendJsonString(result.column_names[c], &out);
      out += ": ";
      const std::string_view type =
          c < result.column_types.size() ? std::string_view(result.column_types[c]) : "";
      if (!row[c]) {
        out += "null";
      } else if ((IsNumericQueryType(type) && IsJsonNumber(*row[c])) ||
                 (type == "BOOLEAN" && (*row[c] == "true" || *row[c] == "false"))) {
        out += *row[c];
      } else {
        AppendJsonString(*row[c], &out);
      }
    }
    out += "}";
  }
  out += result.rows.empty() ? "]\n" : "\n]\n";
  return out;
}

}  // namespace

Result<QueryOutputFormat> ParseQueryOutputFormat(std::string_view name) {
  std::string lower = ToLower(name);
  if (lower == "table") return QueryOutputFormat::kTable;
  if (lower == "csv") return QueryOutputFormat::kCsv;
  if (lower == "json") return QueryOutputFormat::kJson;
  return Status::InvalidArgument("unknown output format \"" + std::string(name) +
                                 "\"; expected table, csv or json");
}

std::string FormatQueryResult(const QueryResult& result, QueryOutputFormat format) {
  switch (format) {
    case QueryOutputFormat::kTable:
      return FormatTable(result);
    case QueryOutputFormat::kCsv:
      return FormatCsv(result);
    case QueryOutputFormat::kJson:
      return FormatJson(result);
  }
  return FormatTable(result);
}

}  // namespace otsync::odps
