#include "store/fault_point_file_system.h"

#include <string>
#include <utility>

#include "base/kill_point.h"

namespace otsync::store {
namespace {

class FaultPointWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultPointWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string path)
      : FSWritableFileOwnerWrapper(std::move(file)), path_(std::move(path)) {}

  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* debug) override {
    if (OTSYNC_FAULT_POINT("rocksdb.sync")) return InjectedFailure();
    return FSWritableFileOwnerWrapper::Sync(options, debug);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    if (OTSYNC_FAULT_POINT("rocksdb.sync")) return InjectedFailure();
    return FSWritableFileOwnerWrapper::Fsync(options, debug);
  }

 private:
  rocksdb::IOStatus InjectedFailure() const {
    return rocksdb::IOStatus::IOError("fsync of " + path_ + " failed (an injected fault)");
  }

  const std::string path_;
};

class FaultPointFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultPointFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
      : FileSystemWrapper(std::move(base)) {}

  const char* Name() const override { return "OtsyncFaultPointFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    return Wrapped(path, FileSystemWrapper::NewWritableFile(path, options, file, debug), file);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* debug) override {
    return Wrapped(path, FileSystemWrapper::ReopenWritableFile(path, options, file, debug), file);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* debug) override {
    return Wrapped(path, FileSystemWrapper::ReuseWritableFile(path, old_path, options, file, debug),
                   file);
  }

 private:
  static rocksdb::IOStatus Wrapped(const std::string& path, rocksdb::IOStatus opened,
                                   std::unique_ptr<rocksdb::FSWritableFile>* file) {
    if (opened.ok()) *file = std::make_unique<FaultPointWritableFile>(std::move(*file), path);
    return opened;
  }
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> WithFaultPoints(std::shared_ptr<rocksdb::FileSystem> base) {
  return std::make_shared<FaultPointFileSystem>(std::move(base));
}

}  // namespace otsync::store
