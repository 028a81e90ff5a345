#include "writers/odps/table_schema.h"

#include <gtest/gtest.h>

namespace otsync::odps {
namespace {

TEST(TableSchemaTest, ParsesTheSeedTableWithItsPartition) {
  Result<TableSchema> schema = ParseTableSpec(
      "Person(id STRING, colname string, version BIGINT, colvalue STRING, optype STRING, "
      "sequenceinfo STRING) PARTITIONED BY (pt STRING)");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_EQ(schema->name, "person");
  ASSERT_EQ(schema->columns.size(), 6u);
  EXPECT_EQ(schema->columns[2].name, "version");
  EXPECT_EQ(schema->columns[2].type.kind, ColumnKind::kBigint);
  ASSERT_EQ(schema->partition_columns.size(), 1u);
  EXPECT_EQ(schema->partition_columns[0].name, "pt");
  EXPECT_EQ(schema->FindColumn("COLVALUE"), 3u);
  EXPECT_FALSE(schema->FindColumn("pt").has_value());
}

TEST(TableSchemaTest, SpecRoundTripsWithEveryType) {
  std::string spec =
      "t(a STRING, b BIGINT, c INT, d SMALLINT, e TINYINT, f DOUBLE, g FLOAT, h BOOLEAN, "
      "i DATETIME, j TIMESTAMP, k DATE, l DECIMAL(10,2), m BINARY) PARTITIONED BY (pt STRING, "
      "region STRING)";
  Result<TableSchema> schema = ParseTableSpec(spec);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_EQ(schema->ToSpec(), spec);
  EXPECT_EQ(schema->columns[11].type, (ColumnType{ColumnKind::kDecimal, 10, 2}));
  EXPECT_EQ(DuckDbTypeName(schema->columns[8].type), "TIMESTAMP");
  EXPECT_EQ(DuckDbTypeName(schema->columns[12].type), "BLOB");
}

TEST(TableSchemaTest, DecimalDefaultsToMaxComputePrecision) {
  Result<ColumnType> type = ParseColumnType("decimal");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(ColumnTypeName(*type), "DECIMAL(38,18)");
  EXPECT_FALSE(ParseColumnType("DECIMAL(5,6)").ok());
  EXPECT_FALSE(ParseColumnType("DECIMAL(39,2)").ok());
}

TEST(TableSchemaTest, RejectsBadSpecsNamingTheProblem) {
  struct Case {
    const char* spec;
    const char* message_part;
  };
  for (const Case& c : {
           Case{"t(a STRING, a BIGINT)", "\"a\" is declared twice"},
           Case{"t(a STRING) PARTITIONED BY (a STRING)", "\"a\" is declared twice"},
           Case{"t(a VARCHARX)", "unknown column type \"VARCHARX\""},
           Case{"t(a)", "expected \"name TYPE\""},
           Case{"1t(a STRING)", "table name \"1t\" is not valid"},
           Case{"_otsync_windows(a STRING)", "is not valid"},
           Case{"t(a STRING) CLUSTERED BY (a)", "expected PARTITIONED BY"},
           Case{"t", "expected \"name(col TYPE"},
       }) {
    Result<TableSchema> schema = ParseTableSpec(c.spec);
    ASSERT_FALSE(schema.ok()) << c.spec;
    EXPECT_NE(schema.status().message().find(c.message_part), std::string::npos)
        << c.spec << " -> " << schema.status().message();
  }
}

}  // namespace
}  // namespace otsync::odps
