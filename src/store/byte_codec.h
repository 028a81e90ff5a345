// Little building blocks of the store's own binary formats (stored rows, table metadata, keys):
// varints, fixed-width big-endian integers and length-prefixed strings, plus a bounds-checked
// reader. Every Get* returns false on truncated input instead of reading past the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace otsync::store {

void PutVarint64(uint64_t value, std::string* out);
void PutFixed64BigEndian(uint64_t value, std::string* out);
void PutFixed32BigEndian(uint32_t value, std::string* out);
void PutLengthPrefixed(std::string_view bytes, std::string* out);

uint64_t DecodeFixed64BigEndian(const char* bytes);

// Zig-zag mapping so that small negative numbers stay short as varints.
inline uint64_t ZigZagEncode(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
inline int64_t ZigZagDecode(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : rest_(bytes) {}

  bool GetVarint64(uint64_t* value);
  bool GetFixed64BigEndian(uint64_t* value);
  bool GetFixed32BigEndian(uint32_t* value);
  bool GetByte(uint8_t* value);
  bool GetBytes(size_t count, std::string_view* bytes);
  bool GetLengthPrefixed(std::string_view* bytes);

  bool empty() const { return rest_.empty(); }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace otsync::store
