// The row model shared by the client, the storage engine and the server: values, primary keys,
// cells and rows exactly as PlainBuffer (docs/protocol.md §3) can express them. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace otsync::wire {

// The PlainBuffer value type bytes (docs/protocol.md §3.2); the numeric values are the wire bytes.
enum class ValueType : uint8_t {
  kInteger = 0x0,
  kDouble = 0x1,
  kBoolean = 0x2,
  kString = 0x3,
  kNull = 0x6,
  kBinary = 0x7,
  kInfMin = 0x9,
  kInfMax = 0xa,
  kAutoIncrement = 0xb,
};

std::string_view ValueTypeName(ValueType type);  // "INTEGER", "STRING", "BINARY", ...

// The types an attribute column's value may have: INTEGER, DOUBLE, BOOLEAN, STRING, BINARY.
bool IsAttributeValueType(ValueType type);

struct ValueView;

// Bytes a value of `type` takes in a row-size computation, `byte_count` being its bytes when it is
// a STRING or BINARY: 8 for numbers, 1 for booleans, the bytes' count for strings and binaries,
// 0 for the rest.
inline size_t DataSizeOf(ValueType type, size_t byte_count) {
  switch (type) {
    case ValueType::kInteger:
    case ValueType::kDouble:
      return 8;
    case ValueType::kBoolean:
      return 1;
    case ValueType::kString:
    case ValueType::kBinary:
      return byte_count;
    default:
      return 0;
  }
}

class Value {
 public:
  Value() : type_(ValueType::kNull) {}
  static Value Integer(int64_t value) { return Value(ValueType::kInteger, value, 0, {}); }
  static Value Double(double value) { return Value(ValueType::kDouble, 0, value, {}); }
  static Value Boolean(bool value) { return Value(ValueType::kBoolean, value ? 1 : 0, 0, {}); }
  static Value String(std::string value) {
    return Value(ValueType::kString, 0, 0, std::move(value));
  }
  static Value Binary(std::string value) {
    return Value(ValueType::kBinary, 0, 0, std::move(value));
  }
  static Value InfMin() { return Value(ValueType::kInfMin, 0, 0, {}); }
  static Value InfMax() { return Value(ValueType::kInfMax, 0, 0, {}); }
  static Value AutoIncrement() { return Value(ValueType::kAutoIncrement, 0, 0, {}); }
  static Value Null() { return Value(); }

  ValueType type() const { return type_; }
  // REQUIRED: type() is kInteger.
  int64_t integer() const { return integer_; }
  // REQUIRED: type() is kDouble.
  double double_value() const { return double_; }
  // REQUIRED: type() is kBoolean.
  bool boolean() const { return integer_ != 0; }
  // The bytes of a kString or kBinary value.
  const std::string& bytes() const { return bytes_; }

  // In-place assignments, equal to `*this = Value::Integer(value)` and so on, that keep the byte
  // buffer's capacity: a decoder reusing a row allocates nothing for a STRING or BINARY value
  // whose bytes fit the buffer a previous value left.
  void SetInteger(int64_t value) { SetScalar(ValueType::kInteger, value, 0); }
  void SetDouble(double value) { SetScalar(ValueType::kDouble, 0, value); }
  void SetBoolean(bool value) { SetScalar(ValueType::kBoolean, value ? 1 : 0, 0); }
  // REQUIRED: `type` is kString or kBinary.
  void SetBytes(ValueType type, std::string_view bytes) {
    SetScalar(type, 0, 0);
    bytes_.assign(bytes);
  }
  // REQUIRED: `type` is kNull, kInfMin, kInfMax or kAutoIncrement.
  void SetValueless(ValueType type) { SetScalar(type, 0, 0); }
  // The value viewed, its bytes copied.
  void Set(const ValueView& view);

  // Bytes this value takes in a row-size computation (8 for numbers, 1 for booleans, the length
  // of strings and binaries). Inline: the engine sums it over every field of every record.
  size_t DataSize() const { return DataSizeOf(type_, bytes_.size()); }

  // Total order used for primary keys, as the service sorts them: INF_MIN < every value < INF_MAX;
  // integers numerically; strings and binaries bytewise (unsigned). Values of different real types
  // compare by type byte, which never happens for a well-formed key.
  int Compare(const Value& other) const;

  // For tests and error messages: 5, 1.5, true, "text", b"\x01", INF_MIN.
  std::string DebugString() const;

  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

 private:
  Value(ValueType type, int64_t integer, double dbl, std::string bytes)
      : type_(type), integer_(integer), double_(dbl), bytes_(std::move(bytes)) {}
  void SetScalar(ValueType type, int64_t integer, double dbl) {
    type_ = type;
    integer_ = integer;
    double_ = dbl;
    bytes_.clear();
  }

  ValueType type_;
  int64_t integer_ = 0;
  double double_ = 0;
  std::string bytes_;
};

// A value that does not own its bytes: what a decoder reads in place out of a buffer, for a
// writer that copies it once (PlainBufferWriter::AppendCell) where a Value would be a copy more.
// Valid while the bytes it views are.
struct ValueView {
  ValueType type = ValueType::kNull;
  int64_t integer = 0;      // kInteger; kBoolean as 0 or 1.
  double double_value = 0;  // kDouble.
  std::string_view bytes;   // kString, kBinary.

  static ValueView Of(const Value& value);
  // Value::DataSize of the value viewed.
  size_t DataSize() const { return DataSizeOf(type, bytes.size()); }
};

struct PrimaryKeyColumn {
  std::string name;
  Value value;
  bool operator==(const PrimaryKeyColumn&) const = default;
};

using PrimaryKey = std::vector<PrimaryKeyColumn>;

// Compares two primary keys column by column with Value::Compare (names are not compared).
int ComparePrimaryKeys(const PrimaryKey& a, const PrimaryKey& b);

// What a cell of a row change asks for; the numeric values are the TAG_CELL_TYPE bytes.
// kPut is written with no TAG_CELL_TYPE at all.
enum class CellOperation : uint8_t {
  kPut = 0x0,
  kDeleteAllVersions = 0x1,
  kDeleteOneVersion = 0x3,
  kIncrement = 0x4,
};

struct Cell {
  std::string name;
  std::optional<Value> value;        // Absent for the two delete operations.
  std::optional<int64_t> timestamp;  // Milliseconds; absent = assigned by the server.
  CellOperation operation = CellOperation::kPut;
  bool operator==(const Cell&) const = default;
};

// The sequence information a stream record carries in its PlainBuffer extension
// (docs/protocol.md §3.10).
struct SequenceInfo {
  uint32_t epoch = 0;
  int64_t timestamp = 0;  // Commit time in microseconds.
  uint32_t row_index = 0;
  bool operator==(const SequenceInfo&) const = default;
};

struct Row {
  PrimaryKey primary_key;
  std::vector<Cell> cells;  // Attribute cells, in wire order.
  bool delete_marker = false;
  std::optional<SequenceInfo> sequence_info;  // Stream records only.
  bool operator==(const Row&) const = default;
};

}  // namespace otsync::wire
