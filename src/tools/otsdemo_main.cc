// otsdemo: the program behind `make demo`. Through the project's own client it creates a table
// on a running otsd (or any Tablestore endpoint), writes rows (puts, an update, a delete), reads
// them back with GetRow and GetRange and prints them as an aligned table.
//
// Exit status: 0 when every step succeeded, 1 otherwise (the failing step is printed).
#include <CLI/CLI.hpp>
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

const std::vector<std::string> kAttributeColumns = {"name", "age", "score", "active"};

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

// Prints rows as a table: the primary key columns, then kAttributeColumns (latest versions);
// a column the row does not have is left blank.
void PrintRows(const std::vector<std::string>& key_columns, const std::vector<wire::Row>& rows) {
  std::vector<std::string> header = key_columns;
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

wire::PrimaryKey Key(const std::string& city, int64_t id) {
  return {{"city", wire::Value::String(city)}, {"id", wire::Value::Integer(id)}};
}

wire::RowWrite Put(const std::string& city, int64_t id, const std::string& name, int64_t age,
                   double score, bool active) {
  wire::RowWrite write;
  write.type = wire::WriteType::kPut;
  write.row.primary_key = Key(city, id);
  write.row.cells = {{"name", wire::Value::String(name), std::nullopt},
                     {"age", wire::Value::Integer(age), std::nullopt},
                     {"score", wire::Value::Double(score), std::nullopt},
                     {"active", wire::Value::Boolean(active), std::nullopt}};
  return write;
}

int Fail(const std::string& step, const Status& status) {
  std::cerr << "otsdemo: " << step << " failed: " << status.ToString() << "\n";
  return 1;
}

int RunDemo(client::Client& ots, const std::string& table_name) {
  wire::TableDescription table;
  table.name = table_name;
  table.primary_key = {{"city", wire::PrimaryKeyType::kString, false},
                       {"id", wire::PrimaryKeyType::kInteger, false}};
  table.options.max_versions = 1;
  if (Status status = ots.CreateTable(table); !status.ok()) return Fail("CreateTable", status);
  std::cout << "CreateTable " << table_name << " (city STRING, id INTEGER)\n";

  // Puts, in one BatchWriteRow and one PutRow.
  wire::TableWrites batch;
  batch.table_name = table_name;
  batch.rows = {Put("Beijing", 1, "Ada", 36, 91.5, true), Put("Beijing", 2, "Grace", 45, 88, true),
                Put("Hangzhou", 1, "Linus", 28, 75.25, false),
                Put("Hangzhou", 2, "Barbara", 52, 99, true)};
  Result<std::vector<std::vector<wire::RowWriteOutcome>>> outcomes = ots.BatchWriteRow({batch});
  if (!outcomes.ok()) return Fail("BatchWriteRow", outcomes.status());
  for (const wire::RowWriteOutcome& outcome : (*outcomes)[0]) {
    if (!outcome.status.ok()) return Fail("BatchWriteRow row", outcome.status);
  }
  std::cout << "BatchWriteRow 4 rows\n";
  wire::RowWrite put = Put("Shanghai", 7, "Donald", 30, 60, true);
  put.condition.row_existence = wire::RowExistence::kExpectNotExist;
  if (auto result = ots.PutRow(table_name, put); !result.ok()) {
    return Fail("PutRow", result.status());
  }
  std::cout << "PutRow    (Shanghai, 7) expecting the row not to exist\n";

  // An update: a new score, and the "active" column removed.
  wire::RowWrite update;
  update.row.primary_key = Key("Hangzhou", 1);
  update.row.cells = {
      {"score", wire::Value::Double(80.75), std::nullopt, wire::CellOperation::kPut},
      {"active", std::nullopt, std::nullopt, wire::CellOperation::kDeleteAllVersions}};
  update.condition.row_existence = wire::RowExistence::kExpectExist;
  if (auto result = ots.UpdateRow(table_name, update); !result.ok()) {
    return Fail("UpdateRow", result.status());
  }
  std::cout << "UpdateRow (Hangzhou, 1) score=80.75, delete column active\n";

  wire::RowWrite remove;
  remove.row.primary_key = Key("Beijing", 2);
  if (auto result = ots.DeleteRow(table_name, remove); !result.ok()) {
    return Fail("DeleteRow", result.status());
  }
  std::cout << "DeleteRow (Beijing, 2)\n";

  // A conditional put that must fail: the row exists now.
  Result<client::WriteResult> rejected = ots.PutRow(table_name, put);
  std::cout << "PutRow    (Shanghai, 7) again -> "
            << (rejected.ok() ? std::string("accepted (unexpected)") : rejected.status().message())
            << "\n";
  if (rejected.ok()) return 1;

  Result<std::optional<wire::Row>> row = ots.GetRow(table_name, Key("Hangzhou", 1));
  if (!row.ok()) return Fail("GetRow", row.status());
  std::cout << "\nGetRow (Hangzhou, 1):\n";
  std::vector<wire::Row> single;
  if (row->has_value()) single.push_back(**row);
  PrintRows({"city", "id"}, single);

  wire::RangeRequest range;
  range.inclusive_start = {{"city", wire::Value::InfMin()}, {"id", wire::Value::InfMin()}};
  range.exclusive_end = {{"city", wire::Value::InfMax()}, {"id", wire::Value::InfMax()}};
  Result<std::vector<wire::Row>> rows = ots.GetWholeRange(table_name, range);
  if (!rows.ok()) return Fail("GetRange", rows.status());
  std::cout << "\nGetRange [INF_MIN, INF_MAX): " << rows->size() << " rows\n";
  PrintRows({"city", "id"}, *rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"otsdemo: create a table, write rows and read them back through otsync's client"};
  client::ClientOptions options;
  options.instance = "local";
  options.credentials.access_key_id = "otsync-local-id";
  std::string table_name = "demo_users";
  app.add_option("--endpoint", options.endpoint, "Server URL, e.g. http://127.0.0.1:8800")
      ->required();
  app.add_option("--instance", options.instance, "Instance name")->capture_default_str();
  app.add_option("--access-key-id", options.credentials.access_key_id, "Access key id")
      ->capture_default_str();
  app.add_option("--table", table_name, "Table to create")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  // The secret comes from the environment so that it never shows in a process listing.
  const char* secret = std::getenv("OTSYNC_ACCESS_KEY_SECRET");
  options.credentials.access_key_secret = secret != nullptr ? secret : "otsync-local-secret";
  options.max_retries = 2;

  Result<std::unique_ptr<client::Client>> ots = client::Client::Create(options);
  if (!ots.ok()) return Fail("connecting", ots.status());
  return RunDemo(**ots, table_name);
}
