// What the storage engine knows about a table: its key schema, options and stream settings.
// Plain data; persisted by the store, converted to and from protobuf by the server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/row.h"

namespace otsync::wire {

enum class PrimaryKeyType : uint8_t { kInteger = 1, kString = 2, kBinary = 3 };

// "INTEGER", "STRING", "BINARY", as the service names the types in its messages.
inline std::string_view PrimaryKeyTypeName(PrimaryKeyType type) {
  switch (type) {
    case PrimaryKeyType::kInteger:
      return "INTEGER";
    case PrimaryKeyType::kString:
      return "STRING";
    case PrimaryKeyType::kBinary:
      return "BINARY";
  }
  return "UNKNOWN";
}

// Whether `value` is a real value of a primary-key column of `type` (never INF_MIN, INF_MAX or
// AUTO_INCREMENT).
inline bool MatchesPrimaryKeyType(const Value& value, PrimaryKeyType type) {
  switch (type) {
    case PrimaryKeyType::kInteger:
      return value.type() == ValueType::kInteger;
    case PrimaryKeyType::kString:
      return value.type() == ValueType::kString;
    case PrimaryKeyType::kBinary:
      return value.type() == ValueType::kBinary;
  }
  return false;
}

struct PrimaryKeySchemaColumn {
  std::string name;
  PrimaryKeyType type = PrimaryKeyType::kString;
  bool auto_increment = false;
  bool operator==(const PrimaryKeySchemaColumn&) const = default;
};

enum class DefinedColumnType : uint8_t {
  kInteger = 1,
  kDouble = 2,
  kBoolean = 3,
  kString = 4,
  kBinary = 7,
};

struct DefinedColumn {
  std::string name;
  DefinedColumnType type = DefinedColumnType::kString;
  bool operator==(const DefinedColumn&) const = default;
};

struct TableOptions {
  int32_t time_to_live_seconds = -1;  // -1 = forever, else >= 86400.
  int32_t max_versions = 1;
  int64_t deviation_cell_version_in_seconds = 86400;
  bool allow_update = true;
  bool operator==(const TableOptions&) const = default;
};

// The stream of a table (the Stream issue). `stream_id` is empty while disabled.
struct StreamSettings {
  bool enabled = false;
  int32_t expiration_hours = 0;  // 1..168 when enabled.
  std::string stream_id;         // Opaque; new each time the stream is enabled.
  int64_t last_enable_time_micros = 0;
  bool operator==(const StreamSettings&) const = default;
};

struct TableDescription {
  std::string name;
  std::vector<PrimaryKeySchemaColumn> primary_key;  // 1 to 4 columns.
  std::vector<DefinedColumn> defined_columns;
  TableOptions options;
  StreamSettings stream;
  int32_t reserved_read_capacity = 0;
  int32_t reserved_write_capacity = 0;
  int64_t creation_time_micros = 0;
  bool operator==(const TableDescription&) const = default;
};

// A change to the table, as UpdateTable requests it. Absent parts are left unchanged.
struct TableUpdate {
  std::optional<TableOptions> options;   // Fields given in the request, merged by the server.
  std::optional<StreamSettings> stream;  // Only `enabled` and `expiration_hours` are read.
  std::optional<int32_t> reserved_read_capacity;
  std::optional<int32_t> reserved_write_capacity;
};

}  // namespace otsync::wire
