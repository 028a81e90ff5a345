#include "wire/coding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace otsync::wire {
namespace {

TEST(CodingTest, VarintsRoundTripAndTheirLengthIsWhatIsWritten) {
  const std::vector<uint64_t> values = {
      0, 1, 127, 128, 16383, 16384, uint64_t{1} << 35, std::numeric_limits<uint64_t>::max()};
  for (uint64_t value : values) {
    std::string bytes;
    PutVarint64(value, &bytes);
    EXPECT_EQ(bytes.size(), VarintLength(value)) << value;
    std::string_view input = bytes;
    uint64_t decoded = 0;
    ASSERT_TRUE(GetVarint64(&input, &decoded)) << value;
    EXPECT_EQ(decoded, value);
    EXPECT_TRUE(input.empty());
  }
  EXPECT_EQ(VarintLength(std::numeric_limits<uint64_t>::max()), 10u);
}

TEST(CodingTest, VarintBytesAreProtobufs) {
  std::string bytes;
  PutVarint64(300, &bytes);
  EXPECT_EQ(bytes, std::string("\xac\x02", 2));
}

TEST(CodingTest, TruncatedOrOverlongVarintIsRefusedAndLeavesTheInput) {
  std::string_view truncated("\x80\x80", 2);
  uint64_t value = 7;
  EXPECT_FALSE(GetVarint64(&truncated, &value));
  EXPECT_EQ(truncated.size(), 2u);
  EXPECT_EQ(value, 7u);

  const std::string overlong(11, '\x80');
  std::string_view input = overlong;
  EXPECT_FALSE(GetVarint64(&input, &value));
}

TEST(CodingTest, ZigZagKeepsSmallNegativesShort) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  for (int64_t value : {int64_t{-64}, int64_t{63}, std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(ZigZagDecode(ZigZagEncode(value)), value);
  }
  EXPECT_EQ(VarintLength(ZigZagEncode(-64)), 1u);
}

TEST(CodingTest, BigEndianAndOrderedIntegersSortBytewiseInNumericOrder) {
  std::string bytes;
  PutBigEndian32(0x01020304, &bytes);
  EXPECT_EQ(bytes, std::string("\x01\x02\x03\x04", 4));

  const std::vector<int64_t> increasing = {std::numeric_limits<int64_t>::min(), -2, -1, 0, 1,
                                           std::numeric_limits<int64_t>::max()};
  for (size_t i = 1; i < increasing.size(); ++i) {
    std::string lower;
    std::string higher;
    PutOrderedInt64(increasing[i - 1], &lower);
    PutOrderedInt64(increasing[i], &higher);
    EXPECT_LT(lower, higher) << increasing[i];
  }
}

TEST(CodingTest, LittleEndianIsPlainBuffersLayout) {
  std::string bytes;
  PutLittleEndian32(0x01020304, &bytes);
  EXPECT_EQ(bytes, std::string("\x04\x03\x02\x01", 4));
  EXPECT_EQ(DecodeLittleEndian32(bytes.data()), 0x01020304u);
  bytes.clear();
  PutLittleEndian64(0x0102030405060708, &bytes);
  EXPECT_EQ(DecodeLittleEndian64(bytes.data()), 0x0102030405060708u);
}

TEST(CodingTest, ByteReaderReadsBackEveryPut) {
  std::string bytes;
  bytes.push_back('\x7f');
  PutBigEndian16(0xbeef, &bytes);
  PutBigEndian32(0xdeadbeef, &bytes);
  PutBigEndian64(0x0123456789abcdef, &bytes);
  PutOrderedInt64(-42, &bytes);
  PutVarint64(1u << 20, &bytes);
  PutVarintLengthPrefixed("varint", &bytes);
  PutBigEndian16LengthPrefixed("short", &bytes);

  ByteReader reader(bytes);
  uint8_t byte = 0;
  uint16_t u16 = 0;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  int64_t i64 = 0;
  uint64_t varint = 0;
  std::string_view prefixed;
  std::string short_prefixed;
  ASSERT_TRUE(reader.GetByte(&byte));
  ASSERT_TRUE(reader.GetBigEndian16(&u16));
  ASSERT_TRUE(reader.GetBigEndian32(&u32));
  ASSERT_TRUE(reader.GetBigEndian64(&u64));
  ASSERT_TRUE(reader.GetOrderedInt64(&i64));
  ASSERT_TRUE(reader.GetVarint64(&varint));
  ASSERT_TRUE(reader.GetVarintLengthPrefixed(&prefixed));
  ASSERT_TRUE(reader.GetBigEndian16LengthPrefixed(&short_prefixed));
  EXPECT_TRUE(reader.empty());
  EXPECT_EQ(byte, 0x7f);
  EXPECT_EQ(u16, 0xbeef);
  EXPECT_EQ(u32, 0xdeadbeefu);
  EXPECT_EQ(u64, 0x0123456789abcdefu);
  EXPECT_EQ(i64, -42);
  EXPECT_EQ(varint, 1u << 20);
  EXPECT_EQ(prefixed, "varint");
  EXPECT_EQ(short_prefixed, "short");
}

TEST(CodingTest, ByteReaderFailsOnShortInputAndStaysFailed) {
  std::string bytes;
  PutVarint64(10, &bytes);  // Claims ten bytes...
  bytes += "abc";           // ...of which three follow.
  bytes += "more";
  ByteReader reader(std::string_view(bytes).substr(0, 4));
  std::string_view value;
  EXPECT_FALSE(reader.GetVarintLengthPrefixed(&value));
  EXPECT_TRUE(reader.empty());
  uint8_t byte = 0;
  EXPECT_FALSE(reader.GetByte(&byte));

  ByteReader short_integer(std::string_view("\x01\x02\x03", 3));
  uint32_t u32 = 0;
  EXPECT_FALSE(short_integer.GetBigEndian32(&u32));
  EXPECT_EQ(u32, 0u);
}

}  // namespace
}  // namespace otsync::wire
