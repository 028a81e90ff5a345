#include "readers/otsstream/checkpoint_codec.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

namespace otsync::readers::otsstream {
namespace {

// What java.util.zip.Deflater (default level, zlib header) makes of `text`.
std::string JavaDeflate(const std::string& text) {
  uLongf size = compressBound(text.size());
  std::string out(size, '\0');
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                      reinterpret_cast<const Bytef*>(text.data()), text.size(), 6),
            Z_OK);
  out.resize(size);
  return out;
}

TEST(CheckpointCodecTest, ShardIdsAsGsonWritesThem) {
  EXPECT_EQ(ShardIdsToGsonJson({}), "[]");
  EXPECT_EQ(ShardIdsToGsonJson({"a", "b"}), R"(["a","b"])");
  EXPECT_EQ(ShardIdsToGsonJson({"x=y<z>&'\"\\"}), R"(["x\u003dy\u003cz\u003e\u0026\u0027\"\\"])");
}

TEST(CheckpointCodecTest, ShardIdChunksRoundTrip) {
  const std::vector<std::string> ids = {"shard-1", "shard=2", "tab\tid"};
  Result<std::vector<std::string>> chunks = EncodeShardIdChunks(ids);
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  ASSERT_EQ(chunks->size(), 1u);
  // zlib format with a header, as Deflater writes it.
  EXPECT_EQ(static_cast<unsigned char>((*chunks)[0][0]), 0x78);
  Result<std::vector<std::string>> decoded = DecodeShardIdChunks(*chunks);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, ids);
}

TEST(CheckpointCodecTest, LargeShardListIsCutInto64KiBChunks) {
  std::mt19937 random(7);
  std::vector<std::string> ids;
  for (int i = 0; i < 8000; ++i) {
    std::string id;
    for (int j = 0; j < 24; ++j) id.push_back("0123456789abcdefghijklmnopqrstuv"[random() % 32]);
    ids.push_back(id);
  }
  Result<std::vector<std::string>> chunks = EncodeShardIdChunks(ids);
  ASSERT_TRUE(chunks.ok());
  ASSERT_GE(chunks->size(), 2u);
  for (size_t i = 0; i + 1 < chunks->size(); ++i) EXPECT_EQ((*chunks)[i].size(), 65536u);
  EXPECT_LE(chunks->back().size(), 65536u);
  Result<std::vector<std::string>> decoded = DecodeShardIdChunks(*chunks);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, ids);
}

TEST(CheckpointCodecTest, DecodesAHandMadeDataXRow) {
  // DataX: Gson JSON of a HashSet, UTF-8, Deflater, cut anywhere into ShardIds_0..N.
  const std::string compressed = JavaDeflate(R"(["4f2c\u003d01","b7e1\u003d02","c0a9\u003d03"])");
  const std::vector<std::string> chunks = {compressed.substr(0, 5), compressed.substr(5, 9),
                                           compressed.substr(14)};
  Result<std::vector<std::string>> decoded = DecodeShardIdChunks(chunks);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, (std::vector<std::string>{"4f2c=01", "b7e1=02", "c0a9=03"}));
}

TEST(CheckpointCodecTest, DamagedShardIdsAreCorruption) {
  EXPECT_EQ(DecodeShardIdChunks({"not zlib"}).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeShardIdChunks({JavaDeflate("{\"a\":1}")}).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeShardIdChunks({JavaDeflate("[1,2]")}).status().code(), StatusCode::kCorruption);
  const std::string whole = JavaDeflate(R"(["a","b"])");
  EXPECT_EQ(DecodeShardIdChunks({whole.substr(0, whole.size() - 3)}).status().code(),
            StatusCode::kCorruption);
}

// A payload that inflates past the bound is refused before it is held whole: 17 MiB of one byte
// deflates to about 17 KiB.
TEST(CheckpointCodecTest, ShardIdsInflatingPastTheBoundAreCorruption) {
  const std::string huge =
      JavaDeflate("[\"" + std::string(kMaxShardIdsJsonBytes + 1'048'576, 'a') + "\"]");
  ASSERT_LT(huge.size(), 64u * 1024);
  Result<std::vector<std::string>> decoded = DecodeShardIdChunks({huge});
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("more than"), std::string::npos)
      << decoded.status().ToString();
  // Just under the bound still decodes.
  const std::string large_id(kMaxShardIdsJsonBytes - 16, 'b');
  Result<std::vector<std::string>> fits =
      DecodeShardIdChunks({JavaDeflate("[\"" + large_id + "\"]")});
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->at(0).size(), large_id.size());
}

TEST(CheckpointCodecTest, WindowCheckpointsRoundTrip) {
  WindowCheckpoints checkpoints;
  checkpoints.table_name = "person";
  checkpoints.stream_id = "person_1508400000000";
  checkpoints.version = "1508400000000-0f8fad5b-d9cb-469f-a165-70867728950e";
  checkpoints.start_millis = 1508342400000;
  checkpoints.end_millis = 1508346000000;
  checkpoints.shards["s1"] = {"c2hhcmQtaXRlcmF0b3I=", 12};
  checkpoints.shards["s2"] = {"SHARD_END", 0};
  checkpoints.shards["s3"] = {"TRIM_HORIZON", 0};
  const std::string text = EncodeWindowCheckpoints(checkpoints);
  Result<WindowCheckpoints> decoded = DecodeWindowCheckpoints(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, checkpoints);
}

TEST(CheckpointCodecTest, ForeignCheckpointTextIsRefused) {
  for (const char* text :
       {"", "[]", "{}", R"({"format":1})", R"({"format":2,"shards":{}})", "garbage"}) {
    EXPECT_EQ(DecodeWindowCheckpoints(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

// Found by the checkpoint_codec fuzzer: a "format" of another JSON type made the decoder throw.
TEST(CheckpointCodecTest, FormatOfAnotherTypeIsRefused) {
  for (const char* format : {R"("1")", "null", "true", "[1]", R"({"v":1})", "1.5", "-1"}) {
    const std::string text = std::string(R"({"format":)") + format +
                             R"(,"table_name":"t","stream_id":"s","version":"v",)"
                             R"("start_millis":0,"end_millis":1,"shards":{}})";
    EXPECT_EQ(DecodeWindowCheckpoints(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace otsync::readers::otsstream
