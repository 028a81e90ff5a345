#include "wire/crc8.h"

#include <array>
#include <bit>
#include <cstring>

namespace otsync::wire {
namespace {

static_assert(std::endian::native == std::endian::little,
              "Crc8 loads 8 bytes at once and takes the first byte from the low end");

// kTables[k][b] is the CRC (init 0) of byte b followed by k zero bytes; kTables[0] is the usual
// byte-at-a-time table. The CRC is linear and its register is one byte wide, so the CRC of eight
// bytes b0..b7 from `crc` is kTables[7][crc ^ b0] ^ kTables[6][b1] ^ ... ^ kTables[0][b7]: eight
// independent loads instead of a chain of eight dependent ones ("slicing-by-8").
using Crc8Tables = std::array<std::array<uint8_t, 256>, 8>;

constexpr Crc8Tables MakeCrc8Tables() {
  Crc8Tables tables{};
  for (int index = 0; index < 256; ++index) {
    uint8_t crc = static_cast<uint8_t>(index);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<uint8_t>((crc & 0x80) ? (crc << 1) ^ 0x07 : crc << 1);
    }
    tables[0][index] = crc;
  }
  for (size_t k = 1; k < tables.size(); ++k) {
    for (int index = 0; index < 256; ++index) tables[k][index] = tables[0][tables[k - 1][index]];
  }
  return tables;
}

constexpr Crc8Tables kCrc8Tables = MakeCrc8Tables();

// The CRC of the 8 little-endian bytes of `word` from `crc`.
inline uint8_t Crc8Word(uint8_t crc, uint64_t word) {
  return kCrc8Tables[7][crc ^ static_cast<uint8_t>(word)] ^
         kCrc8Tables[6][static_cast<uint8_t>(word >> 8)] ^
         kCrc8Tables[5][static_cast<uint8_t>(word >> 16)] ^
         kCrc8Tables[4][static_cast<uint8_t>(word >> 24)] ^
         kCrc8Tables[3][static_cast<uint8_t>(word >> 32)] ^
         kCrc8Tables[2][static_cast<uint8_t>(word >> 40)] ^
         kCrc8Tables[1][static_cast<uint8_t>(word >> 48)] ^
         kCrc8Tables[0][static_cast<uint8_t>(word >> 56)];
}

// The CRC of the 4 little-endian bytes of `word` from `crc`.
inline uint8_t Crc8HalfWord(uint8_t crc, uint32_t word) {
  return kCrc8Tables[3][crc ^ static_cast<uint8_t>(word)] ^
         kCrc8Tables[2][static_cast<uint8_t>(word >> 8)] ^
         kCrc8Tables[1][static_cast<uint8_t>(word >> 16)] ^
         kCrc8Tables[0][static_cast<uint8_t>(word >> 24)];
}

}  // namespace

uint8_t Crc8Byte(uint8_t crc, uint8_t byte) { return kCrc8Tables[0][crc ^ byte]; }

uint8_t Crc8(uint8_t crc, std::string_view bytes) {
  const char* data = bytes.data();
  size_t size = bytes.size();
  for (; size >= 8; data += 8, size -= 8) {
    uint64_t word;
    std::memcpy(&word, data, sizeof(word));
    crc = Crc8Word(crc, word);
  }
  // The rest (most of a short name or value) in steps of 4, 2 and 1: at most three dependent
  // lookups where byte steps would chain up to seven.
  if (size >= 4) {
    uint32_t word;
    std::memcpy(&word, data, sizeof(word));
    crc = Crc8HalfWord(crc, word);
    data += 4;
    size -= 4;
  }
  if (size >= 2) {
    crc = kCrc8Tables[1][crc ^ static_cast<uint8_t>(data[0])] ^
          kCrc8Tables[0][static_cast<uint8_t>(data[1])];
    data += 2;
    size -= 2;
  }
  if (size > 0) crc = kCrc8Tables[0][crc ^ static_cast<uint8_t>(*data)];
  return crc;
}

uint8_t Crc8U32(uint8_t crc, uint32_t value) { return Crc8HalfWord(crc, value); }

uint8_t Crc8U64(uint8_t crc, uint64_t value) { return Crc8Word(crc, value); }

}  // namespace otsync::wire
