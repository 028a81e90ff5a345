#include "store/testing/temp_store.h"

#include <unistd.h>

#include <random>
#include <string>
#include <system_error>

namespace otsync::store {

TemporaryDirectory::TemporaryDirectory(std::string_view prefix) {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          (std::string(prefix) + "_" + std::to_string(::getpid()) + "_" + std::to_string(random()) +
           std::to_string(random()));
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void StoreFixture::SetUp() {
  directory_ = std::make_unique<TemporaryDirectory>(
      std::string("otsync_store_test_") +
      ::testing::UnitTest::GetInstance()->current_test_info()->name());
  clock_ = std::make_shared<ManualClock>(kStoreFixtureStartMicros);
  options_.path = directory_->path().string();
  options_.clock = clock_;
  Reopen();
}

void StoreFixture::TearDown() {
  store_.reset();
  directory_.reset();
}

void StoreFixture::Reopen() {
  store_.reset();
  Result<std::unique_ptr<Store>> opened = Store::Open(options_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store_ = std::move(opened).value();
}

}  // namespace otsync::store
