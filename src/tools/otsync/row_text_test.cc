#include "tools/otsync/row_text.h"

#include <gtest/gtest.h>

namespace otsync::tools {
namespace {

using wire::PrimaryKeySchemaColumn;
using wire::PrimaryKeyType;
using wire::Value;

const std::vector<PrimaryKeySchemaColumn> kSchema = {{"id", PrimaryKeyType::kString, false},
                                                     {"seq", PrimaryKeyType::kInteger, false}};

TEST(RowJsonTest, ParsesEveryValueShape) {
  Result<TextRow> row = ParseRowJson(
      R"({"pk":{"seq":3,"id":"a"},"columns":{"name":"x","age":3,"score":1.5,"ok":true,)"
      R"("photo":{"binary":"AAE="},"ratio":{"double":2},"gone":null}})",
      /*allow_delete=*/true);
  ASSERT_TRUE(row.ok()) << row.status().message();
  ASSERT_EQ(row->primary_key.size(), 2u);
  EXPECT_EQ(row->primary_key[0].name, "seq");  // As written; ArrangePrimaryKey orders.
  ASSERT_EQ(row->columns.size(), 7u);
  EXPECT_EQ(row->columns[0].value, Value::String("x"));
  EXPECT_EQ(row->columns[1].value, Value::Integer(3));
  EXPECT_EQ(row->columns[2].value, Value::Double(1.5));
  EXPECT_EQ(row->columns[3].value, Value::Boolean(true));
  EXPECT_EQ(row->columns[4].value, Value::Binary(std::string("\x00\x01", 2)));
  EXPECT_EQ(row->columns[5].value, Value::Double(2));
  EXPECT_FALSE(row->columns[6].value.has_value());
  EXPECT_EQ(row->columns[6].operation, wire::CellOperation::kDeleteAllVersions);

  Result<wire::PrimaryKey> key =
      ArrangePrimaryKey(row->primary_key, kSchema, MissingKeyColumns::kRefuse);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ((*key)[0].name, "id");
  EXPECT_EQ((*key)[1].value, Value::Integer(3));
}

TEST(RowJsonTest, BadInputNamesWhere) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{R"({"pk":{"id":"a"},"columns":{"age":}})", "line 1, column 35: syntax error"},
           Case{R"({"pk":{"id":"a"},"columns":{"age":[1]}})", "columns.age: expected a string"},
           Case{R"({"pk":{"id":"a"},"columns":{"gone":null}})",
                "columns.gone: null deletes a column, which only `update` does"},
           Case{R"({"pk":{"id":"a"},"columns":{"p":{"binary":"%%"}}})",
                "columns.p.binary: not valid base64"},
           Case{R"({"pk":{"id":"a"},"columns":{"p":{"date":"x"}}})",
                "columns.p: unknown type 'date'"},
           Case{R"({"pk":{"id":"a"},"cols":{}})", "unknown member 'cols'"},
           Case{R"({"columns":{"a":1}})", "the row has no \"pk\""},
           Case{R"({"pk":{"id":"a","id":"b"}})", "pk: column 'id' appears twice"},
       }) {
    Result<TextRow> row = ParseRowJson(c.text, /*allow_delete=*/false);
    ASSERT_FALSE(row.ok()) << c.text;
    EXPECT_EQ(row.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(row.status().message().find(c.message), std::string::npos)
        << c.text << " -> " << row.status().message();
  }
}

TEST(RowJsonTest, ArrangePrimaryKeyChecksColumnsAndTypes) {
  auto arrange = [](const char* text, MissingKeyColumns missing) {
    Result<wire::PrimaryKey> given = ParsePrimaryKeyJson(text);
    EXPECT_TRUE(given.ok()) << given.status().message();
    return ArrangePrimaryKey(*given, kSchema, missing);
  };
  Result<wire::PrimaryKey> wrong_type =
      arrange(R"({"id":"a","seq":"3"})", MissingKeyColumns::kRefuse);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.status().message(),
            "pk.seq: expected INTEGER, got STRING (the table's primary key is id STRING, seq "
            "INTEGER)");
  Result<wire::PrimaryKey> missing = arrange(R"({"id":"a"})", MissingKeyColumns::kRefuse);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("pk: column 'seq' is missing"), std::string::npos);
  Result<wire::PrimaryKey> unknown = arrange(R"({"id":"a","x":1})", MissingKeyColumns::kRefuse);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("pk.x: not a primary key column"), std::string::npos);
  Result<wire::PrimaryKey> start = arrange(R"({"id":"a"})", MissingKeyColumns::kFillInfMin);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ((*start)[1].value, Value::InfMin());
  Result<wire::PrimaryKey> end = arrange("{}", MissingKeyColumns::kFillInfMax);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ((*end)[0].value, Value::InfMax());
}

TEST(JsonLinesTest, ParsesRowsWithTheirLines) {
  Result<std::vector<TextRow>> rows = ParseJsonLines(
      "{\"pk\":{\"id\":\"a\"},\"columns\":{\"n\":1}}\n\n  \r\n"
      "{\"pk\":{\"id\":\"b\"}}\n");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[1].line, 4);
}

TEST(JsonLinesTest, ABadLineFailsTheWholeFileNamingLineAndColumn) {
  Result<std::vector<TextRow>> syntax =
      ParseJsonLines("{\"pk\":{\"id\":\"a\"}}\n{\"pk\":{\"id\":\"b\"},}x\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().message().rfind("line 2, column ", 0), 0u) << syntax.status().message();

  Result<std::vector<TextRow>> value = ParseJsonLines(
      "{\"pk\":{\"id\":\"a\"}}\n\n{\"pk\":{\"id\":\"b\"},\"columns\":{\"x\":null}}\n");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().message(),
            "line 3: columns.x: null deletes a column, which only `update` does");
}

TEST(CsvTest, ParsesHeaderTypesQuotesAndEmptyFields) {
  Result<std::vector<TextRow>> rows = ParseCsvRows(
      "name,seq,id,age:integer,score:double,ok:boolean,photo:binary\r\n"
      "\"Smith, \"\"J\"\"\",1,a,30,1.5,true,AAE=\r\n"
      "\"two\nlines\",2,b,,,,\n",
      kSchema);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  const TextRow& first = (*rows)[0];
  EXPECT_EQ(first.line, 2);
  ASSERT_EQ(first.primary_key.size(), 2u);
  EXPECT_EQ(first.primary_key[0].name, "seq");
  EXPECT_EQ(first.primary_key[0].value, Value::Integer(1));
  ASSERT_EQ(first.columns.size(), 5u);
  EXPECT_EQ(first.columns[0].value, Value::String("Smith, \"J\""));
  EXPECT_EQ(first.columns[1].value, Value::Integer(30));
  EXPECT_EQ(first.columns[2].value, Value::Double(1.5));
  EXPECT_EQ(first.columns[3].value, Value::Boolean(true));
  EXPECT_EQ(first.columns[4].value, Value::Binary(std::string("\x00\x01", 2)));
  const TextRow& second = (*rows)[1];
  EXPECT_EQ(second.line, 3);
  ASSERT_EQ(second.columns.size(), 1u);  // Empty attribute fields are left out.
  EXPECT_EQ(second.columns[0].value, Value::String("two\nlines"));
}

TEST(CsvTest, BadInputNamesLineAndColumn) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"id,seq,age:integer\na,1,30\nb,2,thirty\n",
                "line 3, column 3 (age): 'thirty' is not an integer"},
           Case{"id,seq\na,x\n", "line 2, column 2 (seq): 'x' is not an integer"},
           Case{"id,seq\na,1,2\n", "line 2: 3 fields, but the header names 2 columns"},
           Case{"id\na\n", "line 1: the header lacks primary key column 'seq'"},
           Case{"id,seq,n:date\n", "line 1, column 3: n: unknown type 'date'"},
           Case{"id,seq,seq\n", "line 1, column 3: column 'seq' appears twice"},
           Case{"id,seq:string\n", "line 1, column 2: primary key column 'seq' is INTEGER"},
           Case{"id,seq\na,1\n\"b,2\n", "line 3, column 1: the quoted field never ends"},
           Case{"id,seq\n\"a\"x,1\n", "line 2, column 1: text after the closing quote"},
           Case{"id,seq\na\"b,1\n", "line 2, column 1: a \" inside an unquoted field"},
           Case{"id,seq\na,\n", "line 2, column 2 (seq): a primary key value is empty"},
           Case{"id,seq,ok:boolean\na,1,yes\n",
                "line 2, column 3 (ok): 'yes' is not true or false"},
           Case{"", "line 1: the file is empty"},
       }) {
    Result<std::vector<TextRow>> rows = ParseCsvRows(c.text, kSchema);
    ASSERT_FALSE(rows.ok()) << c.text;
    EXPECT_EQ(rows.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(rows.status().message().find(c.message), std::string::npos)
        << c.text << " -> " << rows.status().message();
  }
}

TEST(PrimaryKeySpecTest, ParsesAndRefuses) {
  Result<std::vector<PrimaryKeySchemaColumn>> schema =
      ParsePrimaryKeySpec("id:string,seq:integer:auto,b:binary");
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(DescribePrimaryKeySchema(*schema), "id STRING, seq INTEGER AUTO_INCREMENT, b BINARY");
  EXPECT_FALSE(ParsePrimaryKeySpec("id").ok());
  EXPECT_FALSE(ParsePrimaryKeySpec("id:text").ok());
  EXPECT_FALSE(ParsePrimaryKeySpec("a:string,b:string,c:string,d:string,e:string").ok());
  EXPECT_FALSE(ParsePrimaryKeySpec("").ok());
}

TEST(RowToJsonTest, RoundTripsThroughParseRowJson) {
  wire::Row row;
  row.primary_key = {{"id", Value::String("a")}, {"seq", Value::Integer(3)}};
  row.cells.push_back({"name", Value::String("x"), 1, wire::CellOperation::kPut});
  row.cells.push_back({"name", Value::String("older"), 0, wire::CellOperation::kPut});
  row.cells.push_back({"score", Value::Double(2), 1, wire::CellOperation::kPut});
  row.cells.push_back({"photo", Value::Binary("\x01"), 1, wire::CellOperation::kPut});
  std::string text = RowToJson(row);
  EXPECT_EQ(
      text,
      R"({"pk":{"id":"a","seq":3},"columns":{"name":"x","score":2.0,"photo":{"binary":"AQ=="}}})");
  Result<TextRow> back = ParseRowJson(text, false);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->columns[1].value, Value::Double(2));
  EXPECT_EQ(back->columns[2].value, Value::Binary("\x01"));
}

}  // namespace
}  // namespace otsync::tools
