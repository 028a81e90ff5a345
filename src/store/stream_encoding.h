// Byte-level helpers shared by the stream log's keys, metadata and iterators: big-endian
// integers (so that byte order is numeric order) and length-prefixed strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace otsync::store::stream_encoding {

inline void AppendU16(uint16_t value, std::string* out) {
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value));
}

inline void AppendU32(uint32_t value, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

inline void AppendU64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

// Flips the sign bit so that signed values sort bytewise in numeric order.
inline void AppendI64Ordered(int64_t value, std::string* out) {
  AppendU64(static_cast<uint64_t>(value) ^ (uint64_t{1} << 63), out);
}

// REQUIRED: value.size() < 65536.
inline void AppendString16(std::string_view value, std::string* out) {
  AppendU16(static_cast<uint16_t>(value.size()), out);
  out->append(value);
}

// Reads what the Append functions wrote. Every read returns false (and leaves the reader
// failed) when the input is too short.
class ByteReader {
 public:
  explicit ByteReader(std::string_view input) : input_(input) {}

  bool ReadU8(uint8_t* value) {
    if (!Need(1)) return false;
    *value = static_cast<uint8_t>(input_[0]);
    input_.remove_prefix(1);
    return true;
  }
  bool ReadU16(uint16_t* value) {
    uint64_t wide = 0;
    if (!ReadBigEndian(2, &wide)) return false;
    *value = static_cast<uint16_t>(wide);
    return true;
  }
  bool ReadU32(uint32_t* value) {
    uint64_t wide = 0;
    if (!ReadBigEndian(4, &wide)) return false;
    *value = static_cast<uint32_t>(wide);
    return true;
  }
  bool ReadU64(uint64_t* value) { return ReadBigEndian(8, value); }
  bool ReadI64Ordered(int64_t* value) {
    uint64_t raw = 0;
    if (!ReadBigEndian(8, &raw)) return false;
    *value = static_cast<int64_t>(raw ^ (uint64_t{1} << 63));
    return true;
  }
  bool ReadString16(std::string* value) {
    uint16_t size = 0;
    if (!ReadU16(&size) || !Need(size)) return false;
    value->assign(input_.substr(0, size));
    input_.remove_prefix(size);
    return true;
  }
  bool ReadBytes(size_t size, std::string_view* value) {
    if (!Need(size)) return false;
    *value = input_.substr(0, size);
    input_.remove_prefix(size);
    return true;
  }

  bool empty() const { return input_.empty(); }
  std::string_view remaining() const { return input_; }

 private:
  bool Need(size_t size) {
    if (input_.size() >= size) return true;
    input_ = {};
    return false;
  }
  bool ReadBigEndian(size_t size, uint64_t* value) {
    if (!Need(size)) return false;
    uint64_t result = 0;
    for (size_t i = 0; i < size; ++i) result = (result << 8) | static_cast<uint8_t>(input_[i]);
    input_.remove_prefix(size);
    *value = result;
    return true;
  }

  std::string_view input_;
};

}  // namespace otsync::store::stream_encoding
