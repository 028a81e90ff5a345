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
  Result<WarehouseManifest> decoded = DecodeManifest(EncodeManifest(manifest).value(), "m");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, manifest);
  EXPECT_NE(decoded->FindWindow("person", "pt=20251031,hour=3", manifest.windows[0].key), nullptr);
  EXPECT_EQ(decoded->FindWindow("person", "pt=20251101,hour=3", manifest.windows[0].key), nullptr);
  EXPECT_NE(decoded->FindTable("PERSON"), nullptr);
}

TEST(ManifestTest, CheckpointsAreWrittenAsLowercaseHexBesideTheOtherMembers) {
  WarehouseManifest manifest = SampleManifest();
  WindowEntry empty = manifest.windows[0];
  empty.key.start_millis = empty.key.end_millis;
  empty.end_checkpoints.clear();
  manifest.windows.push_back(empty);
  const std::string text = EncodeManifest(manifest).value();
  EXPECT_NE(text.find(R"("end_checkpoints_hex":"0001ff2062696e617279","rows":1000,)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"("end_checkpoints_hex":"","rows":1000,)"), std::string::npos) << text;
  Result<WarehouseManifest> decoded = DecodeManifest(text, "m");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, manifest);
}

TEST(ManifestTest, ADamagedManifestIsNeverTakenForAState) {
  const std::string text = EncodeManifest(SampleManifest()).value();
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

// The file form of `body`: the header line with its checksum, then the body.
std::string WithHeader(const std::string& body) {
  char checksum[16];
  std::snprintf(checksum, sizeof(checksum), "%08lx",
                crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(body.data()),
                      static_cast<uInt>(body.size())));
  return "otsync-warehouse-manifest 1 " + std::string(checksum) + "\n" + body;
}

TEST(ManifestTest, StringsWithQuotesBackslashesControlCharactersAndUtf8RoundTrip) {
  WarehouseManifest manifest = SampleManifest();
  manifest.tables[0].partitions[0].spec = "pt=a\"b\\c\td\ne\x01f\x1f,hour=\xe6\x9d\xad\xe5\xb7\x9e";
  manifest.windows[0].partition = manifest.tables[0].partitions[0].spec;
  manifest.windows[0].key.source_table = "table \"quoted\" / \xf0\x9f\x98\x80";
  Result<std::string> text = EncodeManifest(manifest);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Result<WarehouseManifest> decoded = DecodeManifest(*text, "m");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, manifest);
}

TEST(ManifestTest, AStringThatIsNotUtf8IsRefusedRatherThanWrittenUnreadable) {
  WarehouseManifest manifest = SampleManifest();
  manifest.tables[0].partitions[0].spec = "pt=\xff\xfe";
  Result<std::string> text = EncodeManifest(manifest);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kInvalidArgument);
}

// Earlier releases wrote the body indented, with the members of each object in name order; such
// manifests stay readable.
TEST(ManifestTest, AManifestOfAnEarlierReleaseIsRead) {
  const std::string body = R"({
 "committed_at_micros": 1764000000000000,
 "retired_files": [
  {
   "path": "data/person/old-00000.parquet",
   "retired_at_micros": 1763400000000000
  }
 ],
 "tables": [
  {
   "columns": [
    {
     "name": "id",
     "type": "STRING"
    }
   ],
   "created_at_micros": 1763000000000000,
   "name": "person",
   "partition_columns": [
    {
     "name": "pt",
     "type": "STRING"
    }
   ],
   "partitions": [
    {
     "created_at_micros": 1763500000000000,
     "files": [
      {
       "bytes": 4096,
       "path": "data/person/a-00000.parquet",
       "rows": 1000
      }
     ],
     "spec": "pt=20251031"
    }
   ]
  }
 ],
 "version": 7,
 "windows": [
  {
   "committed_at_micros": 1763500000000000,
   "end_checkpoints_hex": "00ff41",
   "end_millis": 1761854400000,
   "partition": "pt=20251031",
   "rows": 1000,
   "source_table": "person",
   "start_millis": 1761850800000,
   "stream_id": "stream-1",
   "table": "person",
   "truncate": true
  }
 ]
}
)";
  Result<WarehouseManifest> decoded = DecodeManifest(WithHeader(body), "m");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->version, 7);
  ASSERT_EQ(decoded->tables.size(), 1u);
  EXPECT_EQ(decoded->tables[0].schema.name, "person");
  ASSERT_EQ(decoded->tables[0].partitions.size(), 1u);
  EXPECT_EQ(decoded->tables[0].partitions[0].files[0],
            (DataFile{"data/person/a-00000.parquet", 1000, 4096}));
  ASSERT_EQ(decoded->windows.size(), 1u);
  EXPECT_EQ(decoded->windows[0].end_checkpoints, std::string("\x00\xff"
                                                             "A",
                                                             3));
  EXPECT_TRUE(decoded->windows[0].truncate);
  EXPECT_EQ(decoded->retired_files.at(0).retired_at_micros, 1763400000000000);
}

TEST(ManifestTest, AWellFormedBodyWithMissingFieldsIsRefused) {
  Result<WarehouseManifest> decoded = DecodeManifest(WithHeader("{\"version\": 1}\n"), "m");
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("committed_at_micros"), std::string::npos)
      << decoded.status().message();
}

}  // namespace
}  // namespace otsync::odps
