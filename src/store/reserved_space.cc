#include "store/reserved_space.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace otsync::store {

ReservedSpace::ReservedSpace(std::string path, int64_t bytes)
    : path_(std::move(path)), bytes_(bytes) {}

Status ReservedSpace::Hold() {
  std::lock_guard lock(mutex_);
  if (held_.load(std::memory_order_relaxed)) return Status::OK();
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError("cannot create the reserved space " + path_ + ": " +
                           std::strerror(errno));
  }
  // The size first, so that a reserve left larger by an earlier run shrinks to this one; glibc
  // writes the blocks out itself where the file system cannot allocate them unwritten.
  const int error = ::ftruncate(fd, bytes_) != 0 ? errno : ::posix_fallocate(fd, 0, bytes_);
  ::close(fd);
  if (error != 0) {
    ::unlink(path_.c_str());
    const std::string cause = std::strerror(error);
    if (error == ENOSPC || error == EDQUOT) {
      return Status::Unavailable("no room for otsd's reserved space of " + std::to_string(bytes_) +
                                 " bytes (" + path_ + "): " + cause);
    }
    return Status::IOError("cannot allocate the reserved space " + path_ + ": " + cause);
  }
  held_.store(true, std::memory_order_release);
  return Status::OK();
}

bool ReservedSpace::Release() {
  std::lock_guard lock(mutex_);
  if (!held_.load(std::memory_order_relaxed)) return false;
  ::unlink(path_.c_str());
  const std::string directory = path_.substr(0, path_.find_last_of('/') + 1);
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::syncfs(fd);
    ::close(fd);
  }
  held_.store(false, std::memory_order_release);
  return true;
}

namespace {

// Allocates the blocks of each append before writing it (reserved_space.h), a chunk at a time so
// that a file written in small appends (RocksDB's log) costs one allocation a chunk, not one an
// append. The chunk allocated past the file's end is given back when the file is closed.
class AllocatingWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  static constexpr uint64_t kChunkBytes = 1 << 20;

  // `allocated_end`: how far the file is known to be allocated (its size when reopened).
  AllocatingWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                         std::shared_ptr<ReservedSpace> reserve, uint64_t allocated_end)
      : FSWritableFileOwnerWrapper(std::move(file)),
        reserve_(std::move(reserve)),
        allocated_end_(allocated_end) {}

  ~AllocatingWritableFile() override {
    if (!closed_) GiveBackChunk(rocksdb::IOOptions(), nullptr);
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    return AllocatedThen(target()->GetFileSize(options, debug), data.size(), options, debug,
                         [&] { return target()->Append(data, options, debug); });
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& verification,
                           rocksdb::IODebugContext* debug) override {
    return AllocatedThen(target()->GetFileSize(options, debug), data.size(), options, debug,
                         [&] { return target()->Append(data, options, verification, debug); });
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* debug) override {
    return AllocatedThen(offset, data.size(), options, debug,
                         [&] { return target()->PositionedAppend(data, offset, options, debug); });
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& verification,
                                     rocksdb::IODebugContext* debug) override {
    return AllocatedThen(offset, data.size(), options, debug, [&] {
      return target()->PositionedAppend(data, offset, options, verification, debug);
    });
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->Truncate(size, options, debug);
    // Truncating frees the blocks past `size`, the allocated ones too.
    if (status.ok()) allocated_end_ = std::min(allocated_end_, size);
    return status;
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    closed_ = true;
    GiveBackChunk(options, debug);
    return target()->Close(options, debug);
  }

 private:
  // OK when [offset, offset + length) is allocated, or when this file cannot be allocated ahead
  // (it is then written as the base file system writes it). NoSpace when the disk is full and the
  // reserve, if it was still held, did not make room.
  rocksdb::IOStatus AllocateFor(uint64_t offset, uint64_t length, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* debug) {
    const uint64_t end = offset + length;
    if (end <= allocated_end_ || !allocates_) return rocksdb::IOStatus::OK();
    const uint64_t from = std::min(allocated_end_, offset);
    const uint64_t chunk_end = (end + kChunkBytes - 1) / kChunkBytes * kChunkBytes;
    // A whole chunk, else this append alone: the last free blocks may hold it.
    uint64_t new_end = chunk_end;
    auto allocate = [&] {
      new_end = chunk_end;
      rocksdb::IOStatus chunk = target()->Allocate(from, new_end - from, options, debug);
      if (!chunk.IsNoSpace()) return chunk;
      new_end = end;
      return target()->Allocate(from, new_end - from, options, debug);
    };
    rocksdb::IOStatus status = allocate();
    if (status.IsNoSpace() && reserve_->Release()) status = allocate();
    if (status.ok()) {
      allocated_end_ = new_end;
      return status;
    }
    if (status.IsNoSpace()) return status;
    allocates_ = false;
    return rocksdb::IOStatus::OK();
  }

  // Runs `write` (of `length` bytes at `offset`) once its blocks are allocated; the allocation's
  // failure otherwise, with nothing written.
  template <typename Write>
  rocksdb::IOStatus AllocatedThen(uint64_t offset, uint64_t length,
                                  const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug,
                                  Write write) {
    rocksdb::IOStatus allocated = AllocateFor(offset, length, options, debug);
    if (!allocated.ok()) return allocated;
    return write();
  }

  // Frees what was allocated past the file's end (a truncation to its own size does that).
  void GiveBackChunk(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) {
    const uint64_t size = target()->GetFileSize(options, debug);
    if (allocated_end_ > size) target()->Truncate(size, options, debug).PermitUncheckedError();
    allocated_end_ = size;
  }

  const std::shared_ptr<ReservedSpace> reserve_;
  // RocksDB appends to one file from one thread at a time, so these need no lock.
  uint64_t allocated_end_;
  bool allocates_ = true;
  bool closed_ = false;
};

class ReservedSpaceFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  ReservedSpaceFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                          std::shared_ptr<ReservedSpace> reserve)
      : FileSystemWrapper(std::move(base)), reserve_(std::move(reserve)) {}

  const char* Name() const override { return "OtsyncReservedSpaceFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    return Wrapped(FileSystemWrapper::NewWritableFile(path, options, file, debug), file);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* debug) override {
    return Wrapped(FileSystemWrapper::ReopenWritableFile(path, options, file, debug), file);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* debug) override {
    return Wrapped(FileSystemWrapper::ReuseWritableFile(path, old_path, options, file, debug),
                   file);
  }

 private:
  rocksdb::IOStatus Wrapped(rocksdb::IOStatus opened,
                            std::unique_ptr<rocksdb::FSWritableFile>* file) const {
    if (!opened.ok()) return opened;
    const uint64_t size = (*file)->GetFileSize(rocksdb::IOOptions(), nullptr);
    *file = std::make_unique<AllocatingWritableFile>(std::move(*file), reserve_, size);
    return opened;
  }

  const std::shared_ptr<ReservedSpace> reserve_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> WithReservedSpace(std::shared_ptr<rocksdb::FileSystem> base,
                                                       std::shared_ptr<ReservedSpace> reserve) {
  return std::make_shared<ReservedSpaceFileSystem>(std::move(base), std::move(reserve));
}

}  // namespace otsync::store
