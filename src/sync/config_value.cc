#include "sync/config_value.h"

namespace otsync::sync {

std::string_view DescribeKind(ConfigValue::Kind kind) {
  switch (kind) {
    case ConfigValue::Kind::kNull:
      return "null";
    case ConfigValue::Kind::kBool:
      return "a boolean";
    case ConfigValue::Kind::kInteger:
      return "an integer";
    case ConfigValue::Kind::kDouble:
      return "a number";
    case ConfigValue::Kind::kString:
      return "a string";
    case ConfigValue::Kind::kArray:
      return "an array";
    case ConfigValue::Kind::kObject:
      return "an object";
  }
  return "a value";
}

}  // namespace otsync::sync
