#include "writers/odps/manifest_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "base/durable_file.h"
#include "testing/temporary_directory.h"
#include "writers/odps/table_schema.h"

namespace otsync::odps {
namespace {

WarehouseManifest ManifestWithTable(int64_t version, const std::string& table_spec) {
  WarehouseManifest manifest;
  manifest.version = version;
  manifest.committed_at_micros = 1764000000000000 + version;
  TableEntry table;
  table.schema = ParseTableSpec(table_spec).value();
  manifest.tables.push_back(table);
  return manifest;
}

void PublishAs(const ManifestLog& log, const WarehouseManifest& manifest) {
  Result<CommitLock> lock = log.LockForCommit("a test", 1000000);
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  ASSERT_TRUE(log.Publish(*lock, manifest).ok());
}

TEST(ManifestLogTest, AReaderSeesAStatePublishedByAnotherProcessAfterItsOwnRead) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  ManifestLog reader = ManifestLog::Open(folder.Child("warehouse"), /*create=*/true).value();
  ManifestLog writer = ManifestLog::Open(folder.Child("warehouse"), /*create=*/false).value();
  PublishAs(writer, ManifestWithTable(1, "first(id STRING)"));
  ASSERT_EQ(reader.Latest().value().tables.at(0).schema.name, "first");

  PublishAs(writer, ManifestWithTable(2, "second(id STRING)"));
  WarehouseManifest latest = reader.Latest().value();
  EXPECT_EQ(latest.version, 2);
  EXPECT_EQ(latest.tables.at(0).schema.name, "second");
  // The older version, read again, is still its own content.
  EXPECT_EQ(reader.Read(1).value().tables.at(0).schema.name, "first");
}

// A version number names one content for as long as its file lives; should a file of that name
// be made again (a deleted manifest, a restored backup), it is read again, not remembered.
TEST(ManifestLogTest, AManifestFileMadeAgainUnderTheSameNameIsReadAgain) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, ManifestWithTable(1, "before(id STRING)"));
  ASSERT_EQ(log.Latest().value().tables.at(0).schema.name, "before");

  const std::string path = root + "/_manifests/00000000000000000001.manifest";
  ASSERT_EQ(std::remove(path.c_str()), 0);
  ASSERT_TRUE(WriteFileAtomically(
                  path, EncodeManifest(ManifestWithTable(1, "after(id STRING, n BIGINT)")).value())
                  .ok());
  EXPECT_EQ(log.Latest().value().tables.at(0).schema.name, "after");
}

// The decoded manifest is keyed by the file's version, inode, size and modification time: the same
// file is decoded once, and a change of any of them is read again. The file is rewritten in place
// here only to tell a decoded copy from a new read; published manifests never change.
TEST(ManifestLogTest, AManifestIsDecodedAgainOnlyWhenItsFileIdentityChanges) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, ManifestWithTable(1, "aaaa(id STRING)"));
  ASSERT_EQ(log.Read(1).value().tables.at(0).schema.name, "aaaa");

  const std::string path = root + "/_manifests/00000000000000000001.manifest";
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  const std::string same_size = EncodeManifest(ManifestWithTable(1, "bbbb(id STRING)")).value();
  ASSERT_EQ(static_cast<off_t>(same_size.size()), before.st_size);
  const int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, same_size.data(), same_size.size(), 0),
            static_cast<ssize_t>(same_size.size()));
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::futimens(fd, times), 0);
  ASSERT_EQ(::close(fd), 0);
  EXPECT_EQ(log.Read(1).value().tables.at(0).schema.name, "aaaa");

  const struct timespec later[2] = {before.st_atim,
                                    {before.st_mtim.tv_sec + 1, before.st_mtim.tv_nsec}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), later, 0), 0);
  EXPECT_EQ(log.Read(1).value().tables.at(0).schema.name, "bbbb");
}

TEST(ManifestLogTest, ADamagedManifestIsRefusedEvenAfterAGoodReadOfAnother) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, ManifestWithTable(1, "good(id STRING)"));
  ASSERT_TRUE(log.Latest().ok());
  ASSERT_TRUE(WriteFileAtomically(root + "/_manifests/00000000000000000002.manifest",
                                  "otsync-warehouse-manifest 1 00000000\n{}\n")
                  .ok());
  Result<WarehouseManifest> latest = log.Latest();
  ASSERT_FALSE(latest.ok());
  EXPECT_EQ(latest.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace otsync::odps
