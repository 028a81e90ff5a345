#include "wire/crc8.h"

#include <array>

namespace otsync::wire {
namespace {

constexpr std::array<uint8_t, 256> MakeCrc8Table() {
  std::array<uint8_t, 256> table{};
  for (int index = 0; index < 256; ++index) {
    uint8_t crc = static_cast<uint8_t>(index);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<uint8_t>((crc & 0x80) ? (crc << 1) ^ 0x07 : crc << 1);
    }
    table[index] = crc;
  }
  return table;
}

constexpr std::array<uint8_t, 256> kCrc8Table = MakeCrc8Table();

}  // namespace

uint8_t Crc8Byte(uint8_t crc, uint8_t byte) { return kCrc8Table[crc ^ byte]; }

uint8_t Crc8(uint8_t crc, std::string_view bytes) {
  for (char byte : bytes) crc = kCrc8Table[crc ^ static_cast<uint8_t>(byte)];
  return crc;
}

uint8_t Crc8U32(uint8_t crc, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    crc = kCrc8Table[crc ^ static_cast<uint8_t>(value >> shift)];
  }
  return crc;
}

uint8_t Crc8U64(uint8_t crc, uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) {
    crc = kCrc8Table[crc ^ static_cast<uint8_t>(value >> shift)];
  }
  return crc;
}

}  // namespace otsync::wire
