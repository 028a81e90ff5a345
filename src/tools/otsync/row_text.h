// Rows as text for `otsync table`: one row as JSON (put, update, delete, get), a primary key as
// JSON (scan --start/--end), files of JSON lines or CSV (import), and rows back to JSON (get,
// scan). Pure functions: nothing here talks to a server.
//
// The JSON shape of a row (RowJsonHelp() is the same text for --help):
//
//   {"pk": {"id": "a", "seq": 3}, "columns": {"name": "x", "age": 3, "score": 1.5,
//           "ok": true, "photo": {"binary": "AAE="}, "gone": null}}
//
//   JSON string -> STRING; integer -> INTEGER; a number with a fraction or an exponent -> DOUBLE;
//   true/false -> BOOLEAN; a one-member object names the type: {"binary": "<base64>"},
//   {"double": 3}, {"integer": 5}, {"string": "x"}, {"boolean": true}. null deletes the column
//   (update only). Primary-key columns may come in any order: they are arranged by the table's
//   schema (ArrangePrimaryKey), which also checks their types.
//
// CSV (import --format csv): RFC 4180 (quotes around a field, "" inside quotes, CRLF or LF). The
// first line names the columns; each primary-key column of the table must be among them and takes
// its type from the table; an attribute column is STRING unless its header says otherwise, as in
// `age:integer` (string, integer, double, boolean, binary as base64). An empty attribute field
// leaves the column out of the row.
//
// Errors are kInvalidArgument values that name where: "line 3, column 17: ..." for JSON syntax,
// "line 3: columns.age: ..." for a JSON value, "line 4, column 3 (age): ..." for a CSV field
// (the 1-based field number). Parsing a file reports its first error and returns no rows, so a
// bad file writes nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace otsync::tools {

struct TextRow {
  wire::PrimaryKey primary_key;  // In the order written; see ArrangePrimaryKey.
  // Attribute columns in the order written: kPut with a value, or kDeleteAllVersions for null.
  std::vector<wire::Cell> columns;
  int line = 0;  // 1-based line of the input the row starts on; 0 for a single JSON argument.
};

// The paragraph of --help that describes the row JSON shape.
std::string RowJsonHelp();

// One row as JSON. `allow_delete`: whether null (delete the column) may appear in "columns".
Result<TextRow> ParseRowJson(std::string_view text, bool allow_delete);

// A primary key alone as a JSON object, {"id": "a", "seq": 3}, values as in a row's "pk".
Result<wire::PrimaryKey> ParsePrimaryKeyJson(std::string_view text);

// One row per non-blank line, each in the row JSON shape (null never allowed: import puts rows).
Result<std::vector<TextRow>> ParseJsonLines(std::string_view text);

// A CSV file with a header line, for a table whose primary key is `schema`.
Result<std::vector<TextRow>> ParseCsvRows(std::string_view text,
                                          const std::vector<wire::PrimaryKeySchemaColumn>& schema);

// What ArrangePrimaryKey puts in place of a column that `given` leaves out.
enum class MissingKeyColumns { kRefuse, kFillInfMin, kFillInfMax };

// `given` in the order of `schema`, its values checked against the column types; a left-out
// AUTO_INCREMENT column (with kRefuse) becomes the placeholder the server fills. Errors name the
// column and show the schema: "pk.seq: expected INTEGER, got a STRING (the table's primary key is
// id STRING, seq INTEGER)"; unknown and (with kRefuse) missing columns likewise.
Result<wire::PrimaryKey> ArrangePrimaryKey(const wire::PrimaryKey& given,
                                           const std::vector<wire::PrimaryKeySchemaColumn>& schema,
                                           MissingKeyColumns missing);

// --pk 'id:string,seq:integer' (types string, integer, binary; `:auto` after integer makes it
// AUTO_INCREMENT) -> the schema, 1 to 4 columns.
Result<std::vector<wire::PrimaryKeySchemaColumn>> ParsePrimaryKeySpec(std::string_view spec);

// "id STRING, seq INTEGER".
std::string DescribePrimaryKeySchema(const std::vector<wire::PrimaryKeySchemaColumn>& schema);

// The row in the row JSON shape, on one line: {"pk":{...},"columns":{...}}. A column with several
// versions shows its first cell (the newest, as the service returns them).
std::string RowToJson(const wire::Row& row);

}  // namespace otsync::tools
