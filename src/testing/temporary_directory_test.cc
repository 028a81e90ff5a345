#include "testing/temporary_directory.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace otsync::testing {
namespace {

TEST(TemporaryDirectoryTest, IsCreatedUniqueAndRemovedWithItsContents) {
  std::filesystem::path kept;
  {
    TemporaryDirectory first("otsync_testing_test");
    TemporaryDirectory second("otsync_testing_test");
    EXPECT_NE(first.path(), second.path());
    ASSERT_TRUE(std::filesystem::is_directory(first.path()));
    EXPECT_TRUE(std::filesystem::is_empty(first.path()));
    std::filesystem::create_directories(first.path() / "a" / "b");
    std::ofstream(first.Child("a/b/file")) << "data";
    kept = first.path();
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

}  // namespace
}  // namespace otsync::testing
