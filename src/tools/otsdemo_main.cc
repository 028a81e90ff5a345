// otsdemo: the Tablestore side of `make demo` (examples/demo.sh). Through the project's own client
// it creates the seed's `person` table with the Stream feature on, on a running otsd (or any
// Tablestore endpoint), then changes rows with every kind of operation the stream records — puts,
// an update that puts one column and deletes all versions of another, an update that deletes one
// version of a column, a row delete — and prints the rows the table ends with.
//
// The change log those writes leave (what the seed's job exports, one row per cell change in
// multi-version mode) is printed by --expected as CSV "id,colname,colvalue,optype", in stream
// order per row, so that the demo can check the warehouse holds exactly that.
//
// Exit status: 0 when every step succeeded, 1 otherwise (the failing step is printed).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "client/client.h"

namespace {

using otsync::Result;
using otsync::Status;
namespace client = otsync::client;
namespace wire = otsync::wire;

const std::vector<std::string> kAttributeColumns = {"name", "age", "city", "score", "active"};

// The change log the writes of RunDemo leave, per row in stream order: a PUT record is a DR row
// followed by one U row per cell (in the order the cells were written), as DataX's
// otsstreamreader shapes it. Kept beside RunDemo: change one, change the other.
constexpr const char* kExpectedChangeLog =
    "id,colname,colvalue,optype\n"
    "p001,,,DR\n"
    "p001,name,Ada,U\n"
    "p001,age,36,U\n"
    "p001,city,Beijing,U\n"
    "p001,age,37,U\n"
    "p001,city,,DA\n"
    "p002,,,DR\n"
    "p002,name,Grace,U\n"
    "p002,age,45,U\n"
    "p002,city,Hangzhou,U\n"
    "p002,age,,DO\n"
    "p003,,,DR\n"
    "p003,name,Linus,U\n"
    "p003,age,28,U\n"
    "p003,city,Shanghai,U\n"
    "p003,,,DR\n"
    "p004,,,DR\n"
    "p004,name,Barbara,U\n"
    "p004,age,52,U\n"
    "p004,score,99.5,U\n"
    "p004,active,true,U\n";

std::string FormatValue(const wire::Value& value) {
  switch (value.type()) {
    case wire::ValueType::kInteger:
      return std::to_string(value.integer());
    case wire::ValueType::kDouble: {
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), "%g", value.double_value());
      return buffer;
    }
    case wire::ValueType::kBoolean:
      return value.boolean() ? "true" : "false";
    case wire::ValueType::kString:
      return value.bytes();
    default:
      return value.DebugString();
  }
}

// Prints rows as a table: the primary key, then kAttributeColumns (latest versions); a column
// the row does not have is left blank.
void PrintRows(const std::vector<wire::Row>& rows) {
  std::vector<std::string> header = {"id"};
  header.insert(header.end(), kAttributeColumns.begin(), kAttributeColumns.end());
  std::vector<std::vector<std::string>> lines;
  for (const wire::Row& row : rows) {
    std::vector<std::string> line;
    for (const wire::PrimaryKeyColumn& column : row.primary_key) {
      line.push_back(FormatValue(column.value));
    }
    std::map<std::string, std::string> cells;
    for (const wire::Cell& cell : row.cells) {
      // Several versions come newest first; keep the newest.
      if (cell.value && !cells.contains(cell.name)) cells[cell.name] = FormatValue(*cell.value);
    }
    for (const std::string& name : kAttributeColumns) line.push_back(cells[name]);
    lines.push_back(std::move(line));
  }
  std::vector<size_t> widths(header.size());
  for (size_t i = 0; i < header.size(); ++i) {
    widths[i] = header[i].size();
    for (const auto& line : lines) widths[i] = std::max(widths[i], line[i].size());
  }
  auto print_line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) text += " | ";
      text += cells[i] + std::string(widths[i] - cells[i].size(), ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    std::cout << "  " << text << "\n";
  };
  print_line(header);
  std::string rule;
  for (size_t i = 0; i < widths.size(); ++i) {
    if (i > 0) rule += "-+-";
    rule += std::string(widths[i], '-');
  }
  std::cout << "  " << rule << "\n";
  for (const auto& line : lines) print_line(line);
}

wire::PrimaryKey Key(const std::string& id) { return {{"id", wire::Value::String(id)}}; }

wire::RowWrite Put(const std::string& id, std::vector<wire::Cell> cells) {
  wire::RowWrite write;
  write.type = wire::WriteType::kPut;
  write.row.primary_key = Key(id);
  write.row.cells = std::move(cells);
  return write;
}

wire::Cell Cell(std::string name, wire::Value value) {
  return {std::move(name), std::move(value), std::nullopt};
}

int Fail(const std::string& step, const Status& status) {
  std::cerr << "otsdemo: " << step << " failed: " << status.ToString() << "\n";
  return 1;
}

int RunDemo(client::Client& ots, const std::string& table_name) {
  wire::TableDescription table;
  table.name = table_name;
  table.primary_key = {{"id", wire::PrimaryKeyType::kString, false}};
  table.options.max_versions = 1;
  table.stream.enabled = true;
  table.stream.expiration_hours = 24;
  if (Status status = ots.CreateTable(table); !status.ok()) return Fail("CreateTable", status);
  std::cout << "CreateTable " << table_name << " (id STRING), stream on, 24 h\n";

  // Puts, three in one BatchWriteRow and one PutRow.
  wire::TableWrites batch;
  batch.table_name = table_name;
  batch.rows = {
      Put("p001", {Cell("name", wire::Value::String("Ada")), Cell("age", wire::Value::Integer(36)),
                   Cell("city", wire::Value::String("Beijing"))}),
      Put("p002",
          {Cell("name", wire::Value::String("Grace")), Cell("age", wire::Value::Integer(45)),
           Cell("city", wire::Value::String("Hangzhou"))}),
      Put("p003",
          {Cell("name", wire::Value::String("Linus")), Cell("age", wire::Value::Integer(28)),
           Cell("city", wire::Value::String("Shanghai"))})};
  Result<std::vector<std::vector<wire::RowWriteOutcome>>> outcomes = ots.BatchWriteRow({batch});
  if (!outcomes.ok()) return Fail("BatchWriteRow", outcomes.status());
  for (const wire::RowWriteOutcome& outcome : (*outcomes)[0]) {
    if (!outcome.status.ok()) return Fail("BatchWriteRow row", outcome.status);
  }
  std::cout << "BatchWriteRow  put p001, p002, p003 (name, age, city)\n";
  wire::RowWrite put =
      Put("p004",
          {Cell("name", wire::Value::String("Barbara")), Cell("age", wire::Value::Integer(52)),
           Cell("score", wire::Value::Double(99.5)), Cell("active", wire::Value::Boolean(true))});
  put.condition.row_existence = wire::RowExistence::kExpectNotExist;
  if (auto result = ots.PutRow(table_name, put); !result.ok()) {
    return Fail("PutRow", result.status());
  }
  std::cout << "PutRow         put p004 (name, age, score, active), expecting no such row\n";

  // An update: a new age, and every version of "city" removed.
  wire::RowWrite update;
  update.row.primary_key = Key("p001");
  update.row.cells = {
      {"age", wire::Value::Integer(37), std::nullopt, wire::CellOperation::kPut},
      {"city", std::nullopt, std::nullopt, wire::CellOperation::kDeleteAllVersions}};
  update.condition.row_existence = wire::RowExistence::kExpectExist;
  if (auto result = ots.UpdateRow(table_name, update); !result.ok()) {
    return Fail("UpdateRow", result.status());
  }
  std::cout << "UpdateRow      p001: age=37, delete all versions of city\n";

  // Deleting one version needs its timestamp: read it.
  Result<std::optional<wire::Row>> p002 = ots.GetRow(table_name, Key("p002"));
  if (!p002.ok()) return Fail("GetRow", p002.status());
  std::optional<int64_t> age_version;
  if (p002->has_value()) {
    for (const wire::Cell& cell : (*p002)->cells) {
      if (cell.name == "age") age_version = cell.timestamp;
    }
  }
  if (!age_version.has_value()) {
    return Fail("GetRow", Status::Internal("p002 has no version of age"));
  }
  wire::RowWrite delete_version;
  delete_version.row.primary_key = Key("p002");
  delete_version.row.cells = {
      {"age", std::nullopt, *age_version, wire::CellOperation::kDeleteOneVersion}};
  if (auto result = ots.UpdateRow(table_name, delete_version); !result.ok()) {
    return Fail("UpdateRow (delete one version)", result.status());
  }
  std::cout << "UpdateRow      p002: delete version " << *age_version << " of age\n";

  wire::RowWrite remove;
  remove.row.primary_key = Key("p003");
  if (auto result = ots.DeleteRow(table_name, remove); !result.ok()) {
    return Fail("DeleteRow", result.status());
  }
  std::cout << "DeleteRow      p003\n";

  wire::RangeRequest range;
  range.inclusive_start = {{"id", wire::Value::InfMin()}};
  range.exclusive_end = {{"id", wire::Value::InfMax()}};
  Result<std::vector<wire::Row>> rows = ots.GetWholeRange(table_name, range);
  if (!rows.ok()) return Fail("GetRange", rows.status());
  std::cout << "\nThe table now (GetRange): " << rows->size() << " rows\n";
  PrintRows(*rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "otsdemo: create the seed's person table with the stream on and change its rows through "
      "otsync's client"};
  client::ClientOptions options;
  options.instance = "local";
  options.credentials.access_key_id = "otsync-local-id";
  std::string table_name = "person";
  bool expected = false;
  app.add_option("--endpoint", options.endpoint, "Server URL, e.g. http://127.0.0.1:8800");
  app.add_option("--instance", options.instance, "Instance name")->capture_default_str();
  app.add_option("--access-key-id", options.credentials.access_key_id, "Access key id")
      ->capture_default_str();
  app.add_option("--table", table_name, "Table to create")->capture_default_str();
  app.add_flag("--expected", expected,
               "Print the change log the writes leave (CSV id,colname,colvalue,optype) and exit");
  CLI11_PARSE(app, argc, argv);
  if (expected) {
    std::cout << kExpectedChangeLog;
    return 0;
  }
  if (options.endpoint.empty()) {
    std::cerr << "otsdemo: --endpoint is required\n";
    return 2;
  }
  // The secret comes from the environment so that it never shows in a process listing.
  const char* secret = std::getenv("OTSYNC_ACCESS_KEY_SECRET");
  options.credentials.access_key_secret = secret != nullptr ? secret : "otsync-local-secret";
  options.max_retries = 2;

  Result<std::unique_ptr<client::Client>> ots = client::Client::Create(options);
  if (!ots.ok()) return Fail("connecting", ots.status());
  return RunDemo(**ots, table_name);
}
