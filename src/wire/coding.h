// Every fixed-width and varint encoding otsync writes, in one place, for the store's formats
// (rows, table metadata, keys, the stream log), the protobuf fast paths of server and client and
// PlainBuffer:
//   - varints: 7 bits a byte, least significant group first, the high bit set on every byte but
//     the last (protobuf's base-128 varint); a uint64 takes at most 10 bytes;
//   - zig-zag: small negative numbers stay short as varints;
//   - big-endian fixed width: byte order is numeric order, for keys RocksDB sorts;
//   - ordered int64: big-endian with the sign bit flipped, so signed values sort bytewise;
//   - little-endian fixed width: PlainBuffer's integers (docs/protocol.md §3).
// Plain functions on std::string and std::string_view, inline because the hot paths (stream
// records, PlainBuffer) call them per field.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace otsync::wire {

static_assert(std::endian::native == std::endian::little,
              "the little-endian encodings copy host integers as they are");

// ---------------------------------------------------------------------------------------------
// Varints and zig-zag.

inline void PutVarint64(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// The number of bytes PutVarint64 writes for `value` (1 to 10).
inline size_t VarintLength(uint64_t value) {
  size_t length = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++length;
  }
  return length;
}

// Reads one varint from the front of `*input` and moves `*input` past it. False, with `*input`
// unchanged, when the input ends inside the varint or the varint runs past 10 bytes.
inline bool GetVarint64(std::string_view* input, uint64_t* value) {
  uint64_t result = 0;
  size_t index = 0;
  for (int shift = 0; shift <= 63 && index < input->size(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>((*input)[index++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      input->remove_prefix(index);
      return true;
    }
  }
  return false;
}

inline uint64_t ZigZagEncode(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
inline int64_t ZigZagDecode(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

// ---------------------------------------------------------------------------------------------
// Big-endian fixed width (numeric order = byte order).

inline void PutBigEndian16(uint16_t value, std::string* out) {
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value));
}

inline void PutBigEndian32(uint32_t value, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

inline void PutBigEndian64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

// REQUIRED: `bytes` holds at least `width` (at most 8) bytes.
inline uint64_t DecodeBigEndian(const char* bytes, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

// REQUIRED: `bytes` holds at least 8 bytes.
inline uint64_t DecodeBigEndian64(const char* bytes) { return DecodeBigEndian(bytes, 8); }

inline constexpr uint64_t kOrderedInt64SignBit = uint64_t{1} << 63;

inline void PutOrderedInt64(int64_t value, std::string* out) {
  PutBigEndian64(static_cast<uint64_t>(value) ^ kOrderedInt64SignBit, out);
}

// ---------------------------------------------------------------------------------------------
// Little-endian fixed width (PlainBuffer).

inline void PutLittleEndian32(uint32_t value, std::string* out) {
  char bytes[sizeof(value)];
  std::memcpy(bytes, &value, sizeof(value));
  out->append(bytes, sizeof(value));
}

inline void PutLittleEndian64(uint64_t value, std::string* out) {
  char bytes[sizeof(value)];
  std::memcpy(bytes, &value, sizeof(value));
  out->append(bytes, sizeof(value));
}

// REQUIRED: `bytes` holds at least 4 (8) bytes.
inline uint32_t DecodeLittleEndian32(const char* bytes) {
  uint32_t value;
  std::memcpy(&value, bytes, sizeof(value));
  return value;
}
inline uint64_t DecodeLittleEndian64(const char* bytes) {
  uint64_t value;
  std::memcpy(&value, bytes, sizeof(value));
  return value;
}

// ---------------------------------------------------------------------------------------------
// Length-prefixed byte strings.

inline void PutVarintLengthPrefixed(std::string_view bytes, std::string* out) {
  PutVarint64(bytes.size(), out);
  out->append(bytes);
}

// REQUIRED: bytes.size() < 65536.
inline void PutBigEndian16LengthPrefixed(std::string_view bytes, std::string* out) {
  PutBigEndian16(static_cast<uint16_t>(bytes.size()), out);
  out->append(bytes);
}

// Reads what the Put functions above wrote, front to back. Every Get returns false on input too
// short (or a malformed varint) and leaves the reader failed: empty, so every later Get fails
// too; it never reads past the end.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : rest_(bytes) {}

  bool GetByte(uint8_t* value) {
    if (!Need(1)) return false;
    *value = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return true;
  }
  bool GetBytes(size_t count, std::string_view* bytes) {
    if (!Need(count)) return false;
    *bytes = rest_.substr(0, count);
    rest_.remove_prefix(count);
    return true;
  }
  bool GetVarint64(uint64_t* value) {
    if (wire::GetVarint64(&rest_, value)) return true;
    rest_ = {};
    return false;
  }
  bool GetBigEndian16(uint16_t* value) { return GetBigEndian(value); }
  bool GetBigEndian32(uint32_t* value) { return GetBigEndian(value); }
  bool GetBigEndian64(uint64_t* value) { return GetBigEndian(value); }
  bool GetOrderedInt64(int64_t* value) {
    uint64_t raw = 0;
    if (!GetBigEndian64(&raw)) return false;
    *value = static_cast<int64_t>(raw ^ kOrderedInt64SignBit);
    return true;
  }
  bool GetVarintLengthPrefixed(std::string_view* bytes) {
    uint64_t length = 0;
    if (!GetVarint64(&length) || !Need(length)) return false;
    return GetBytes(static_cast<size_t>(length), bytes);
  }
  bool GetBigEndian16LengthPrefixed(std::string_view* bytes) {
    uint16_t length = 0;
    return GetBigEndian16(&length) && GetBytes(length, bytes);
  }
  bool GetBigEndian16LengthPrefixed(std::string* bytes) {
    std::string_view view;
    if (!GetBigEndian16LengthPrefixed(&view)) return false;
    bytes->assign(view);
    return true;
  }

  bool empty() const { return rest_.empty(); }
  std::string_view rest() const { return rest_; }

 private:
  bool Need(uint64_t count) {
    if (rest_.size() >= count) return true;
    rest_ = {};
    return false;
  }
  template <typename Int>
  bool GetBigEndian(Int* value) {
    if (!Need(sizeof(Int))) return false;
    *value = static_cast<Int>(DecodeBigEndian(rest_.data(), sizeof(Int)));
    rest_.remove_prefix(sizeof(Int));
    return true;
  }

  std::string_view rest_;
};

}  // namespace otsync::wire
