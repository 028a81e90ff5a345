#include "sync/lenient_json.h"

#include <gtest/gtest.h>

#include <string>

namespace otsync::sync {
namespace {

TEST(LenientJsonTest, AcceptsCommentsAndTrailingCommas) {
  Result<ConfigValue> value = ParseLenientJson(R"({
    "url": "http://example.com/a//b", // a line comment
    /* a block
       comment */ "list": [1, 2.5, "x",],
    "flag": true,
  })");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  ASSERT_EQ(value->members.size(), 3u);
  EXPECT_EQ(value->members[0].key, "url");
  EXPECT_EQ(value->members[0].value.string_value, "http://example.com/a//b");
  const ConfigValue& list = value->members[1].value;
  ASSERT_EQ(list.items.size(), 3u);
  EXPECT_EQ(list.items[0].kind, ConfigValue::Kind::kInteger);
  EXPECT_EQ(list.items[0].integer_value, 1);
  EXPECT_EQ(list.items[1].kind, ConfigValue::Kind::kDouble);
  EXPECT_EQ(list.items[2].string_value, "x");
  EXPECT_TRUE(value->members[2].value.bool_value);
}

TEST(LenientJsonTest, KeepsCommentMarkersAndEscapesInsideStrings) {
  Result<ConfigValue> value = ParseLenientJson(R"({"a": "/* not a comment */ \" // still"})");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(value->members[0].value.string_value, "/* not a comment */ \" // still");
}

TEST(LenientJsonTest, KeepsKeysAsWrittenAndDuplicatesInOrder) {
  Result<ConfigValue> value = ParseLenientJson(R"({"Setting ": {}, "a": 1, "a": 2})");
  ASSERT_TRUE(value.ok());
  ASSERT_EQ(value->members.size(), 3u);
  EXPECT_EQ(value->members[0].key, "Setting ");
  EXPECT_EQ(value->members[2].value.integer_value, 2);
}

TEST(LenientJsonTest, HugeUnsignedBecomesDouble) {
  Result<ConfigValue> value = ParseLenientJson("[18446744073709551615]");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->items[0].kind, ConfigValue::Kind::kDouble);
}

struct BrokenJson {
  const char* text;
  const char* message;
};

TEST(LenientJsonTest, ErrorsGiveLineAndColumn) {
  const BrokenJson cases[] = {
      {"{\n  \"a\": 1\n  \"b\": 2\n}",
       "line 3, column 3: syntax error while parsing object - unexpected string literal; "
       "expected '}'"},
      {"{\"a\": [1,,2]}",
       "line 1, column 10: syntax error while parsing value - unexpected ','; "
       "expected '[', '{', or a literal"},
      {"{,}",
       "line 1, column 2: syntax error while parsing object key - unexpected ','; "
       "expected string literal"},
      {"{\"a\": 1 /* open", "line 1, column 9: unterminated /* comment"},
      {"{\"accessKey\": secret}",
       "line 1, column 15: syntax error while parsing value - invalid literal"},
      {"{\"a\": 1",
       "line 1, column 8: syntax error while parsing object - unexpected end of "
       "input; expected '}'"},
      {"",
       "line 1, column 1: syntax error while parsing value - unexpected end of input; "
       "expected '[', '{', or a literal"},
  };
  for (const BrokenJson& broken : cases) {
    Result<ConfigValue> value = ParseLenientJson(broken.text);
    ASSERT_FALSE(value.ok()) << broken.text;
    EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(value.status().message(), broken.message) << broken.text;
  }
}

// Found by the lenient_json fuzzer: a string holding "'; expected " and then a character JSON
// does not allow put the rest of the string, a secret, into the message.
TEST(LenientJsonTest, ErrorsNeverQuoteTheInput) {
  const std::string secret = "LTAI5tQ9xS3cretK3yValue";
  for (const std::string& text :
       {"{\"accessKey\": \"x'; expected " + secret + "\x01\"}",
        "{\"accessKey\": \"" + secret + "\x01\"}", "{\"accessKey\": " + secret + "}",
        "{\"accessKey\": \"" + secret + "\\q\"}", "[\"'; expected '}'" + secret + "\x1f]"}) {
    Result<ConfigValue> value = ParseLenientJson(text);
    ASSERT_FALSE(value.ok()) << text;
    EXPECT_EQ(value.status().message().find("LTAI"), std::string::npos) << value.status().message();
    EXPECT_EQ(value.status().message().find("; expected " + secret), std::string::npos);
  }
  Result<ConfigValue> leak_case = ParseLenientJson("{\"k\": \"x'; expected " + secret + "\x01\"}");
  EXPECT_EQ(leak_case.status().message(),
            "line 1, column 44: syntax error while parsing value - invalid string: control "
            "character U+0001 (SOH) must be escaped to \\u0001");
}

// Found by the lenient_json fuzzer: a number too large for a double was quoted in the error,
// after nlohmann's "[json.exception.out_of_range.406]".
TEST(LenientJsonTest, NumberOutOfRangeIsNotQuoted) {
  Result<ConfigValue> value = ParseLenientJson("{\n  \"accessKey\": -9876543210987654321e999}");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(value.status().message(), "line 2, column 39: number out of range");
}

TEST(LenientJsonTest, RejectsDeepNesting) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  Result<ConfigValue> value = ParseLenientJson(deep);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().message(), "the document nests deeper than 64 levels");
}

}  // namespace
}  // namespace otsync::sync
