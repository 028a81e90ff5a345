// ConfigValue: a parsed job-script or registry document as otsync's own JSON tree, so that no
// header needs a JSON library. Object members keep file order and their keys exactly as written
// (stray spaces included); matching keys leniently is ConfigObject's job.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace otsync::sync {

struct ConfigMember;

struct ConfigValue {
  enum class Kind { kNull, kBool, kInteger, kDouble, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool bool_value = false;
  int64_t integer_value = 0;  // Integers beyond int64 arrive as kDouble.
  double double_value = 0;
  std::string string_value;
  std::vector<ConfigValue> items;     // kArray
  std::vector<ConfigMember> members;  // kObject

  bool is_null() const { return kind == Kind::kNull; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  bool is_number() const { return kind == Kind::kInteger || kind == Kind::kDouble; }
};

struct ConfigMember {
  std::string key;
  ConfigValue value;
};

// "a string", "an object", ... for messages such as "expected a boolean, got a string".
std::string_view DescribeKind(ConfigValue::Kind kind);

}  // namespace otsync::sync
