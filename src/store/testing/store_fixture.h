// The gtest fixture of the store's tests: a real store on a temporary directory of its own,
// stamped by a ManualClock. Linked only by tests (target otsync_store_testing).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>

#include "base/clock.h"
#include "store/store.h"
#include "testing/temporary_directory.h"

namespace otsync::store {

// Where StoreFixture's clock starts: 2023-11-14T22:13:20Z.
inline constexpr int64_t kStoreFixtureStartMicros = 1'700'000'000'000'000;

// A store on a fresh temporary directory, stamped by `clock_`, which starts at
// kStoreFixtureStartMicros and moves only when a test moves it. The store is closed and the
// directory removed after each test.
class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Closes the store and opens it again on the same directory with `options_`.
  void Reopen();
  const std::filesystem::path& path() const { return directory_->path(); }

  // SetUp fills in path and clock; a subclass's constructor or a test (before Reopen) may set the
  // rest.
  StoreOptions options_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Store> store_;

 private:
  std::unique_ptr<otsync::testing::TemporaryDirectory> directory_;
};

}  // namespace otsync::store
