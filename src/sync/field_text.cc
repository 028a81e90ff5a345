#include "sync/field_text.h"

#include <charconv>

#include "wire/signature.h"

namespace otsync::sync {

std::string FieldToText(const Field& field, std::string_view null_text) {
  switch (field.type()) {
    case wire::ValueType::kInteger:
      return std::to_string(field.integer());
    case wire::ValueType::kDouble: {
      char text[32];
      auto [end, error] = std::to_chars(text, text + sizeof(text), field.double_value());
      return error == std::errc() ? std::string(text, end) : std::string("NaN");
    }
    case wire::ValueType::kBoolean:
      return field.boolean() ? "true" : "false";
    case wire::ValueType::kString:
      return field.bytes();
    case wire::ValueType::kBinary:
      return wire::Base64Encode(field.bytes());
    case wire::ValueType::kNull:
      return std::string(null_text);
    default:
      return field.DebugString();
  }
}

bool IsUtf8EncodingName(std::string_view encoding) {
  std::string lower;
  for (char c : encoding) {
    if (c == '-' || c == '_') continue;
    lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return lower == "utf8";
}

}  // namespace otsync::sync
