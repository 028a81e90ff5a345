// The warehouse routes through the whole request pipeline (no sockets), on a real warehouse in a
// temporary data dir: listing, describing and creating tables, first rows, bounded read-only SQL
// and the Parquet download, with their status codes and messages.
#include "console/warehouse_routes.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "console/testing/console_api_fixture.h"
#include "readers/otsstream/ots_datasource.h"
#include "sync/datasource_registry.h"
#include "writers/odps/odps_datasource.h"
#include "writers/odps/warehouse_test_support.h"

namespace otsync::console {
namespace {

using nlohmann::json;

class WarehouseRoutesTest : public ConsoleApiFixture {
 protected:
  WarehouseRoutesTest() : ConsoleApiFixture(1'761'964'200'000'000) {}

  void SetUp() override {
    // Exports go to the temporary folder: this test's own, to see that they are cleaned up.
    const char* previous = std::getenv("TMPDIR");
    previous_tmpdir_ = previous != nullptr ? previous : "";
    std::filesystem::create_directories(temporary_.Child("tmp"));
    ::setenv("TMPDIR", temporary_.Child("tmp").c_str(), 1);
    plugins_.AddDataSourceType(readers::otsstream::OtsDataSourceType());
    plugins_.AddDataSourceType(odps::OdpsDataSourceType());
    ASSERT_TRUE(sync::DataSourceRegistry::Open(data_dir(), plugins_).ok());
    Route();
  }
  void TearDown() override {
    if (previous_tmpdir_.empty()) {
      ::unsetenv("TMPDIR");
    } else {
      ::setenv("TMPDIR", previous_tmpdir_.c_str(), 1);
    }
  }

  // (Re)builds the API with `limits`.
  void Route(const WarehouseRouteLimits& limits = {}) {
    ResetApi();
    AddWarehouseRoutes(api_->router(), data_dir(), plugins_, limits);
  }

  std::string warehouse_path() const { return data_dir() + "/warehouse"; }

  // The person table with 3 rows in pt=20251101 (one window) and 2 in pt=20251102.
  void LoadPeople() {
    std::unique_ptr<odps::Warehouse> warehouse = odps::Warehouse::Open(warehouse_path()).value();
    ASSERT_TRUE(
        warehouse->CreateTable(odps::ParseTableSpec(odps::testing::kPersonSpec).value()).ok());
    auto first = odps::testing::LoadRows(*warehouse, "20251101", false, "a", 3);
    ASSERT_TRUE(first->Commit(odps::testing::Window(1000, 2000)).ok());
    auto second = odps::testing::LoadRows(*warehouse, "20251102", false, "b", 2);
    ASSERT_TRUE(second->Commit(odps::testing::Window(2000, 3000)).ok());
  }

  std::string Query(const std::string& sql) {
    ApiResponse response = Call("POST", "/api/warehouses/odps_first/query", json{{"sql", sql}});
    return std::to_string(response.status) + " " + ErrorMessage(response);
  }

  sync::PluginRegistry plugins_;
  std::string previous_tmpdir_;
};

TEST_F(WarehouseRoutesTest, AWarehouseNotYetCreatedHasNoTablesAndIsNotCreatedByReading) {
  json listed = Expect(200, Call("GET", "/api/warehouses/odps_first/tables"));
  EXPECT_EQ(listed["datasource"], "odps_first");
  EXPECT_EQ(listed["project"], "odps_first");
  EXPECT_EQ(listed["warehouse"], warehouse_path());
  EXPECT_EQ(listed["exists"], false);
  EXPECT_EQ(listed["tables"], json::array());
  ApiResponse missing = Call("GET", "/api/warehouses/odps_first/tables/person");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(ErrorMessage(missing).find("has no tables yet"), std::string::npos);
  EXPECT_EQ(Call("POST", "/api/warehouses/odps_first/query", json{{"sql", "SELECT 1"}}).status,
            404);
  EXPECT_FALSE(std::filesystem::exists(warehouse_path()));
}

TEST_F(WarehouseRoutesTest, OnlyKnownOdpsDataSourcesHaveWarehouses) {
  ApiResponse unknown = Call("GET", "/api/warehouses/nowhere/tables");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(ErrorMessage(unknown).find("nowhere"), std::string::npos) << unknown.body;
  ApiResponse ots = Call("GET", "/api/warehouses/otsstream/tables");
  EXPECT_EQ(ots.status, 400);
  EXPECT_EQ(ErrorMessage(ots),
            "data source 'otsstream' is of type ots; the warehouse pages need an odps data source");
  EXPECT_EQ(ots.body.find("otsync-local-secret"), std::string::npos);
}

TEST_F(WarehouseRoutesTest, CreatesTablesWithTheEnginesRules) {
  json form = {{"name", "Person"},
               {"columns",
                {{{"name", "id"}, {"type", "string"}}, {{"name", "Version"}, {"type", "BIGINT"}}}},
               {"partitionColumns", {{{"name", "pt"}, {"type", "STRING"}}}}};
  json created = Expect(201, Call("POST", "/api/warehouses/odps_first/tables", form));
  EXPECT_EQ(created["table"]["name"], "person");
  EXPECT_EQ(created["table"]["spec"],
            "person(id STRING, version BIGINT) PARTITIONED BY (pt STRING)");
  EXPECT_EQ(created["table"]["partitionCount"], 0);
  EXPECT_EQ(created["table"]["rows"], 0);

  ApiResponse again = Call("POST", "/api/warehouses/odps_first/tables", form);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(ErrorMessage(again), "table person already exists");

  json bad_type = form;
  bad_type["name"] = "other";
  bad_type["columns"][1]["type"] = "NUMBER";
  ApiResponse refused = Call("POST", "/api/warehouses/odps_first/tables", bad_type);
  EXPECT_EQ(refused.status, 400);
  EXPECT_TRUE(ErrorMessage(refused).starts_with("columns[1].type: ")) << refused.body;

  json bad_name = form;
  bad_name["name"] = "other";
  bad_name["partitionColumns"][0]["name"] = "1pt";
  refused = Call("POST", "/api/warehouses/odps_first/tables", bad_name);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(ErrorMessage(refused).find("partitionColumns[0].name"), std::string::npos)
      << refused.body;

  json twice = form;
  twice["name"] = "other";
  twice["partitionColumns"][0]["name"] = "ID";
  refused = Call("POST", "/api/warehouses/odps_first/tables", twice);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(ErrorMessage(refused).find("\"id\" is declared twice"), std::string::npos);

  json double_partition = form;
  double_partition["name"] = "other";
  double_partition["partitionColumns"][0]["type"] = "DOUBLE";
  refused = Call("POST", "/api/warehouses/odps_first/tables", double_partition);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(ErrorMessage(refused).find("partition columns are STRING or an integer type"),
            std::string::npos);

  refused = Call("POST", "/api/warehouses/odps_first/tables", json{{"name", "empty"}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(ErrorMessage(refused).find("at least one data column"), std::string::npos);

  created = Expect(201, Call("POST", "/api/warehouses/odps_first/tables",
                             json{{"spec", "plain(k STRING, v DOUBLE)"}}));
  EXPECT_EQ(created["table"]["partitioned"], false);
  json listed = Expect(200, Call("GET", "/api/warehouses/odps_first/tables"));
  ASSERT_EQ(listed["tables"].size(), 2u);
  EXPECT_EQ(listed["tables"][0]["name"], "person");
  EXPECT_EQ(listed["tables"][1]["name"], "plain");
}

TEST_F(WarehouseRoutesTest, ListsTablesAndPartitionsWithTheirRowsAndWindows) {
  LoadPeople();
  json listed = Expect(200, Call("GET", "/api/warehouses/odps_first/tables"));
  ASSERT_EQ(listed["tables"].size(), 1u);
  json table = listed["tables"][0];
  EXPECT_EQ(table["name"], "person");
  EXPECT_EQ(table["columns"], json::parse(R"([{"name":"id","type":"STRING"},
                                              {"name":"version","type":"BIGINT"}])"));
  EXPECT_EQ(table["partitionColumns"], json::parse(R"([{"name":"pt","type":"STRING"}])"));
  EXPECT_EQ(table["partitionCount"], 2);
  EXPECT_EQ(table["rows"], 5);

  json described = Expect(200, Call("GET", "/api/warehouses/odps_first/tables/PERSON"));
  EXPECT_EQ(described["table"]["rows"], 5);
  ASSERT_EQ(described["partitions"].size(), 2u);
  json first = described["partitions"][0];
  EXPECT_EQ(first["spec"], "pt=20251101");
  EXPECT_EQ(first["rows"], 3);
  EXPECT_EQ(first["windowCount"], 1);
  EXPECT_EQ(first["windows"][0]["sourceTable"], "person");
  EXPECT_EQ(first["windows"][0]["startMillis"], 1000);
  EXPECT_EQ(first["windows"][0]["endMillis"], 2000);
  EXPECT_EQ(first["windows"][0]["rows"], 3);
  EXPECT_EQ(described["partitions"][1]["spec"], "pt=20251102");
  EXPECT_EQ(described["partitions"][1]["rows"], 2);

  ApiResponse unknown = Call("GET", "/api/warehouses/odps_first/tables/nobody");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(ErrorMessage(unknown).find("table nobody does not exist"), std::string::npos);
}

TEST_F(WarehouseRoutesTest, ShowsTheFirstRowsOfAPartition) {
  LoadPeople();
  const std::string path = "/api/warehouses/odps_first/tables/person/rows";
  json rows = Expect(200, Call("GET", path, nullptr, {{"partition", "pt=20251101"}}));
  EXPECT_EQ(rows["partition"], "pt=20251101");
  EXPECT_EQ(rows["columns"], json::parse(R"([{"name":"id","type":"VARCHAR","numeric":false},
                                             {"name":"version","type":"BIGINT","numeric":true}])"));
  EXPECT_EQ(rows["rows"], json::parse(R"([["a-0","0"],["a-1","1"],["a-2","2"]])"));
  EXPECT_EQ(rows["truncated"], false);

  // DataX's normalisation: quotes and spaces around '=' are dropped.
  rows =
      Expect(200, Call("GET", path, nullptr, {{"partition", "pt = '20251102'"}, {"limit", "1"}}));
  EXPECT_EQ(rows["rows"], json::parse(R"([["b-0","0"]])"));

  ApiResponse none = Call("GET", path);
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(ErrorMessage(none),
            "partition: table person is partitioned (pt=...); its rows are shown one partition at "
            "a time, e.g. ?partition=pt=20251101");
  ApiResponse unknown = Call("GET", path, nullptr, {{"partition", "pt=20990101"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorMessage(unknown),
            "partition pt=20990101 of table person does not exist; its partitions: pt=20251101, "
            "pt=20251102");
  ApiResponse wrong_level = Call("GET", path, nullptr, {{"partition", "region=hz"}});
  EXPECT_EQ(wrong_level.status, 400);
  for (const char* limit : {"0", "1001", "ten"}) {
    ApiResponse refused =
        Call("GET", path, nullptr, {{"partition", "pt=20251101"}, {"limit", limit}});
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(ErrorMessage(refused),
              std::string("limit: expected an integer 1..1000, got '") + limit + "'");
  }
}

TEST_F(WarehouseRoutesTest, QueriesAreReadOnlyConfinedAndBounded) {
  LoadPeople();
  json counted = Expect(200, Call("POST", "/api/warehouses/odps_first/query",
                                  json{{"sql",
                                        "SELECT pt, count(*) AS n FROM person GROUP BY pt "
                                        "ORDER BY pt"}}));
  EXPECT_EQ(counted["columns"][1], json::parse(R"({"name":"n","type":"BIGINT","numeric":true})"));
  EXPECT_EQ(counted["rows"], json::parse(R"([["20251101","3"],["20251102","2"]])"));
  EXPECT_EQ(counted["truncated"], false);
  EXPECT_EQ(counted["totalRows"], 2);
  json nulls = Expect(200, Call("POST", "/api/warehouses/odps_first/query",
                                json{{"sql", "SELECT NULL AS nothing, 'x' AS text"}}));
  EXPECT_EQ(nulls["rows"], json::parse(R"([[null,"x"]])"));

  const std::string read_only =
      "400 query failed: the warehouse is read-only here — tables change only through jobs (otsync "
      "run) and `otsync warehouse create-table`";
  EXPECT_EQ(Query("DELETE FROM person"), read_only);
  EXPECT_EQ(Query("INSERT INTO person VALUES ('x', 1, 'p')"), read_only);
  EXPECT_EQ(Query("DROP VIEW person"), read_only);
  EXPECT_EQ(Query("SELECT 1; DELETE FROM person"), read_only);
  EXPECT_EQ(Query("-- a comment; 'quoted'\n  update person SET id = 'x'"), read_only);
  EXPECT_EQ(Query("SELECT ';' AS text; TRUNCATE person"), read_only);
  // COPY and EXPORT write files: outside the warehouse DuckDB refuses the path, inside it the
  // statement is refused.
  std::string copied = Query("COPY (SELECT 1) TO '" + temporary_.Child("out.csv") + "'");
  EXPECT_TRUE(copied.starts_with("400 query failed: Permission Error")) << copied;
  EXPECT_FALSE(std::filesystem::exists(temporary_.Child("out.csv")));
  for (const std::string& sql :
       {"COPY (SELECT 1) TO '" + warehouse_path() + "/data/out.csv'",
        "EXPORT DATABASE '" + warehouse_path() + "/data/everything'",
        std::string("SET threads = 1"), std::string("PRAGMA enable_profiling"),
        std::string("INSTALL httpfs")}) {
    EXPECT_TRUE(Query(sql).starts_with("400 query failed: only queries of the warehouse's tables "))
        << sql << ": " << Query(sql);
  }
  EXPECT_FALSE(std::filesystem::exists(warehouse_path() + "/data/out.csv"));
  // Files outside the warehouse cannot be read, the data sources' keys included.
  std::string outside = Query("SELECT * FROM read_text('" + data_dir() + "/datasources.json')");
  EXPECT_TRUE(outside.starts_with("400 query failed: ")) << outside;
  EXPECT_EQ(outside.find("otsync-local-secret"), std::string::npos);
  EXPECT_EQ(Query("SELEKT 1").substr(0, 24), "400 query failed: Parser");
  EXPECT_EQ(Query("  ; "), "400 sql: the query is empty");
  EXPECT_EQ(Query(std::string(70 * 1024, ' ') + "SELECT 1"),
            "400 sql: at most 64 KiB, got 71688 bytes");

  WarehouseRouteLimits limits;
  limits.max_query_rows = 3;
  limits.query_timeout_millis = 100;
  Route(limits);
  json truncated = Expect(200, Call("POST", "/api/warehouses/odps_first/query",
                                    json{{"sql", "SELECT range AS n FROM range(10)"}}));
  EXPECT_EQ(truncated["rows"], json::parse(R"([["0"],["1"],["2"]])"));
  EXPECT_EQ(truncated["truncated"], true);
  EXPECT_EQ(truncated["totalRows"], 10);
  EXPECT_EQ(truncated["maxRows"], 3);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(Query("SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b"),
            "400 query stopped: it ran longer than 100 ms; narrow it (a WHERE on the partition, "
            "a LIMIT)");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));

  // A few huge cells cannot make the answer huge: the text is capped as well as the rows.
  limits.max_query_bytes = 25;
  Route(limits);
  json by_bytes = Expect(200, Call("POST", "/api/warehouses/odps_first/query",
                                   json{{"sql", "SELECT repeat('x', 10) AS s FROM range(5)"}}));
  EXPECT_EQ(by_bytes["rows"].size(), 2u) << "20 bytes kept; a third row would make 30";
  EXPECT_EQ(by_bytes["truncated"], true);
  EXPECT_EQ(by_bytes["totalRows"], 5);
  EXPECT_EQ(by_bytes["maxBytes"], 25);
}

TEST_F(WarehouseRoutesTest, ExportsOnePartitionAsAParquetDownload) {
  LoadPeople();
  const std::string path = "/api/warehouses/odps_first/tables/person/export";
  ApiResponse exported =
      Call("GET", path, nullptr, {{"partition", "pt=20251101"}, {"compression", "zstd"}});
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.content_type, "application/vnd.apache.parquet");
  // The body is sent from the open file, whatever its size (none is held in memory).
  ASSERT_NE(exported.file, nullptr);
  std::string bytes;
  ASSERT_TRUE(exported.file->ReadAt(0, static_cast<size_t>(exported.file->size), &bytes).ok());
  EXPECT_EQ(bytes.substr(0, 4), "PAR1");
  EXPECT_EQ(bytes.substr(bytes.size() - 4), "PAR1");
  EXPECT_FALSE(exported.file->ReadAt(exported.file->size - 2, 4, &bytes).ok())
      << "reading past the end is an error, not a short body";
  bool disposition = false;
  for (const auto& [name, value] : exported.headers) {
    if (name == "Content-Disposition") {
      disposition = true;
      EXPECT_EQ(value, "attachment; filename=\"person_pt=20251101.parquet\"");
    }
  }
  EXPECT_TRUE(disposition);
  // Nothing of the export is left behind, even while the download is still being sent.
  EXPECT_TRUE(std::filesystem::is_empty(temporary_.Child("tmp")));

  // The file holds the partition's data columns and rows.
  std::string file = temporary_.Child("download.parquet");
  std::ofstream(file, std::ios::binary) << bytes.substr(0, exported.file->size);
  std::unique_ptr<odps::Warehouse> reader = odps::Warehouse::Open(warehouse_path()).value();
  Result<odps::QueryResult> read =
      reader->Query("SELECT * FROM read_parquet('" + file + "') ORDER BY id");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->column_names, (std::vector<std::string>{"id", "version"}));
  ASSERT_EQ(read->rows.size(), 3u);
  EXPECT_EQ(read->rows[2][0], "a-2");

  ApiResponse whole = Call("GET", path);
  EXPECT_EQ(whole.status, 400);
  EXPECT_EQ(ErrorMessage(whole),
            "partition: table person is partitioned (pt=...); a download is one Parquet file: it "
            "holds one partition at a time, e.g. ?partition=pt=20251101");
  ApiResponse codec =
      Call("GET", path, nullptr, {{"partition", "pt=20251101"}, {"compression", "zip"}});
  EXPECT_EQ(codec.status, 400);
  EXPECT_TRUE(ErrorMessage(codec).starts_with("compression: unknown Parquet compression \"zip\""));
}

TEST_F(WarehouseRoutesTest, NeedsASignedInCaller) {
  EXPECT_EQ(api_->Handle(Request("GET", "/api/warehouses/odps_first/tables")).status, 401);
}

}  // namespace
}  // namespace otsync::console
