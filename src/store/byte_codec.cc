#include "store/byte_codec.h"

namespace otsync::store {

void PutVarint64(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void PutFixed64BigEndian(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void PutFixed32BigEndian(uint32_t value, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void PutLengthPrefixed(std::string_view bytes, std::string* out) {
  PutVarint64(bytes.size(), out);
  out->append(bytes);
}

uint64_t DecodeFixed64BigEndian(const char* bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

bool ByteReader::GetVarint64(uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !rest_.empty(); shift += 7) {
    uint8_t byte = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

bool ByteReader::GetFixed64BigEndian(uint64_t* value) {
  if (rest_.size() < 8) return false;
  *value = DecodeFixed64BigEndian(rest_.data());
  rest_.remove_prefix(8);
  return true;
}

bool ByteReader::GetFixed32BigEndian(uint32_t* value) {
  if (rest_.size() < 4) return false;
  uint32_t result = 0;
  for (int i = 0; i < 4; ++i) result = (result << 8) | static_cast<uint8_t>(rest_[i]);
  *value = result;
  rest_.remove_prefix(4);
  return true;
}

bool ByteReader::GetByte(uint8_t* value) {
  if (rest_.empty()) return false;
  *value = static_cast<uint8_t>(rest_.front());
  rest_.remove_prefix(1);
  return true;
}

bool ByteReader::GetBytes(size_t count, std::string_view* bytes) {
  if (rest_.size() < count) return false;
  *bytes = rest_.substr(0, count);
  rest_.remove_prefix(count);
  return true;
}

bool ByteReader::GetLengthPrefixed(std::string_view* bytes) {
  uint64_t length = 0;
  if (!GetVarint64(&length) || length > rest_.size()) return false;
  return GetBytes(static_cast<size_t>(length), bytes);
}

}  // namespace otsync::store
