#include "writers/odps/manifest.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>

namespace otsync::odps {
namespace {

WarehouseManifest SampleManifest() {
  WarehouseManifest manifest;
  manifest.version = 7;
  manifest.committed_at_micros = 1764000000000000;
  TableEntry table;
  table.schema = ParseTableSpec(
                     "person(id STRING, version BIGINT, amount DECIMAL(10,2)) "
                     "PARTITIONED BY (pt STRING, hour INT)")
                     .value();
  table.created_at_micros = 1763000000000000;
  table.partitions.push_back(
      {"pt=20251031,hour=3", 1763500000000000, {{"data/person/a-00000.parquet", 1000, 4096}}});
  manifest.tables.push_back(table);
  WindowEntry window;
  window.table = "person";
  window.partition = "pt=20251031,hour=3";
  window.key = {"person", "stream-1", 1761850800000, 1761854400000};
  window.end_checkpoints = std::string("\x00\x01\xff binary", 10);
  window.rows = 1000;
  window.truncate = true;
  window.committed_at_micros = 1763500000000000;
  manifest.windows.push_back(window);
  manifest.retired_files.push_back({"data/person/old-00000.parquet", 1763400000000000});
  return manifest;
}

TEST(ManifestTest, RoundTripsEveryField) {
  WarehouseManifest manifest = SampleManifest();
  Result<WarehouseManifest> decoded = DecodeManifest(EncodeManifest(manifest), "m");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, manifest);
  EXPECT_NE(decoded->FindWindow("person", "pt=20251031,hour=3", manifest.windows[0].key), nullptr);
  EXPECT_EQ(decoded->FindWindow("person", "pt=20251101,hour=3", manifest.windows[0].key), nullptr);
  EXPECT_NE(decoded->FindTable("PERSON"), nullptr);
}

TEST(ManifestTest, ADamagedManifestIsNeverTakenForAState) {
  const std::string text = EncodeManifest(SampleManifest());
  // Any single changed byte of the body, and any cut, is caught by the checksum.
  for (size_t position = text.find('\n') + 1; position < text.size(); position += 97) {
    std::string damaged = text;
    damaged[position] = static_cast<char>(damaged[position] ^ 0x20);
    Result<WarehouseManifest> decoded = DecodeManifest(damaged, "/w/_manifests/7.manifest");
    ASSERT_FALSE(decoded.ok()) << "byte " << position;
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
    EXPECT_NE(decoded.status().message().find("/w/_manifests/7.manifest is damaged"),
              std::string::npos);
  }
  for (size_t length : {size_t{0}, size_t{10}, text.size() / 2, text.size() - 2}) {
    EXPECT_EQ(DecodeManifest(text.substr(0, length), "m").status().code(), StatusCode::kCorruption)
        << "cut at " << length;
  }
}

TEST(ManifestTest, AWellFormedBodyWithMissingFieldsIsRefused) {
  const std::string body = "{\"version\": 1}\n";
  char checksum[16];
  std::snprintf(checksum, sizeof(checksum), "%08lx",
                crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(body.data()),
                      static_cast<uInt>(body.size())));
  Result<WarehouseManifest> decoded =
      DecodeManifest("otsync-warehouse-manifest 1 " + std::string(checksum) + "\n" + body, "m");
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("committed_at_micros"), std::string::npos)
      << decoded.status().message();
}

}  // namespace
}  // namespace otsync::odps
