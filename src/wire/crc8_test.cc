#include "wire/crc8.h"

#include <gtest/gtest.h>

#include <string>

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

// Crc8 takes 8 bytes at a time (slicing-by-8), then 4, 2 and 1: every length, alignment and
// starting CRC must give what the byte-at-a-time definition gives.
TEST(Crc8Test, WordStepsAgreeWithByteSteps) {
  std::string bytes;
  for (int i = 0; i < 80; ++i) bytes.push_back(static_cast<char>(i * 37 + 11));
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t length = 0; offset + length <= bytes.size(); ++length) {
      for (int init : {0x00, 0x5a, 0xff}) {
        uint8_t expected = static_cast<uint8_t>(init);
        for (size_t i = offset; i < offset + length; ++i) {
          expected = Crc8Byte(expected, static_cast<uint8_t>(bytes[i]));
        }
        EXPECT_EQ(Crc8(static_cast<uint8_t>(init), std::string_view(bytes).substr(offset, length)),
                  expected)
            << "offset " << offset << " length " << length << " init " << init;
      }
    }
  }
}

}  // namespace
}  // namespace otsync::wire
