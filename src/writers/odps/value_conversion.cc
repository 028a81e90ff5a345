#include "writers/odps/value_conversion.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace otsync::odps {
namespace {

using Kind = CellValue::Kind;
using wire::ValueType;

constexpr size_t kMaxQuotedValue = 64;

std::string QuoteForError(const sync::Field& field) {
  std::string text = field.DebugString();
  if (text.size() > kMaxQuotedValue) {
    text.resize(kMaxQuotedValue);
    text += "...";
  }
  return text;
}

Status Fail(const sync::Field& field, const ColumnType& type, std::string_view why = {}) {
  std::string message = "cannot convert " + std::string(wire::ValueTypeName(field.type())) + " " +
                        QuoteForError(field) + " to " + ColumnTypeName(type);
  if (!why.empty()) message += ": " + std::string(why);
  return Status::InvalidArgument(std::move(message));
}

// A number in Java BigDecimal syntax, as digits x 10^exponent.
struct DecimalNumber {
  bool negative = false;
  std::string digits;  // No leading zeros; empty for zero.
  int64_t exponent = 0;
};

bool ParseDecimalNumber(std::string_view text, DecimalNumber* number) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    number->negative = text[i] == '-';
    ++i;
  }
  std::string digits;
  size_t digit_count = 0;
  int64_t fraction_digits = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      if (!(digits.empty() && c == '0')) digits.push_back(c);
      ++digit_count;
      if (seen_point) ++fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digit_count == 0) return false;
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exponent_negative = text[i] == '-';
      ++i;
    }
    if (i == text.size()) return false;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      if (exponent < 1'000'000'000) exponent = exponent * 10 + (text[i] - '0');
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (i != text.size()) return false;
  // Leading zeros were dropped from `digits`, but those after the point still count for scale.
  number->digits = std::move(digits);
  number->exponent = exponent - fraction_digits;
  if (number->digits.empty()) number->negative = false;
  return true;
}

// Truncates toward zero; false on overflow of int64.
bool DecimalToInt64(const DecimalNumber& number, int64_t* out) {
  std::string_view digits = number.digits;
  int64_t exponent = number.exponent;
  if (exponent < 0) {
    if (static_cast<int64_t>(digits.size()) <= -exponent) {
      *out = 0;
      return true;
    }
    digits.remove_suffix(static_cast<size_t>(-exponent));
    exponent = 0;
  }
  if (static_cast<int64_t>(digits.size()) + exponent > 19) return false;
  unsigned __int128 magnitude = 0;
  for (char c : digits) magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
  for (int64_t k = 0; k < exponent; ++k) magnitude *= 10;
  unsigned __int128 limit = static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max()) +
                            (number.negative ? 1 : 0);
  if (magnitude > limit) return false;
  *out = number.negative ? static_cast<int64_t>(-static_cast<__int128>(magnitude))
                         : static_cast<int64_t>(magnitude);
  return true;
}

// Canonical text of `number` at `scale` digits after the point, rounded half up; false when it
// needs more than precision - scale integer digits.
bool DecimalToText(const DecimalNumber& number, int precision, int scale, std::string* out) {
  std::string scaled = number.digits;  // The value times 10^scale, as an integer.
  int64_t shift = number.exponent + scale;
  if (!scaled.empty() && shift > precision) return false;
  if (shift >= 0) {
    if (!scaled.empty()) scaled.append(static_cast<size_t>(shift), '0');
  } else {
    size_t dropped = static_cast<size_t>(-shift);
    bool round_up = false;
    if (dropped <= scaled.size()) {
      round_up = scaled[scaled.size() - dropped] >= '5';
      scaled.resize(scaled.size() - dropped);
    } else {
      scaled.clear();
    }
    if (round_up) {
      int k = static_cast<int>(scaled.size()) - 1;
      while (k >= 0 && scaled[k] == '9') scaled[k--] = '0';
      if (k >= 0) {
        ++scaled[k];
      } else {
        scaled.insert(scaled.begin(), '1');
      }
    }
  }
  if (static_cast<int>(scaled.size()) > precision) return false;
  if (static_cast<int>(scaled.size()) <= scale) {
    scaled.insert(0, static_cast<size_t>(scale + 1) - scaled.size(), '0');
  }
  bool is_zero = scaled.find_first_not_of('0') == std::string::npos;
  std::string text = (number.negative && !is_zero) ? "-" : "";
  text += scaled.substr(0, scaled.size() - static_cast<size_t>(scale));
  if (scale > 0) {
    text += '.';
    text += scaled.substr(scaled.size() - static_cast<size_t>(scale));
  }
  *out = std::move(text);
  return true;
}

// Java's BigDecimal(String.valueOf(value)).toPlainString(): "1.5", "100.0", "0.000010",
// "100000000000000000000", as DataX's DoubleColumn holds a double. Written into `*out` (its
// capacity reused: a value of every row's conversion, so no allocation once warm).
void AssignJavaPlainDouble(double value, std::string* out) {
  if (std::isnan(value)) {
    out->assign("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->assign(value > 0 ? "Infinity" : "-Infinity");
    return;
  }
  if (value == 0) {  // -0.0 too: BigDecimal has no negative zero.
    out->assign("0.0");
    return;
  }
  // The shortest digits that round-trip, as Java's Double.toString chooses them: d.ddde[-]x.
  char scientific[32];
  const char* const end = std::to_chars(scientific, scientific + sizeof(scientific),
                                        std::fabs(value), std::chars_format::scientific)
                              .ptr;
  const char* const e = std::find(static_cast<const char*>(scientific), end, 'e');
  char digits[24];
  size_t digit_count = 0;
  for (const char* c = scientific; c != e; ++c) {
    if (*c != '.') digits[digit_count++] = *c;
  }
  int exponent = 0;
  std::from_chars(e + 1 + (e[1] == '+'), end, exponent);
  const double magnitude = std::fabs(value);
  // Java writes these magnitudes in scientific notation with at least one decimal ("1.0E7").
  const bool java_uses_scientific = magnitude < 1e-3 || magnitude >= 1e7;
  if (java_uses_scientific && digit_count == 1) digits[digit_count++] = '0';
  const int scale = static_cast<int>(digit_count) - 1 - exponent;
  const std::string_view all(digits, digit_count);
  out->clear();
  if (value < 0) out->push_back('-');
  if (scale <= 0) {
    out->append(all);
    out->append(static_cast<size_t>(-scale), '0');
    if (!java_uses_scientific) out->append(".0");
  } else if (static_cast<int>(digit_count) > scale) {
    out->append(all.substr(0, digit_count - static_cast<size_t>(scale)));
    out->push_back('.');
    out->append(all.substr(digit_count - static_cast<size_t>(scale)));
  } else {
    out->append("0.");
    out->append(static_cast<size_t>(scale) - digit_count, '0');
    out->append(all);
  }
}

bool FitsKind(int64_t value, ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kInt:
      return value >= std::numeric_limits<int32_t>::min() &&
             value <= std::numeric_limits<int32_t>::max();
    case ColumnKind::kSmallint:
      return value >= std::numeric_limits<int16_t>::min() &&
             value <= std::numeric_limits<int16_t>::max();
    case ColumnKind::kTinyint:
      return value >= std::numeric_limits<int8_t>::min() &&
             value <= std::numeric_limits<int8_t>::max();
    default:
      return true;
  }
}

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

bool ReadDigits(std::string_view text, size_t* position, size_t count, int64_t* value) {
  if (*position + count > text.size()) return false;
  int64_t result = 0;
  for (size_t k = 0; k < count; ++k) {
    char c = text[*position + k];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *position += count;
  *value = result;
  return true;
}

bool Expect(std::string_view text, size_t* position, char expected) {
  if (*position >= text.size() || text[*position] != expected) return false;
  ++*position;
  return true;
}

// "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss" or "yyyy-MM-dd HH:mm:ss.SSSSSS" (1 to 6 fraction digits,
// 'T' accepted for the space) as microseconds since the epoch of that wall-clock time.
bool ParseDateTime(std::string_view text, int64_t* micros) {
  size_t position = 0;
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, fraction = 0;
  if (!ReadDigits(text, &position, 4, &year) || !Expect(text, &position, '-') ||
      !ReadDigits(text, &position, 2, &month) || !Expect(text, &position, '-') ||
      !ReadDigits(text, &position, 2, &day)) {
    return false;
  }
  if (position < text.size()) {
    if (text[position] != ' ' && text[position] != 'T') return false;
    ++position;
    if (!ReadDigits(text, &position, 2, &hour) || !Expect(text, &position, ':') ||
        !ReadDigits(text, &position, 2, &minute) || !Expect(text, &position, ':') ||
        !ReadDigits(text, &position, 2, &second)) {
      return false;
    }
    if (position < text.size()) {
      if (text[position] != '.') return false;
      ++position;
      size_t fraction_digits = text.size() - position;
      if (fraction_digits < 1 || fraction_digits > 6 ||
          !ReadDigits(text, &position, fraction_digits, &fraction)) {
        return false;
      }
      for (size_t k = fraction_digits; k < 6; ++k) fraction *= 10;
    }
  }
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1] ||
      (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  *micros = ((days * 24 + hour) * 60 + minute) * 60'000'000 + second * 1'000'000 + fraction;
  return true;
}

int64_t FloorDiv(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
}

Status ToInteger(const sync::Field& field, const ColumnType& type, CellValue* out) {
  int64_t value = 0;
  switch (field.type()) {
    case ValueType::kInteger:
      value = field.integer();
      break;
    case ValueType::kBoolean:
      value = field.boolean() ? 1 : 0;
      break;
    case ValueType::kDouble: {
      double number = field.double_value();
      if (!std::isfinite(number)) return Fail(field, type, "not a finite number");
      double truncated = std::trunc(number);
      if (truncated < -9.223372036854775808e18 || truncated >= 9.223372036854775808e18) {
        return Fail(field, type, "out of range");
      }
      value = static_cast<int64_t>(truncated);
      break;
    }
    case ValueType::kString: {
      DecimalNumber number;
      if (!ParseDecimalNumber(field.bytes(), &number)) return Fail(field, type, "not a number");
      if (!DecimalToInt64(number, &value)) return Fail(field, type, "out of range");
      break;
    }
    default:
      return Fail(field, type);
  }
  if (!FitsKind(value, type.kind)) return Fail(field, type, "out of range");
  out->kind = Kind::kInteger;
  out->integer = value;
  return Status::OK();
}

Status ToDouble(const sync::Field& field, const ColumnType& type, CellValue* out) {
  out->kind = Kind::kDouble;
  switch (field.type()) {
    case ValueType::kInteger:
      out->number = static_cast<double>(field.integer());
      return Status::OK();
    case ValueType::kBoolean:
      out->number = field.boolean() ? 1.0 : 0.0;
      return Status::OK();
    case ValueType::kDouble:
      out->number = field.double_value();
      return Status::OK();
    case ValueType::kString: {
      const std::string& text = field.bytes();
      if (text == "NaN") {
        out->number = std::numeric_limits<double>::quiet_NaN();
        return Status::OK();
      }
      if (text == "Infinity" || text == "-Infinity") {
        out->number = text[0] == '-' ? -std::numeric_limits<double>::infinity()
                                     : std::numeric_limits<double>::infinity();
        return Status::OK();
      }
      DecimalNumber number;
      if (!ParseDecimalNumber(text, &number)) return Fail(field, type, "not a number");
      std::string_view digits = text;
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      auto result = std::from_chars(digits.data(), digits.data() + digits.size(), out->number);
      if (result.ec == std::errc::result_out_of_range) {
        out->number = number.digits.empty() ? 0.0
                      : number.exponent > 0
                          ? (number.negative ? -1 : 1) * std::numeric_limits<double>::infinity()
                          : (number.negative ? -0.0 : 0.0);
      } else if (result.ec != std::errc() || result.ptr != digits.data() + digits.size()) {
        return Fail(field, type, "not a number");
      }
      return Status::OK();
    }
    default:
      return Fail(field, type);
  }
}

Status ToBoolean(const sync::Field& field, const ColumnType& type, CellValue* out) {
  out->kind = Kind::kBoolean;
  switch (field.type()) {
    case ValueType::kBoolean:
      out->integer = field.boolean() ? 1 : 0;
      return Status::OK();
    case ValueType::kInteger:
      out->integer = field.integer() != 0 ? 1 : 0;
      return Status::OK();
    case ValueType::kString: {
      std::string lower = ToLower(field.bytes());
      if (lower == "true" || lower == "false") {
        out->integer = lower == "true" ? 1 : 0;
        return Status::OK();
      }
      return Fail(field, type, "expected true or false");
    }
    default:
      return Fail(field, type);
  }
}

Status ToString(const sync::Field& field, const ColumnType& type, CellValue* out) {
  out->kind = Kind::kText;
  switch (field.type()) {
    case ValueType::kString:
    case ValueType::kBinary:
      if (!internal::IsValidUtf8(field.bytes())) return Fail(field, type, "not valid UTF-8");
      out->text = field.bytes();
      return Status::OK();
    case ValueType::kInteger:
      out->owned = std::to_string(field.integer());
      break;
    case ValueType::kDouble:
      AssignJavaPlainDouble(field.double_value(), &out->owned);
      break;
    case ValueType::kBoolean:
      out->owned = field.boolean() ? "true" : "false";
      break;
    default:
      return Fail(field, type);
  }
  out->text = out->owned;
  return Status::OK();
}

Status ToDecimal(const sync::Field& field, const ColumnType& type, CellValue* out) {
  std::string text;
  switch (field.type()) {
    case ValueType::kInteger:
      text = std::to_string(field.integer());
      break;
    case ValueType::kDouble:
      if (!std::isfinite(field.double_value())) return Fail(field, type, "not a finite number");
      AssignJavaPlainDouble(field.double_value(), &text);
      break;
    case ValueType::kString:
      text = field.bytes();
      break;
    default:
      return Fail(field, type);
  }
  DecimalNumber number;
  if (!ParseDecimalNumber(text, &number)) return Fail(field, type, "not a number");
  if (!DecimalToText(number, type.precision, type.scale, &out->owned)) {
    return Fail(field, type,
                "more than " + std::to_string(type.precision - type.scale) + " integer digits");
  }
  out->kind = Kind::kText;
  out->text = out->owned;
  return Status::OK();
}

Status ToTime(const sync::Field& field, const ColumnType& type, CellValue* out) {
  int64_t micros = 0;
  if (field.type() == ValueType::kInteger) {
    int64_t millis = field.integer();
    if (millis > std::numeric_limits<int64_t>::max() / 1000 ||
        millis < std::numeric_limits<int64_t>::min() / 1000) {
      return Fail(field, type, "out of range");
    }
    micros = millis * 1000;
  } else if (field.type() == ValueType::kString) {
    if (!ParseDateTime(field.bytes(), &micros)) {
      return Fail(field, type, "expected yyyy-MM-dd, yyyy-MM-dd HH:mm:ss or epoch milliseconds");
    }
  } else {
    return Fail(field, type);
  }
  if (type.kind == ColumnKind::kDate) {
    out->kind = Kind::kDateDays;
    out->integer = FloorDiv(micros, 86'400'000'000LL);
  } else {
    out->kind = Kind::kTimestampMicros;
    out->integer = micros;
  }
  return Status::OK();
}

Status ToBinary(const sync::Field& field, const ColumnType& type, CellValue* out) {
  if (field.type() != ValueType::kString && field.type() != ValueType::kBinary) {
    return Fail(field, type);
  }
  out->kind = Kind::kBlob;
  out->text = field.bytes();
  return Status::OK();
}

}  // namespace

namespace internal {

bool IsValidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    // ASCII, most text, eight bytes at a time: no byte of the word has its high bit set.
    if (size - i >= 8) {
      uint64_t word;
      std::memcpy(&word, bytes + i, sizeof(word));
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t code_point;
    if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return false;
    }
    if (i + length > size) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (bytes[i + k] & 0x3f);
    }
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimum[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

Status ConvertFieldOfAnyType(const sync::Field& field, const ColumnType& type, bool empty_as_null,
                             CellValue* out) {
  if (field.type() == ValueType::kNull ||
      (empty_as_null && field.type() == ValueType::kString && field.bytes().empty())) {
    out->kind = Kind::kNull;
    return Status::OK();
  }
  switch (type.kind) {
    case ColumnKind::kString:
      return ToString(field, type, out);
    case ColumnKind::kBigint:
    case ColumnKind::kInt:
    case ColumnKind::kSmallint:
    case ColumnKind::kTinyint:
      return ToInteger(field, type, out);
    case ColumnKind::kDouble:
    case ColumnKind::kFloat:
      return ToDouble(field, type, out);
    case ColumnKind::kBoolean:
      return ToBoolean(field, type, out);
    case ColumnKind::kDatetime:
    case ColumnKind::kTimestamp:
    case ColumnKind::kDate:
      return ToTime(field, type, out);
    case ColumnKind::kDecimal:
      return ToDecimal(field, type, out);
    case ColumnKind::kBinary:
      return ToBinary(field, type, out);
  }
  return Fail(field, type);
}

}  // namespace internal

}  // namespace otsync::odps
