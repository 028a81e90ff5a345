#include "writers/odps/query_printer.h"

#include <gtest/gtest.h>

namespace otsync::odps {
namespace {

QueryResult Sample() {
  QueryResult result;
  result.column_names = {"id", "version", "ok", "note"};
  result.column_types = {"VARCHAR", "BIGINT", "BOOLEAN", "VARCHAR"};
  result.rows = {{"a", "1000", "true", "x, \"y\""}, {"bb", std::nullopt, "false", ""}};
  return result;
}

TEST(QueryPrinterTest, TableAlignsColumnsAndRightAlignsNumbers) {
  EXPECT_EQ(FormatQueryResult(Sample(), QueryOutputFormat::kTable),
            "id | version | ok    | note\n"
            "---+---------+-------+-------\n"
            "a  |    1000 | true  | x, \"y\"\n"
            "bb |    NULL | false | \n"
            "(2 rows)\n");
}

TEST(QueryPrinterTest, CsvQuotesWhatNeedsItAndLeavesNullEmpty) {
  EXPECT_EQ(FormatQueryResult(Sample(), QueryOutputFormat::kCsv),
            "id,version,ok,note\r\n"
            "a,1000,true,\"x, \"\"y\"\"\"\r\n"
            "bb,,false,\"\"\r\n");
}

TEST(QueryPrinterTest, JsonKeepsNumbersAndBooleansUnquoted) {
  EXPECT_EQ(FormatQueryResult(Sample(), QueryOutputFormat::kJson),
            "[\n"
            "  {\"id\": \"a\", \"version\": 1000, \"ok\": true, \"note\": \"x, \\\"y\\\"\"},\n"
            "  {\"id\": \"bb\", \"version\": null, \"ok\": false, \"note\": \"\"}\n"
            "]\n");
  QueryResult special;
  special.column_names = {"d"};
  special.column_types = {"DOUBLE"};
  special.rows = {{"inf"}, {"\n"}};
  EXPECT_EQ(FormatQueryResult(special, QueryOutputFormat::kJson),
            "[\n  {\"d\": \"inf\"},\n  {\"d\": \"\\n\"}\n]\n");
  EXPECT_EQ(FormatQueryResult(QueryResult{}, QueryOutputFormat::kJson), "[]\n");
}

TEST(QueryPrinterTest, ParsesFormatNames) {
  EXPECT_EQ(ParseQueryOutputFormat("CSV").value(), QueryOutputFormat::kCsv);
  EXPECT_FALSE(ParseQueryOutputFormat("xml").ok());
}

}  // namespace
}  // namespace otsync::odps
