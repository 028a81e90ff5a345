#include "sync/field_text.h"

#include <charconv>

#include "wire/signature.h"

namespace otsync::sync {

std::string FieldToText(const Field& field, std::string_view null_text) {
  if (field.type() == wire::ValueType::kString) return field.bytes();
  std::string text;
  AppendFieldText(field, null_text, &text);
  return text;
}

void AppendFieldText(const Field& field, std::string_view null_text, std::string* out) {
  switch (field.type()) {
    case wire::ValueType::kInteger: {
      char text[24];
      out->append(text, std::to_chars(text, text + sizeof(text), field.integer()).ptr);
      return;
    }
    case wire::ValueType::kDouble: {
      char text[32];
      auto [end, error] = std::to_chars(text, text + sizeof(text), field.double_value());
      if (error == std::errc()) {
        out->append(text, end);
      } else {
        out->append("NaN");
      }
      return;
    }
    case wire::ValueType::kBoolean:
      out->append(field.boolean() ? "true" : "false");
      return;
    case wire::ValueType::kString:
      out->append(field.bytes());
      return;
    case wire::ValueType::kBinary:
      out->append(wire::Base64Encode(field.bytes()));
      return;
    case wire::ValueType::kNull:
      out->append(null_text);
      return;
    default:
      out->append(field.DebugString());
      return;
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
