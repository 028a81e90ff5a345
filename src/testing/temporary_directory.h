// A directory of a test's or a benchmark's own under the system temporary directory, removed
// with everything in it when the object goes.
#pragma once

#include <filesystem>
#include <string_view>

namespace otsync::testing {

class TemporaryDirectory {
 public:
  // Creates "<temp>/<prefix>_<pid>_<random>", a name no other process uses; `prefix` tells
  // someone looking in the temporary directory whose it is. Aborts the process when the
  // directory cannot be created (a test cannot run without it).
  explicit TemporaryDirectory(std::string_view prefix);
  ~TemporaryDirectory();

  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / `name`, as a string (what the Open functions of the code under test take).
  std::string Child(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace otsync::testing
