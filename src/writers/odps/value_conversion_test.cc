#include "writers/odps/value_conversion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

namespace otsync::odps {
namespace {

using sync::Field;

ColumnType Type(const char* name) { return ParseColumnType(name).value(); }

// A conversion: ConvertField (its inline cases, else the general one), or the general one alone.
using Conversion = Status (*)(const Field&, const ColumnType&, bool, CellValue*);

// The converted value as "kind:value", or "error: <message>".
std::string Convert(const Field& field, const char* type, bool empty_as_null = false,
                    Conversion convert = ConvertField) {
  CellValue cell;
  Status status = convert(field, Type(type), empty_as_null, &cell);
  if (!status.ok()) return "error: " + status.message();
  std::ostringstream out;
  switch (cell.kind) {
    case CellValue::Kind::kNull:
      return "NULL";
    case CellValue::Kind::kInteger:
      out << "int:" << cell.integer;
      break;
    case CellValue::Kind::kDouble:
      out << "double:" << cell.number;
      break;
    case CellValue::Kind::kBoolean:
      out << "bool:" << (cell.integer ? "true" : "false");
      break;
    case CellValue::Kind::kText:
      out << "text:" << cell.text;
      break;
    case CellValue::Kind::kBlob:
      out << "blob:" << cell.text;
      break;
    case CellValue::Kind::kTimestampMicros:
      out << "micros:" << cell.integer;
      break;
    case CellValue::Kind::kDateDays:
      out << "days:" << cell.integer;
      break;
  }
  return out.str();
}

// Every source type against every target type (docs/datax-semantics.md §5.3 and DataX's
// Column.asXxx).
TEST(ValueConversionTest, Matrix) {
  struct Case {
    Field field;
    const char* type;
    std::string expected;
  };
  const Field kNull = Field::Null();
  const Field kInt = Field::Integer(42);
  const Field kDouble = Field::Double(1.5);
  const Field kTrue = Field::Boolean(true);
  const Field kText = Field::String("12");
  const Field kBytes = Field::Binary("ab");
  const std::vector<Case> cases = {
      // STRING
      {kNull, "STRING", "NULL"},
      {kInt, "STRING", "text:42"},
      {kDouble, "STRING", "text:1.5"},
      {kTrue, "STRING", "text:true"},
      {kText, "STRING", "text:12"},
      {kBytes, "STRING", "text:ab"},
      // BIGINT
      {kNull, "BIGINT", "NULL"},
      {kInt, "BIGINT", "int:42"},
      {kDouble, "BIGINT", "int:1"},
      {kTrue, "BIGINT", "int:1"},
      {kText, "BIGINT", "int:12"},
      {kBytes, "BIGINT", "error: cannot convert BINARY b\"\\x61\\x62\" to BIGINT"},
      // INT family narrows with a range check
      {Field::Integer(40000), "SMALLINT",
       "error: cannot convert INTEGER 40000 to SMALLINT: out of range"},
      {Field::Integer(-128), "TINYINT", "int:-128"},
      {Field::Integer(1LL << 31), "INT",
       "error: cannot convert INTEGER 2147483648 to INT: out of range"},
      // DOUBLE
      {kNull, "DOUBLE", "NULL"},
      {kInt, "DOUBLE", "double:42"},
      {kDouble, "DOUBLE", "double:1.5"},
      {kTrue, "DOUBLE", "double:1"},
      {kText, "DOUBLE", "double:12"},
      {kBytes, "DOUBLE", "error: cannot convert BINARY b\"\\x61\\x62\" to DOUBLE"},
      // BOOLEAN
      {kNull, "BOOLEAN", "NULL"},
      {kInt, "BOOLEAN", "bool:true"},
      {Field::Integer(0), "BOOLEAN", "bool:false"},
      {kDouble, "BOOLEAN", "error: cannot convert DOUBLE 1.5 to BOOLEAN"},
      {kTrue, "BOOLEAN", "bool:true"},
      {Field::String("FALSE"), "BOOLEAN", "bool:false"},
      {kText, "BOOLEAN", "error: cannot convert STRING \"12\" to BOOLEAN: expected true or false"},
      {kBytes, "BOOLEAN", "error: cannot convert BINARY b\"\\x61\\x62\" to BOOLEAN"},
      // DATETIME: epoch milliseconds as UTC, strings as written
      {kNull, "DATETIME", "NULL"},
      {Field::Integer(1508400000123), "DATETIME", "micros:1508400000123000"},
      {kDouble, "DATETIME", "error: cannot convert DOUBLE 1.5 to DATETIME"},
      {kTrue, "DATETIME", "error: cannot convert BOOLEAN true to DATETIME"},
      {Field::String("2017-10-19 08:00:00"), "DATETIME", "micros:1508400000000000"},
      {Field::String("2017-10-19 08:00:00.5"), "TIMESTAMP", "micros:1508400000500000"},
      {Field::String("2017-10-19"), "DATETIME", "micros:1508371200000000"},
      {kText, "DATETIME",
       "error: cannot convert STRING \"12\" to DATETIME: expected yyyy-MM-dd, yyyy-MM-dd "
       "HH:mm:ss or epoch milliseconds"},
      {Field::String("2017-02-29"), "DATETIME",
       "error: cannot convert STRING \"2017-02-29\" to "
       "DATETIME: expected yyyy-MM-dd, yyyy-MM-dd "
       "HH:mm:ss or epoch milliseconds"},
      {kBytes, "DATETIME", "error: cannot convert BINARY b\"\\x61\\x62\" to DATETIME"},
      // DATE
      {Field::String("1969-12-31"), "DATE", "days:-1"},
      {Field::Integer(-1), "DATE", "days:-1"},
      // DECIMAL(10,2): rounds half up, at most 8 integer digits
      {kNull, "DECIMAL(10,2)", "NULL"},
      {kInt, "DECIMAL(10,2)", "text:42.00"},
      {kDouble, "DECIMAL(10,2)", "text:1.50"},
      {kTrue, "DECIMAL(10,2)", "error: cannot convert BOOLEAN true to DECIMAL(10,2)"},
      {Field::String("-0.125"), "DECIMAL(10,2)", "text:-0.13"},
      {Field::String("99999999.995"), "DECIMAL(10,2)",
       "error: cannot convert STRING \"99999999.995\" to DECIMAL(10,2): more than 8 integer "
       "digits"},
      {Field::String("1e3"), "DECIMAL(10,2)", "text:1000.00"},
      {kBytes, "DECIMAL(10,2)", "error: cannot convert BINARY b\"\\x61\\x62\" to DECIMAL(10,2)"},
      // BINARY
      {kNull, "BINARY", "NULL"},
      {kInt, "BINARY", "error: cannot convert INTEGER 42 to BINARY"},
      {kDouble, "BINARY", "error: cannot convert DOUBLE 1.5 to BINARY"},
      {kTrue, "BINARY", "error: cannot convert BOOLEAN true to BINARY"},
      {kText, "BINARY", "blob:12"},
      {kBytes, "BINARY", "blob:ab"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Convert(c.field, c.type), c.expected) << c.field.DebugString() << " -> " << c.type;
  }
}

// ConvertField takes NULLs, UTF-8 text for STRING and INTEGERs for BIGINT inline: for those, and
// for the fields next to them that it hands on, it gives what the general conversion gives.
TEST(ValueConversionTest, TheInlineCasesConvertAsTheGeneralOne) {
  const std::string ascii_controls("a\0b\tc\x7f", 6);
  const std::vector<Field> fields = {
      Field::Null(),
      Field::String(""),
      Field::String("U"),
      Field::String("twelve bytes"),
      Field::String("a text longer than sixteen bytes, in ASCII"),
      Field::String(ascii_controls),
      Field::String("caf\xc3\xa9"),   // UTF-8, not ASCII: the general path.
      Field::String("12345678\xff"),  // Not UTF-8 after a whole ASCII word.
      Field::String("-42"),
      Field::Integer(0),
      Field::Integer(std::numeric_limits<int64_t>::min()),
      Field::Integer(std::numeric_limits<int64_t>::max()),
      Field::Double(1.5),
      Field::Boolean(true),
      Field::Binary("bytes"),
  };
  for (const char* type : {"STRING", "BIGINT", "INT", "DOUBLE", "BOOLEAN", "BINARY"}) {
    for (bool empty_as_null : {false, true}) {
      for (const Field& field : fields) {
        EXPECT_EQ(Convert(field, type, empty_as_null),
                  Convert(field, type, empty_as_null, internal::ConvertFieldOfAnyType))
            << field.DebugString() << " to " << type << (empty_as_null ? " (emptyAsNull)" : "");
      }
    }
  }
}

TEST(ValueConversionTest, StringsToIntegersFollowBigDecimal) {
  EXPECT_EQ(Convert(Field::String("-12.9"), "BIGINT"), "int:-12");
  EXPECT_EQ(Convert(Field::String("1e3"), "BIGINT"), "int:1000");
  EXPECT_EQ(Convert(Field::String("+7"), "BIGINT"), "int:7");
  EXPECT_EQ(Convert(Field::String("9223372036854775807"), "BIGINT"), "int:9223372036854775807");
  EXPECT_EQ(Convert(Field::String("-9223372036854775808"), "BIGINT"), "int:-9223372036854775808");
  EXPECT_EQ(Convert(Field::String("9223372036854775808"), "BIGINT"),
            "error: cannot convert STRING \"9223372036854775808\" to BIGINT: out of range");
  EXPECT_EQ(Convert(Field::String("abc"), "BIGINT"),
            "error: cannot convert STRING \"abc\" to BIGINT: not a number");
  EXPECT_EQ(Convert(Field::String(" 1"), "BIGINT"),
            "error: cannot convert STRING \" 1\" to BIGINT: not a number");
  EXPECT_EQ(Convert(Field::String(""), "BIGINT"),
            "error: cannot convert STRING \"\" to BIGINT: not a number");
  EXPECT_EQ(Convert(Field::Double(std::nan("")), "BIGINT"),
            "error: cannot convert DOUBLE nan to BIGINT: not a finite number");
  EXPECT_EQ(Convert(Field::Double(1e19), "BIGINT"),
            "error: cannot convert DOUBLE 1e+19 to BIGINT: out of range");
}

TEST(ValueConversionTest, DoublesBecomeJavaPlainText) {
  EXPECT_EQ(Convert(Field::Double(1.0), "STRING"), "text:1.0");
  EXPECT_EQ(Convert(Field::Double(-0.1), "STRING"), "text:-0.1");
  EXPECT_EQ(Convert(Field::Double(1e20), "STRING"), "text:100000000000000000000");
  EXPECT_EQ(Convert(Field::Double(1e-5), "STRING"), "text:0.000010");
  EXPECT_EQ(Convert(Field::Double(123456.75), "STRING"), "text:123456.75");
  // Where Java switches to scientific notation (1.0E7, 2.5E-4), the plain text is still plain.
  EXPECT_EQ(Convert(Field::Double(1e7), "STRING"), "text:10000000");
  EXPECT_EQ(Convert(Field::Double(9999999.5), "STRING"), "text:9999999.5");
  EXPECT_EQ(Convert(Field::Double(0.001), "STRING"), "text:0.001");
  EXPECT_EQ(Convert(Field::Double(-2.5e-4), "STRING"), "text:-0.00025");
  EXPECT_EQ(Convert(Field::Double(-0.0), "STRING"), "text:0.0");  // BigDecimal has no -0.
  EXPECT_EQ(Convert(Field::Double(INFINITY), "STRING"), "text:Infinity");
  EXPECT_EQ(Convert(Field::Double(-INFINITY), "STRING"), "text:-Infinity");
  EXPECT_EQ(Convert(Field::String("NaN"), "DOUBLE"), "double:nan");
  EXPECT_EQ(Convert(Field::String("-Infinity"), "DOUBLE"), "double:-inf");
}

TEST(ValueConversionTest, EmptyAsNullTurnsOnlyEmptyStringsIntoNull) {
  EXPECT_EQ(Convert(Field::String(""), "STRING", /*empty_as_null=*/true), "NULL");
  EXPECT_EQ(Convert(Field::String(""), "STRING", /*empty_as_null=*/false), "text:");
  EXPECT_EQ(Convert(Field::String(""), "BIGINT", /*empty_as_null=*/true), "NULL");
  EXPECT_EQ(Convert(Field::Binary(""), "BINARY", /*empty_as_null=*/true), "blob:");
  EXPECT_EQ(Convert(Field::String(" "), "STRING", /*empty_as_null=*/true), "text: ");
}

TEST(ValueConversionTest, TextMustBeUtf8AndLongValuesAreCutInMessages) {
  EXPECT_EQ(Convert(Field::String("h\xc3\xa9"), "STRING"), "text:h\xc3\xa9");
  std::string bad = Convert(Field::Binary("\xff\xfe"), "STRING");
  EXPECT_EQ(bad, "error: cannot convert BINARY b\"\\xff\\xfe\" to STRING: not valid UTF-8");
  // What Unicode refuses, alone and after 70 ASCII bytes.
  const std::string ascii(70, 'a');
  for (const std::string invalid : {"\xc0\xaf",          // "/" in an overlong form
                                    "\xed\xa0\x80",      // the surrogate U+D800
                                    "\xf4\x90\x80\x80",  // U+110000, beyond Unicode
                                    "\xe2\x82",          // a sequence cut short
                                    "\x80"}) {           // a continuation byte alone
    EXPECT_NE(Convert(Field::String(invalid), "STRING").find("not valid UTF-8"), std::string::npos);
    EXPECT_NE(Convert(Field::String(ascii + invalid + "z"), "STRING").find("not valid UTF-8"),
              std::string::npos);
  }
  const std::string valid =
      ascii + "\xe2\x82\xac \xf0\x9d\x84\x9e \xf4\x8f\xbf\xbf";  // € 𝄞 U+10FFFF
  EXPECT_EQ(Convert(Field::String(valid), "STRING"), "text:" + valid);
  // The validator takes ASCII eight bytes at a time: a sequence at any offset of a word, and
  // after every whole or partial word, is still checked.
  for (size_t offset = 0; offset < 18; ++offset) {
    const std::string before(offset, 'a');
    for (const std::string sequence : {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e"}) {
      const std::string good = before + sequence + std::string(9, 'b');
      EXPECT_EQ(Convert(Field::String(good), "STRING"), "text:" + good) << offset;
      // The same sequence cut short, at the end of the text and before more ASCII.
      const std::string cut = before + sequence.substr(0, sequence.size() - 1);
      EXPECT_NE(Convert(Field::String(cut), "STRING").find("not valid UTF-8"), std::string::npos)
          << offset;
      EXPECT_NE(Convert(Field::String(cut + std::string(9, 'b')), "STRING").find("not valid UTF-8"),
                std::string::npos)
          << offset;
    }
    EXPECT_NE(Convert(Field::String(before + "\x80" + std::string(16, 'c')), "STRING")
                  .find("not valid UTF-8"),
              std::string::npos)
        << offset;
  }
  std::string long_error = Convert(Field::String(std::string(1000, 'x')), "BIGINT");
  EXPECT_LT(long_error.size(), 200u);
  EXPECT_NE(long_error.find("... to BIGINT: not a number"), std::string::npos) << long_error;
}

}  // namespace
}  // namespace otsync::odps
