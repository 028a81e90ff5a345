// The source-table routes through the whole request pipeline (no sockets on the console's side)
// against a real otsd in this process: the tables and their Stream as ListTable and DescribeTable
// give them, enabling and disabling a Stream with UpdateTable, the step of a failure, and that
// the access key never shows.
#include "console/source_table_routes.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "client/client.h"
#include "console/testing/console_api_fixture.h"
#include "readers/otsstream/ots_datasource.h"
#include "readers/otsstream/status_keys.h"
#include "server/testing/in_process_otsd.h"
#include "sync/datasource_registry.h"
#include "writers/odps/odps_datasource.h"

namespace otsync::console {
namespace {

using nlohmann::json;

class SourceTableRoutesTest : public ConsoleApiFixture {
 protected:
  SourceTableRoutesTest() : ConsoleApiFixture(1'000'000) {}

  void SetUp() override {
    plugins_.AddDataSourceType(readers::otsstream::OtsDataSourceType());
    plugins_.AddDataSourceType(odps::OdpsDataSourceType());
    std::filesystem::create_directories(data_dir());
    Result<std::unique_ptr<server::InProcessOtsd>> otsd = server::InProcessOtsd::Start();
    ASSERT_TRUE(otsd.ok()) << otsd.status().ToString();
    otsd_ = std::move(*otsd);
    endpoint_ = "http://127.0.0.1:" + std::to_string(otsd_->port());
    AddOtsSource("src", endpoint_, server::kDevelopmentInstance, server::kDevelopmentSecret);

    client::ClientOptions options;
    options.endpoint = endpoint_;
    options.instance = server::kDevelopmentInstance;
    options.credentials = {server::kDevelopmentKeyId, server::kDevelopmentSecret, ""};
    Result<std::unique_ptr<client::Client>> created = client::Client::Create(options);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    client_ = std::move(*created);
    CreateTable("orders", /*stream_hours=*/0);
    CreateTable("person", /*stream_hours=*/48);
    AddSourceTableRoutes(api_->router(), data_dir(), plugins_);
  }
  void TearDown() override {
    api_.reset();
    client_.reset();
    otsd_.reset();
  }

  void AddOtsSource(const std::string& name, const std::string& endpoint,
                    const std::string& instance, const std::string& key) {
    sync::DataSource source = readers::otsstream::OtsDataSource(
        name, "", {endpoint, instance, server::kDevelopmentKeyId, key});
    Result<sync::DataSourceRegistry> registry =
        sync::DataSourceRegistry::Open(data_dir(), plugins_);
    ASSERT_TRUE(registry.ok());
    ASSERT_TRUE(registry->Add(source, /*replace=*/true).ok());
  }

  void CreateTable(const std::string& name, int stream_hours) {
    wire::TableDescription table;
    table.name = name;
    table.primary_key = {{"id", wire::PrimaryKeyType::kString}};
    if (stream_hours > 0) {
      table.stream.enabled = true;
      table.stream.expiration_hours = stream_hours;
    }
    Status created = client_->CreateTable(table);
    ASSERT_TRUE(created.ok()) << created.ToString();
  }

  // The fixture's request of the CLI, whose answer never holds the AccessKey secret.
  ApiResponse Call(const std::string& method, const std::string& path, const json& body = nullptr) {
    ApiResponse response = ConsoleApiFixture::Call(method, path, body);
    EXPECT_EQ(response.body.find(server::kDevelopmentSecret), std::string::npos) << response.body;
    return response;
  }

  sync::PluginRegistry plugins_;
  std::unique_ptr<server::InProcessOtsd> otsd_;
  std::string endpoint_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(SourceTableRoutesTest, ListsTheTablesWithTheirStream) {
  json listed = Expect(200, Call("GET", "/api/datasources/src/tables"));
  EXPECT_EQ(listed["datasource"], "src");
  ASSERT_EQ(listed["tables"].size(), 2u);
  EXPECT_EQ(listed["tables"][0]["name"], "orders");
  EXPECT_EQ(listed["tables"][0]["stream"], false);
  EXPECT_TRUE(listed["tables"][0]["expirationHours"].is_null());
  EXPECT_EQ(listed["tables"][0]["statusTable"], false);
  EXPECT_EQ(listed["tables"][1]["name"], "person");
  EXPECT_EQ(listed["tables"][1]["stream"], true);
  EXPECT_EQ(listed["tables"][1]["expirationHours"], 48);
  EXPECT_EQ(listed["tables"][1]["primaryKey"],
            json::parse(R"([{"name": "id", "type": "STRING"}])"));
}

// The key comes back in its own order (not sorted by name), each column with the type name
// Table Store uses.
TEST_F(SourceTableRoutesTest, ListsEachTablesPrimaryKeyInKeyOrder) {
  wire::TableDescription lines;
  lines.name = "order_lines";
  lines.primary_key = {{"order_id", wire::PrimaryKeyType::kString},
                       {"line", wire::PrimaryKeyType::kInteger},
                       {"blob", wire::PrimaryKeyType::kBinary}};
  ASSERT_TRUE(client_->CreateTable(lines).ok());

  json tables = Expect(200, Call("GET", "/api/datasources/src/tables"))["tables"];
  ASSERT_EQ(tables.size(), 3u);
  ASSERT_EQ(tables[0]["name"], "order_lines");
  EXPECT_EQ(tables[0]["primaryKey"], json::parse(R"([{"name": "order_id", "type": "STRING"},
                                                     {"name": "line", "type": "INTEGER"},
                                                     {"name": "blob", "type": "BINARY"}])"));
  EXPECT_EQ(tables[1]["primaryKey"], json::parse(R"([{"name": "id", "type": "STRING"}])"));

  // The answer of a Stream change is the same view, key included.
  json enabled = Expect(
      200, Call("POST", "/api/datasources/src/tables/order_lines/stream", json{{"enable", true}}));
  EXPECT_EQ(enabled["primaryKey"], tables[0]["primaryKey"]);
}

// Tables are described several at a time; each answer stays with its own table, in name order.
TEST_F(SourceTableRoutesTest, ManyTablesAreListedInOrderAndStatusTablesAreMarked) {
  for (int i = 0; i < 20; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "t%02d", i);
    CreateTable(name, i % 2 == 0 ? 24 + i : 0);
  }
  wire::TableDescription status;
  status.name = "sync_status";
  status.primary_key = readers::otsstream::StatusTableSchema();
  ASSERT_TRUE(client_->CreateTable(status).ok());

  json tables = Expect(200, Call("GET", "/api/datasources/src/tables"))["tables"];
  ASSERT_EQ(tables.size(), 23u);
  EXPECT_EQ(tables[2]["name"], "sync_status");
  EXPECT_EQ(tables[2]["statusTable"], true);
  EXPECT_EQ(tables[2]["stream"], false);
  for (int i = 0; i < 20; ++i) {
    const json& table = tables[3 + i];
    char name[16];
    std::snprintf(name, sizeof(name), "t%02d", i);
    EXPECT_EQ(table["name"], name);
    EXPECT_EQ(table["statusTable"], false);
    EXPECT_EQ(table["stream"], i % 2 == 0) << name;
    if (i % 2 == 0) {
      EXPECT_EQ(table["expirationHours"], 24 + i) << name;
    }
  }
}

TEST_F(SourceTableRoutesTest, EnablesAndDisablesAStreamWithUpdateTable) {
  json enabled = Expect(200, Call("POST", "/api/datasources/src/tables/orders/stream",
                                  json{{"enable", true}, {"expirationHours", 24}}));
  EXPECT_EQ(enabled["stream"], true);
  EXPECT_EQ(enabled["expirationHours"], 24);
  EXPECT_EQ(enabled["changed"], true);
  Result<wire::TableDescription> described = client_->DescribeTable("orders");
  ASSERT_TRUE(described.ok());
  EXPECT_TRUE(described->stream.enabled);
  EXPECT_EQ(described->stream.expiration_hours, 24);
  EXPECT_EQ(enabled["streamId"], described->stream.stream_id);

  // Asking again for the same state changes nothing; another retention is refused.
  EXPECT_EQ(Expect(200, Call("POST", "/api/datasources/src/tables/orders/stream",
                             json{{"enable", true}, {"expirationHours", 24}}))["changed"],
            false);
  ApiResponse other = Call("POST", "/api/datasources/src/tables/orders/stream",
                           json{{"enable", true}, {"expirationHours", 72}});
  EXPECT_EQ(other.status, 400);
  EXPECT_NE(other.body.find("disable it first"), std::string::npos);

  json disabled = Expect(
      200, Call("POST", "/api/datasources/src/tables/orders/stream", json{{"enable", false}}));
  EXPECT_EQ(disabled["stream"], false);
  EXPECT_EQ(disabled["changed"], true);
  EXPECT_FALSE(client_->DescribeTable("orders")->stream.enabled);
}

TEST_F(SourceTableRoutesTest, RefusesBadRequestsAndOtherKindsOfSource) {
  EXPECT_EQ(Call("GET", "/api/datasources/nothing/tables").status, 404);
  EXPECT_EQ(
      Call("POST", "/api/datasources/src/tables/missing/stream", json{{"enable", true}}).status,
      404);
  for (const json& bad :
       {json::object(), json{{"enable", "yes"}}, json{{"enable", true}, {"expirationHours", 0}},
        json{{"enable", true}, {"expirationHours", 169}},
        json{{"enable", true}, {"retention", 24}}}) {
    EXPECT_EQ(Call("POST", "/api/datasources/src/tables/orders/stream", bad).status, 400)
        << bad.dump();
  }
  EXPECT_FALSE(client_->DescribeTable("orders")->stream.enabled);

  sync::DataSource warehouse = odps::OdpsDataSource("wh", "", {data_dir() + "/warehouse", "p"});
  ASSERT_TRUE(sync::DataSourceRegistry::Open(data_dir(), plugins_)->Add(warehouse).ok());
  ApiResponse odps = Call("GET", "/api/datasources/wh/tables");
  EXPECT_EQ(odps.status, 400);
  EXPECT_NE(odps.body.find("only a Table Store (ots) data source"), std::string::npos);
}

TEST_F(SourceTableRoutesTest, AFailureNamesItsStepAsTestConnectivityDoes) {
  AddOtsSource("bad_key", endpoint_, server::kDevelopmentInstance, "wrong-secret-123");
  AddOtsSource("bad_instance", endpoint_, "elsewhere", server::kDevelopmentSecret);
  // A port nothing listens on: the console's own test port of the fixture, closed.
  AddOtsSource("nobody", "http://127.0.0.1:1", server::kDevelopmentInstance,
               server::kDevelopmentSecret);
  for (const auto& [source, step] : std::vector<std::pair<std::string, std::string>>{
           {"bad_key", "authenticate"}, {"bad_instance", "instance"}, {"nobody", "connect"}}) {
    ApiResponse failed = Call("GET", "/api/datasources/" + source + "/tables");
    json error = Expect(502, failed)["error"];
    EXPECT_EQ(error["code"], "datasource_failed") << source;
    EXPECT_EQ(error["step"], step) << source << ": " << error.dump();
    EXPECT_EQ(failed.body.find("wrong-secret-123"), std::string::npos);
  }
}

}  // namespace
}  // namespace otsync::console
