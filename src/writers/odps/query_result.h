// The rows a warehouse query returned, as text, for printing (query_printer.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace otsync::odps {

struct QueryResult {
  std::vector<std::string> column_names;
  // DuckDB's type names (VARCHAR, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, DECIMAL(10,2), BLOB, ...):
  // the printers right-align and leave unquoted what is numeric or boolean.
  std::vector<std::string> column_types;
  // Each cell as DuckDB renders it as text; nullopt for NULL.
  std::vector<std::vector<std::optional<std::string>>> rows;
  // With QueryLimits::max_rows: the query returned more rows than `rows` holds, `total_rows` in
  // all.
  bool truncated = false;
  int64_t total_rows = 0;
};

}  // namespace otsync::odps
