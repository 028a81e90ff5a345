#include "store/testing/store_fixture.h"

#include <string>

namespace otsync::store {

void StoreFixture::SetUp() {
  directory_ = std::make_unique<otsync::testing::TemporaryDirectory>(
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
