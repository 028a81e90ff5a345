#include "wire/row.h"

#include <cstring>
#include <sstream>

namespace otsync::wire {

bool IsAttributeValueType(ValueType type) {
  switch (type) {
    case ValueType::kInteger:
    case ValueType::kDouble:
    case ValueType::kBoolean:
    case ValueType::kString:
    case ValueType::kBinary:
      return true;
    default:
      return false;
  }
}

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kInteger:
      return "INTEGER";
    case ValueType::kDouble:
      return "DOUBLE";
    case ValueType::kBoolean:
      return "BOOLEAN";
    case ValueType::kString:
      return "STRING";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kBinary:
      return "BINARY";
    case ValueType::kInfMin:
      return "INF_MIN";
    case ValueType::kInfMax:
      return "INF_MAX";
    case ValueType::kAutoIncrement:
      return "AUTO_INCREMENT";
  }
  return "UNKNOWN";
}

void Value::Set(const ValueView& view) {
  switch (view.type) {
    case ValueType::kInteger:
      SetInteger(view.integer);
      break;
    case ValueType::kDouble:
      SetDouble(view.double_value);
      break;
    case ValueType::kBoolean:
      SetBoolean(view.integer != 0);
      break;
    case ValueType::kString:
    case ValueType::kBinary:
      SetBytes(view.type, view.bytes);
      break;
    default:
      SetValueless(view.type);
      break;
  }
}

ValueView ValueView::Of(const Value& value) {
  ValueView view;
  view.type = value.type();
  switch (value.type()) {
    case ValueType::kInteger:
      view.integer = value.integer();
      break;
    case ValueType::kBoolean:
      view.integer = value.boolean() ? 1 : 0;
      break;
    case ValueType::kDouble:
      view.double_value = value.double_value();
      break;
    case ValueType::kString:
    case ValueType::kBinary:
      view.bytes = value.bytes();
      break;
    default:
      break;
  }
  return view;
}

int Value::Compare(const Value& other) const {
  if (type_ == other.type_) {
    switch (type_) {
      case ValueType::kInteger:
      case ValueType::kBoolean:
        return integer_ < other.integer_ ? -1 : (integer_ > other.integer_ ? 1 : 0);
      case ValueType::kDouble:
        return double_ < other.double_ ? -1 : (double_ > other.double_ ? 1 : 0);
      case ValueType::kString:
      case ValueType::kBinary: {
        int order = bytes_.compare(other.bytes_);
        return order < 0 ? -1 : (order > 0 ? 1 : 0);
      }
      default:
        return 0;
    }
  }
  if (type_ == ValueType::kInfMin || other.type_ == ValueType::kInfMax) return -1;
  if (type_ == ValueType::kInfMax || other.type_ == ValueType::kInfMin) return 1;
  return static_cast<uint8_t>(type_) < static_cast<uint8_t>(other.type_) ? -1 : 1;
}

std::string Value::DebugString() const {
  std::ostringstream out;
  switch (type_) {
    case ValueType::kInteger:
      out << integer_;
      break;
    case ValueType::kDouble:
      out << double_;
      break;
    case ValueType::kBoolean:
      out << (integer_ ? "true" : "false");
      break;
    case ValueType::kString:
      out << '"' << bytes_ << '"';
      break;
    case ValueType::kBinary: {
      out << "b\"";
      static const char kHex[] = "0123456789abcdef";
      for (unsigned char byte : bytes_) out << "\\x" << kHex[byte >> 4] << kHex[byte & 15];
      out << '"';
      break;
    }
    default:
      out << ValueTypeName(type_);
      break;
  }
  return out.str();
}

bool Value::operator==(const Value& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case ValueType::kInteger:
    case ValueType::kBoolean:
      return integer_ == other.integer_;
    case ValueType::kDouble:
      // Bitwise, so that NaN round-trips compare equal in tests.
      return std::memcmp(&double_, &other.double_, sizeof(double)) == 0;
    case ValueType::kString:
    case ValueType::kBinary:
      return bytes_ == other.bytes_;
    default:
      return true;
  }
}

int ComparePrimaryKeys(const PrimaryKey& a, const PrimaryKey& b) {
  size_t common = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < common; ++i) {
    int order = a[i].value.Compare(b[i].value);
    if (order != 0) return order;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

}  // namespace otsync::wire
