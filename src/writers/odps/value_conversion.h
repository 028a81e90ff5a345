// Conversion of a record's fields to the warehouse column types, following DataX's Column.asXxx
// rules as odpswriter applies them (docs/datax-semantics.md §5.3):
//
// clang-format off
//   target              from INTEGER      DOUBLE                 BOOLEAN     STRING                        BINARY
//   STRING              decimal text      plain text ("1.5")     true/false  as is (UTF-8)                 UTF-8 text
//   BIGINT/INT/...      range-checked     truncated toward zero  1 / 0       number, truncated             error
//   DOUBLE/FLOAT        exact or nearest  as is                  1.0 / 0.0   number, NaN/Infinity          error
//   BOOLEAN             != 0              error                  as is       "true"/"false" (ci)           error
//   DATETIME/TIMESTAMP  epoch millis      error                  error       yyyy-MM-dd[ HH:mm:ss[.SSS]]   error
//   DATE                epoch millis      error                  error       yyyy-MM-dd[ ...]              error
//   DECIMAL(p,s)        exact             its plain text         error       number                        error
//   BINARY              error             error                  error       its bytes                     as is
// clang-format on
//
// NULL converts to NULL for every type; so does "" when emptyAsNull is set. Numbers in strings use
// Java BigDecimal's syntax ("-12", "1.5", "1e3"); integer targets truncate the fraction, DECIMAL
// rounds half up to its scale and refuses more than p-s integer digits. DATETIME and TIMESTAMP
// hold wall-clock time: strings are taken as written, epoch milliseconds as UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "sync/record.h"
#include "writers/odps/table_schema.h"

namespace otsync::odps {

// A field converted to one column's type, in the form the warehouse appends.
struct CellValue {
  enum class Kind {
    kNull,
    kInteger,          // integer: BIGINT, INT, SMALLINT, TINYINT.
    kDouble,           // number: DOUBLE, FLOAT.
    kBoolean,          // integer: 0 or 1.
    kText,             // text: STRING, and DECIMAL in its canonical text.
    kBlob,             // text: BINARY.
    kTimestampMicros,  // integer: DATETIME, TIMESTAMP, as microseconds since 1970-01-01 00:00.
    kDateDays,         // integer: DATE, as days since 1970-01-01.
  };
  Kind kind = Kind::kNull;
  int64_t integer = 0;
  double number = 0;
  // Points into the converted field or into `owned`; valid while both live and are unchanged.
  std::string_view text;
  std::string owned;
};

namespace internal {
// ConvertField for every field and column type.
Status ConvertFieldOfAnyType(const sync::Field& field, const ColumnType& type, bool empty_as_null,
                             CellValue* out);
// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF); ASCII is checked eight bytes at a time.
bool IsValidUtf8(std::string_view text);
}  // namespace internal

// Converts `field` to `type`. On failure `*out` is unspecified and the error says which value
// could not become which type and why: cannot convert STRING "abc" to BIGINT: not a number.
// The fields most rows carry (NULL, UTF-8 text for a STRING column, an INTEGER for a BIGINT one)
// are converted here, inline, in the writer's loop over a record's fields; the rest out of line.
inline Status ConvertField(const sync::Field& field, const ColumnType& type, bool empty_as_null,
                           CellValue* out) {
  switch (field.type()) {
    case wire::ValueType::kNull:
      out->kind = CellValue::Kind::kNull;
      return Status::OK();
    case wire::ValueType::kString:
      if (type.kind == ColumnKind::kString && !field.bytes().empty() &&
          internal::IsValidUtf8(field.bytes())) {
        out->kind = CellValue::Kind::kText;
        out->text = field.bytes();
        return Status::OK();
      }
      break;
    case wire::ValueType::kInteger:
      if (type.kind == ColumnKind::kBigint) {
        out->kind = CellValue::Kind::kInteger;
        out->integer = field.integer();
        return Status::OK();
      }
      break;
    default:
      break;
  }
  return internal::ConvertFieldOfAnyType(field, type, empty_as_null, out);
}

}  // namespace otsync::odps
