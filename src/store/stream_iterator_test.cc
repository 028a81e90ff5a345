#include "store/stream_iterator.h"

#include <gtest/gtest.h>

#include <string>

namespace otsync::store {
namespace {

ShardIteratorCodec MakeCodec(char fill) {
  return ShardIteratorCodec(std::string(ShardIteratorCodec::kKeySize, fill));
}

TEST(ShardIteratorCodecTest, RoundTrips) {
  ShardIteratorCodec codec = MakeCodec('k');
  ShardIteratorFields fields{"orders_1700000000000000", "00000003", {-5, 7}};
  std::string iterator = codec.Encode("inst", fields);
  EXPECT_EQ(iterator.find_first_of("+/="), std::string::npos);
  Result<ShardIteratorFields> decoded = codec.Decode("inst", iterator);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, fields);
  EXPECT_EQ(codec.Encode("inst", fields), iterator);  // Stable: usable as a checkpoint.
}

TEST(ShardIteratorCodecTest, RejectsForgeriesAndDamage) {
  ShardIteratorCodec codec = MakeCodec('k');
  std::string iterator = codec.Encode("inst", {"t_1", "00000001", {100, 0}});

  auto expect_invalid = [&](const std::string& text, std::string_view instance = "inst") {
    Result<ShardIteratorFields> decoded = codec.Decode(instance, text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), StatusCode::kTrimmedDataAccess);
    EXPECT_EQ(decoded.status().message(), kTrimmedDataMessage);
  };
  expect_invalid("");
  expect_invalid("not an iterator!");
  expect_invalid(iterator.substr(0, iterator.size() - 1));
  expect_invalid(iterator + "A");
  expect_invalid(iterator, "other-instance");
  for (size_t i = 0; i < iterator.size(); ++i) {
    std::string damaged = iterator;
    damaged[i] = damaged[i] == 'A' ? 'B' : 'A';
    expect_invalid(damaged);
  }
  // The same fields signed with another key (another database) do not pass.
  expect_invalid(MakeCodec('x').Encode("inst", {"t_1", "00000001", {100, 0}}));
}

TEST(ShardIteratorCodecTest, GeneratedKeysDiffer) {
  Result<std::string> a = ShardIteratorCodec::GenerateKey();
  Result<std::string> b = ShardIteratorCodec::GenerateKey();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), ShardIteratorCodec::kKeySize);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace otsync::store
