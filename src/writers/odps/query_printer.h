// Printers of a warehouse query's rows: an aligned table for people, CSV and JSON for programs.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "writers/odps/query_result.h"

namespace otsync::odps {

enum class QueryOutputFormat { kTable, kCsv, kJson };

// "table", "csv" or "json".
Result<QueryOutputFormat> ParseQueryOutputFormat(std::string_view name);

// kTable: a header, a rule, one line per row with numbers right-aligned and NULL for nulls, then
//         "(N rows)".
// kCsv:   RFC 4180 with a header line; NULL is an empty field, "" an empty quoted field.
// kJson:  an array of objects keyed by column name; numbers and booleans unquoted (a non-finite
//         double is a string), NULL as null.
// Every format ends with a newline.
std::string FormatQueryResult(const QueryResult& result, QueryOutputFormat format);

// Whether a column of this DuckDB type holds numbers (the integers, FLOAT, DOUBLE, DECIMAL): the
// table printer right-aligns them and the JSON printer leaves them unquoted.
bool IsNumericQueryType(std::string_view type);

}  // namespace otsync::odps
