#include "store/key_encoding.h"

#include <gtest/gtest.h>

#include <random>

namespace otsync::store {
namespace {

using wire::PrimaryKey;
using wire::PrimaryKeySchemaColumn;
using wire::PrimaryKeyType;
using wire::Value;

const std::vector<PrimaryKeySchemaColumn> kSchema = {
    {"a", PrimaryKeyType::kInteger, false},
    {"b", PrimaryKeyType::kString, false},
    {"c", PrimaryKeyType::kBinary, false},
};

Value RandomValue(std::mt19937_64& random, PrimaryKeyType type) {
  if (type == PrimaryKeyType::kInteger) {
    static const int64_t kEdges[] = {INT64_MIN, INT64_MIN + 1, -256, -1, 0, 1, 255, 256, INT64_MAX};
    if (random() % 3 == 0) return Value::Integer(kEdges[random() % std::size(kEdges)]);
    // Small magnitudes collide often, which exercises the later columns.
    return Value::Integer(static_cast<int64_t>(random() % 7) - 3);
  }
  std::string bytes(random() % 4, '\0');
  for (char& byte : bytes) {
    static const unsigned char kBytes[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 'a'};
    byte = static_cast<char>(kBytes[random() % std::size(kBytes)]);
  }
  return type == PrimaryKeyType::kString ? Value::String(bytes) : Value::Binary(bytes);
}

PrimaryKey RandomKey(std::mt19937_64& random, bool allow_infinite) {
  PrimaryKey key;
  for (const PrimaryKeySchemaColumn& column : kSchema) {
    Value value = RandomValue(random, column.type);
    if (allow_infinite && random() % 6 == 0) {
      value = random() % 2 == 0 ? Value::InfMin() : Value::InfMax();
    }
    key.push_back({column.name, value});
  }
  return key;
}

int Sign(int value) { return (value > 0) - (value < 0); }

TEST(KeyEncodingTest, ByteOrderEqualsPrimaryKeyOrderOverRandomKeys) {
  std::mt19937_64 random(20240611);
  for (int i = 0; i < 20000; ++i) {
    PrimaryKey a = RandomKey(random, false);
    PrimaryKey b = RandomKey(random, false);
    const int expected = Sign(wire::ComparePrimaryKeys(a, b));
    const int actual = Sign(EncodeRowKey(7, a).compare(EncodeRowKey(7, b)));
    ASSERT_EQ(expected, actual) << "keys " << i;
  }
}

TEST(KeyEncodingTest, InfiniteBoundsSortAroundEveryRealKey) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 20000; ++i) {
    PrimaryKey bound = RandomKey(random, true);
    PrimaryKey key = RandomKey(random, false);
    const int expected = Sign(wire::ComparePrimaryKeys(bound, key));
    const int actual = Sign(EncodeRowKey(7, bound).compare(EncodeRowKey(7, key)));
    ASSERT_EQ(expected, actual) << "pair " << i;
  }
}

TEST(KeyEncodingTest, NegativeIntegersSortBeforePositive) {
  PrimaryKey negative = {{"a", Value::Integer(-5)}};
  PrimaryKey positive = {{"a", Value::Integer(3)}};
  EXPECT_LT(EncodeRowKey(1, negative), EncodeRowKey(1, positive));
}

TEST(KeyEncodingTest, TablesDoNotInterleave) {
  PrimaryKey biggest = {{"a", Value::InfMax()}};
  PrimaryKey smallest = {{"a", Value::InfMin()}};
  EXPECT_LT(EncodeRowKey(1, biggest), EncodeRowKey(2, smallest));
  EXPECT_LE(TableKeyPrefix(2), EncodeRowKey(2, smallest));
  EXPECT_LT(EncodeRowKey(2, biggest), TableKeyLimit(2));
}

TEST(KeyEncodingTest, DecodeRoundTripsRandomKeys) {
  std::mt19937_64 random(9);
  for (int i = 0; i < 2000; ++i) {
    PrimaryKey key = RandomKey(random, false);
    PrimaryKey decoded;
    const Status status = DecodeRowKeyInto(EncodeRowKey(3, key), kSchema, &decoded);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(decoded, key);
  }
}

// Escaped zeros take the slow path, keys without them the view; one PrimaryKey reused throughout,
// so a longer key's bytes left in a value would show.
TEST(KeyEncodingTest, DecodeIntoAReusedKeyRoundTripsRandomKeys) {
  std::mt19937_64 random(10);
  PrimaryKey decoded = {{"stale", Value::String(std::string(40, 'z'))}};
  for (int i = 0; i < 2000; ++i) {
    PrimaryKey key = RandomKey(random, false);
    ASSERT_TRUE(DecodeRowKeyInto(EncodeRowKey(3, key), kSchema, &decoded).ok()) << i;
    ASSERT_EQ(decoded, key) << i;
  }
  PrimaryKey key = {{"a", Value::Integer(1)}, {"b", Value::String("x")}, {"c", Value::Binary("")}};
  std::string encoded = EncodeRowKey(3, key);
  for (size_t length = 0; length < encoded.size(); ++length) {
    EXPECT_FALSE(DecodeRowKeyInto(encoded.substr(0, length), kSchema, &decoded).ok()) << length;
  }
  // A zero followed by neither 0x01 nor 0xff is no escape.
  std::string bad = EncodeRowKey(3, {{"a", Value::Integer(1)}, {"b", Value::String("x")}});
  bad += '\x01';
  bad += std::string("y\0\x02", 3);
  EXPECT_FALSE(DecodeRowKeyInto(bad, kSchema, &decoded).ok());
}

TEST(KeyEncodingTest, DecodeRejectsTruncatedKeys) {
  PrimaryKey key = {{"a", Value::Integer(1)}, {"b", Value::String("x")}, {"c", Value::Binary("")}};
  std::string encoded = EncodeRowKey(3, key);
  for (size_t length = 0; length < encoded.size(); ++length) {
    PrimaryKey decoded;
    EXPECT_FALSE(DecodeRowKeyInto(encoded.substr(0, length), kSchema, &decoded).ok()) << length;
  }
}

}  // namespace
}  // namespace otsync::store
