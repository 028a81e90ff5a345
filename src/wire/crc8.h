// CRC-8 as PlainBuffer uses it (docs/protocol.md §3.6): polynomial 0x07, init 0, MSB-first, no
// final XOR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace otsync::wire {

uint8_t Crc8Byte(uint8_t crc, uint8_t byte);
uint8_t Crc8(uint8_t crc, std::string_view bytes);
uint8_t Crc8U32(uint8_t crc, uint32_t value);  // Hashes the 4 little-endian bytes.
uint8_t Crc8U64(uint8_t crc, uint64_t value);  // Hashes the 8 little-endian bytes.

}  // namespace otsync::wire
