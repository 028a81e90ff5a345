#include "writers/odps/legacy_import.h"

#include <duckdb.h>
#include <gtest/gtest.h>

#include "writers/odps/warehouse_test_support.h"

namespace otsync::odps {
namespace {

using testing::CountOf;
using testing::TemporaryWarehouse;

// A warehouse file as otsync wrote it before the warehouse became a folder.
constexpr char kLegacyFile[] = R"sql(
CREATE TABLE _otsync_columns (table_name VARCHAR, ordinal INTEGER, column_name VARCHAR,
  column_type VARCHAR, is_partition BOOLEAN);
CREATE TABLE _otsync_partitions (table_name VARCHAR, partition_spec VARCHAR, created_at TIMESTAMP);
CREATE TABLE _otsync_windows (table_name VARCHAR, partition_spec VARCHAR, source_table VARCHAR,
  stream_id VARCHAR, start_millis BIGINT, end_millis BIGINT, end_checkpoints BLOB,
  row_count BIGINT, truncate BOOLEAN, committed_at TIMESTAMP);
CREATE TABLE person (id VARCHAR, version BIGINT, pt VARCHAR);
INSERT INTO _otsync_columns VALUES ('person', 0, 'id', 'STRING', false),
  ('person', 1, 'version', 'BIGINT', false), ('person', 2, 'pt', 'STRING', true);
INSERT INTO person VALUES ('a', 1, '1'), ('b', 2, '1'), ('c', 3, '2');
INSERT INTO _otsync_partitions VALUES ('person', 'pt=1', now()::TIMESTAMP),
  ('person', 'pt=2', now()::TIMESTAMP);
INSERT INTO _otsync_windows VALUES
  ('person', 'pt=1', 'person', 's', 0, 10, '\x01\x02'::BLOB, 2, true, now()::TIMESTAMP),
  ('person', 'pt=2', 'person', 's', 10, 20, '\x03'::BLOB, 1, false, now()::TIMESTAMP);
)sql";

TEST(LegacyImportTest, BringsTablesPartitionsRowsAndWindowsIntoAWarehouseFolder) {
  TemporaryWarehouse folder;
  const std::string file = folder.path() + ".duckdb";
  {
    duckdb_database database = nullptr;
    duckdb_connection connection = nullptr;
    ASSERT_EQ(duckdb_open(file.c_str(), &database), DuckDBSuccess);
    ASSERT_EQ(duckdb_connect(database, &connection), DuckDBSuccess);
    duckdb_result result;
    ASSERT_EQ(duckdb_query(connection, kLegacyFile, &result), DuckDBSuccess)
        << duckdb_result_error(&result);
    duckdb_destroy_result(&result);
    duckdb_disconnect(&connection);
    duckdb_close(&database);
  }
  std::unique_ptr<Warehouse> warehouse = folder.Open();
  Result<ImportReport> imported = warehouse->ImportFile(file);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->tables, 1);
  EXPECT_EQ(imported->partitions, 2);
  EXPECT_EQ(imported->rows, 3);
  EXPECT_EQ(imported->windows, 2);
  EXPECT_EQ(warehouse->ListPartitions("person").value(),
            (std::vector<std::string>{"pt=1", "pt=2"}));
  EXPECT_EQ(CountOf(*warehouse, "SELECT count(*) FROM person WHERE pt = '1'"), 2);
  Result<std::optional<sync::CommittedWindow>> window =
      warehouse->FindCommittedWindow("person", "pt=1", {"person", "s", 0, 10});
  ASSERT_TRUE(window.ok() && window->has_value());
  EXPECT_EQ((*window)->end_checkpoints, "\x01\x02");
  EXPECT_TRUE(warehouse->Check()->ok()) << warehouse->Check()->problems[0];

  // A second import would duplicate the table: refused, nothing changed.
  Result<ImportReport> again = warehouse->ImportFile(file);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(CountOf(*warehouse, "SELECT count(*) FROM person"), 3);
  EXPECT_EQ(warehouse->ImportFile(folder.path() + "/none.duckdb").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace otsync::odps
