#include "store/reserved_space.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "testing/temporary_directory.h"

namespace otsync::store {
namespace {

TEST(ReservedSpaceTest, HoldAllocatesTheWholeFileAndReleaseRemovesIt) {
  testing::TemporaryDirectory directory("reserved_space");
  const std::string path = directory.Child("otsd-reserved-space");
  ReservedSpace reserve(path, 3 << 20);
  EXPECT_FALSE(reserve.held());
  ASSERT_TRUE(reserve.Hold().ok());
  EXPECT_TRUE(reserve.held());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_size, 3 << 20);
  EXPECT_GE(int64_t{info.st_blocks} * 512, 3 << 20) << "the reserve's blocks are allocated";
  ASSERT_TRUE(reserve.Hold().ok()) << "holding it again is harmless";

  EXPECT_TRUE(reserve.Release());
  EXPECT_FALSE(reserve.held());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(reserve.Release()) << "there is nothing left to give up";
  ASSERT_TRUE(reserve.Hold().ok());
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(ReservedSpaceTest, AReserveLeftLargerByAnEarlierRunShrinks) {
  testing::TemporaryDirectory directory("reserved_space");
  const std::string path = directory.Child("otsd-reserved-space");
  ASSERT_TRUE(ReservedSpace(path, 2 << 20).Hold().ok());
  ASSERT_TRUE(ReservedSpace(path, 1 << 20).Hold().ok());
  EXPECT_EQ(std::filesystem::file_size(path), uintmax_t{1} << 20);
}

// The disk as the allocating file sees it, for one file: an allocation of `length` bytes
// succeeds only when `has_room` says so (as a full disk would refuse it), or fails as a file
// system that cannot allocate ahead does.
struct FakeDisk {
  std::function<bool(uint64_t length)> has_room = [](uint64_t) { return true; };
  bool allocation_supported = true;
  int allocations = 0;
  uint64_t allocated_end = 0;
  std::string written;
  std::optional<uint64_t> truncated_to;
  bool closed = false;
};

class FakeWritableFile final : public rocksdb::FSWritableFile {
 public:
  explicit FakeWritableFile(FakeDisk* disk) : disk_(disk) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions&,
                           rocksdb::IODebugContext*) override {
    disk_->written.append(data.data(), data.size());
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Allocate(uint64_t offset, uint64_t length, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
    ++disk_->allocations;
    if (!disk_->allocation_supported) return rocksdb::IOStatus::NotSupported("fallocate");
    if (!disk_->has_room(length)) return rocksdb::IOStatus::NoSpace("No space left on device");
    disk_->allocated_end = std::max(disk_->allocated_end, offset + length);
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
    disk_->truncated_to = size;
    disk_->allocated_end = size;
    return rocksdb::IOStatus::OK();
  }
  uint64_t GetFileSize(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return disk_->written.size();
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    disk_->closed = true;
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }

 private:
  FakeDisk* disk_;
};

class FakeFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit FakeFileSystem(FakeDisk* disk)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), disk_(disk) {}
  const char* Name() const override { return "FakeFileSystem"; }
  rocksdb::IOStatus NewWritableFile(const std::string&, const rocksdb::FileOptions&,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext*) override {
    *file = std::make_unique<FakeWritableFile>(disk_);
    return rocksdb::IOStatus::OK();
  }

 private:
  FakeDisk* disk_;
};

class AllocatingFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reserve_ = std::make_shared<ReservedSpace>(directory_.Child("otsd-reserved-space"), 1 << 20);
    ASSERT_TRUE(reserve_->Hold().ok());
    std::shared_ptr<rocksdb::FileSystem> file_system =
        WithReservedSpace(std::make_shared<FakeFileSystem>(&disk_), reserve_);
    ASSERT_TRUE(file_system
                    ->NewWritableFile(directory_.Child("000001.log"), rocksdb::FileOptions(),
                                      &file_, nullptr)
                    .ok());
  }

  rocksdb::IOStatus Append(const std::string& data) {
    return file_->Append(data, rocksdb::IOOptions(), nullptr);
  }

  testing::TemporaryDirectory directory_{"reserved_space"};
  FakeDisk disk_;
  std::shared_ptr<ReservedSpace> reserve_;
  std::unique_ptr<rocksdb::FSWritableFile> file_;
};

TEST_F(AllocatingFileTest, AppendsAreAllocatedAChunkAtATimeBeforeTheyAreWritten) {
  ASSERT_TRUE(Append("first").ok());
  ASSERT_TRUE(Append("second").ok());
  EXPECT_EQ(disk_.allocations, 1) << "one chunk holds both";
  EXPECT_EQ(disk_.allocated_end, uint64_t{1} << 20);
  EXPECT_EQ(disk_.written, "firstsecond");
  ASSERT_TRUE(Append(std::string(1 << 20, 'x')).ok());
  EXPECT_EQ(disk_.allocations, 2);
  EXPECT_GE(disk_.allocated_end, disk_.written.size());
  EXPECT_TRUE(reserve_->held());
}

TEST_F(AllocatingFileTest, ClosingGivesBackWhatWasAllocatedPastTheEnd) {
  ASSERT_TRUE(Append("short").ok());
  ASSERT_TRUE(file_->Close(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_TRUE(disk_.closed);
  EXPECT_EQ(disk_.truncated_to, std::optional<uint64_t>(5));
}

TEST_F(AllocatingFileTest, AFileDroppedUnclosedGivesItBackToo) {
  ASSERT_TRUE(Append("short").ok());
  file_.reset();
  EXPECT_EQ(disk_.truncated_to, std::optional<uint64_t>(5));
}

TEST_F(AllocatingFileTest, TheLastFreeBlocksTakeAnAppendSmallerThanAChunk) {
  disk_.has_room = [](uint64_t length) { return length <= 100; };
  ASSERT_TRUE(Append("small").ok());
  EXPECT_EQ(disk_.written, "small");
  EXPECT_TRUE(reserve_->held()) << "the reserve only goes when the append itself finds no room";
}

TEST_F(AllocatingFileTest, AFullDiskGetsTheReserveAndTheAppendCompletes) {
  ASSERT_TRUE(Append("before").ok());
  // Another process has taken the last byte: only the reserve's blocks are left.
  disk_.has_room = [this](uint64_t) { return !reserve_->held(); };
  ASSERT_TRUE(Append(std::string(1 << 20, 'y')).ok()) << "past the first chunk";
  EXPECT_EQ(disk_.written, "before" + std::string(1 << 20, 'y'));
  EXPECT_FALSE(reserve_->held()) << "the reserve was given up for the append";
  EXPECT_FALSE(std::filesystem::exists(reserve_->path()));
}

TEST_F(AllocatingFileTest, WithoutSpaceOrReserveAnAppendFailsHavingWrittenNothing) {
  ASSERT_TRUE(reserve_->Release());
  ASSERT_TRUE(Append("before").ok());
  disk_.has_room = [](uint64_t) { return false; };
  const rocksdb::IOStatus status = Append(std::string(1 << 20, 'z'));
  EXPECT_TRUE(status.IsNoSpace()) << status.ToString();
  EXPECT_EQ(disk_.written, "before") << "no part of the record may reach the file";
}

TEST_F(AllocatingFileTest, AFileSystemThatCannotAllocateAheadIsWrittenAsItIs) {
  disk_.allocation_supported = false;
  ASSERT_TRUE(Append("one").ok());
  ASSERT_TRUE(Append("two").ok());
  EXPECT_EQ(disk_.written, "onetwo");
  EXPECT_EQ(disk_.allocations, 1) << "after the first refusal the file no longer asks";
  EXPECT_TRUE(reserve_->held());
}

}  // namespace
}  // namespace otsync::store
