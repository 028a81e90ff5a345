#include "wire/crc8.h"

#include <gtest/gtest.h>

namespace otsync::wire {
namespace {

TEST(Crc8Test, CheckValueOfTheStandardInput) { EXPECT_EQ(Crc8(0, "123456789"), 0xF4); }

TEST(Crc8Test, TableStartsAsTheSpecSays) {
  const uint8_t expected[] = {0x00, 0x07, 0x0e, 0x09, 0x1c, 0x1b, 0x12, 0x15};
  for (int byte = 0; byte < 8; ++byte) {
    EXPECT_EQ(Crc8Byte(0, static_cast<uint8_t>(byte)), expected[byte]) << byte;
  }
}

TEST(Crc8Test, IntegersHashTheirLittleEndianBytes) {
  EXPECT_EQ(Crc8U32(0x5a, 0x04030201), Crc8(0x5a, std::string_view("\x01\x02\x03\x04", 4)));
  EXPECT_EQ(Crc8U64(0x11, 1000), Crc8(0x11, std::string_view("\xe8\x03\0\0\0\0\0\0", 8)));
}

TEST(Crc8Test, ByteStepAgreesWithStringForm) {
  uint8_t crc = 0;
  for (char byte : std::string_view("otsync")) crc = Crc8Byte(crc, static_cast<uint8_t>(byte));
  EXPECT_EQ(crc, Crc8(0, "otsync"));
  EXPECT_EQ(Crc8(0x33, ""), 0x33);
}

}  // namespace
}  // namespace otsync::wire
