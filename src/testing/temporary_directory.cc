#include "testing/temporary_directory.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <system_error>

namespace otsync::testing {

TemporaryDirectory::TemporaryDirectory(std::string_view prefix) {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    path_ = std::filesystem::temp_directory_path() /
            (std::string(prefix) + "_" + std::to_string(::getpid()) + "_" +
             std::to_string(random()) + std::to_string(random()));
    std::error_code error;
    if (std::filesystem::create_directory(path_, error)) return;
  }
  std::fprintf(stderr, "TemporaryDirectory: cannot create %s\n", path_.c_str());
  std::abort();
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace otsync::testing
