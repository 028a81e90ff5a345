#include "base/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace otsync {
namespace {

TEST(HexTest, TwoLowercaseDigitsAByte) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x01\x0f\x10\xab\xff", 6)), "00010f10abff");
}

}  // namespace
}  // namespace otsync
