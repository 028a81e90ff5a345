#include "base/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/kill_point.h"

namespace otsync {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path) {
  std::string message = what + " " + path + ": " + std::strerror(errno);
  return errno == ENOENT ? Status::NotFound(std::move(message))
                         : Status::IOError(std::move(message));
}

Status WriteAll(int fd, std::string_view content, const std::string& path) {
  while (!content.empty()) {
    ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("could not write", path);
    }
    content.remove_prefix(static_cast<size_t>(written));
  }
  return Status::OK();
}

// Creates or truncates `path`, gives it `mode` and writes `content`: the open file, which the
// caller syncs if it needs to and closes. On an error nothing is left open.
Result<int> CreateAndWrite(const std::string& path, std::string_view content, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("could not create", path);
  // fchmod, not the mode of open(): that one is cut by the umask and ignored for an existing file.
  Status status = ::fchmod(fd, mode) == 0 ? WriteAll(fd, content, path)
                                          : ErrnoStatus("could not set the mode of", path);
  if (!status.ok()) {
    ::close(fd);
    return status;
  }
  return fd;
}

// fsync(2) of `fd`, the open `path`. The fault point "file.sync" makes it fail as a failing disk
// would (EIO), in test builds.
Status Sync(int fd, const std::string& path) {
  if (OTSYNC_FAULT_POINT("file.sync")) {
    return Status::IOError("could not sync " + path + ": " + std::strerror(EIO) +
                           " (an injected fault)");
  }
  return ::fsync(fd) == 0 ? Status::OK() : ErrnoStatus("could not sync", path);
}

}  // namespace

Status SyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("could not open", path);
  Status status = Sync(fd, path);
  ::close(fd);
  return status;
}

Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  const std::string temp_path = path + ".tmp." + std::to_string(::getpid());
  Result<int> fd = CreateAndWrite(temp_path, content, mode);
  if (!fd.ok()) {
    ::unlink(temp_path.c_str());
    return fd.status();
  }
  Status status = Sync(*fd, temp_path);
  if (::close(*fd) != 0 && status.ok()) status = ErrnoStatus("could not close", temp_path);
  if (status.ok() && ::rename(temp_path.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus("could not rename " + temp_path + " to", path);
  }
  if (!status.ok()) {
    ::unlink(temp_path.c_str());
    return status;
  }
  std::string folder = std::filesystem::path(path).parent_path().string();
  return SyncPath(folder.empty() ? "." : folder);
}

Status WriteFileSynced(const std::string& path, std::string_view content, mode_t mode) {
  OTSYNC_ASSIGN_OR_RETURN(const int fd, CreateAndWrite(path, content, mode));
  Status status = Sync(fd, path);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus("could not close", path);
  return status;
}

Status WriteFile(const std::string& path, std::string_view content, mode_t mode) {
  OTSYNC_ASSIGN_OR_RETURN(const int fd, CreateAndWrite(path, content, mode));
  if (::close(fd) != 0) return ErrnoStatus("could not close", path);
  return Status::OK();
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("could not open", path);
  // Read in place into a string sized from fstat: a manifest of megabytes is read once, not
  // copied through a buffer and regrown. The size is a hint; a file that grows or shrinks
  // meanwhile is still read to its end.
  struct stat info;
  size_t expected = ::fstat(fd, &info) == 0 && info.st_size > 0 ? info.st_size : 0;
  std::string content;
  size_t filled = 0;
  while (true) {
    if (filled == content.size()) content.resize(std::max(expected + 1, filled * 2 + 4096));
    ssize_t got = ::read(fd, content.data() + filled, content.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      Status status = ErrnoStatus("could not read", path);
      ::close(fd);
      return status;
    }
    if (got == 0) break;
    filled += static_cast<size_t>(got);
  }
  ::close(fd);
  content.resize(filled);
  return content;
}

}  // namespace otsync
