#include "console/session_store.h"

#include <gtest/gtest.h>

namespace otsync::console {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1000000;

class SessionStoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(1'700'000'000'000'000);
};

TEST_F(SessionStoreTest, ANewSessionIsFoundWithItsCsrfToken) {
  SessionStore store(clock_);
  Result<NewSession> session = store.Create();
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->id.size(), 64u);
  EXPECT_EQ(session->csrf_token.size(), 64u);
  EXPECT_NE(session->id, session->csrf_token);
  std::optional<SessionInfo> found = store.Touch(session->id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->csrf_token, session->csrf_token);
  EXPECT_EQ(found->expires_micros, clock_->NowMicros() + 12 * kHour);
  EXPECT_FALSE(store.Touch(session->csrf_token).has_value());
  EXPECT_FALSE(store.Touch("").has_value());
}

TEST_F(SessionStoreTest, IdleSessionsExpireAndUseKeepsThemAlive) {
  SessionStore store(clock_);
  Result<NewSession> used = store.Create();
  Result<NewSession> idle = store.Create();
  ASSERT_TRUE(used.ok() && idle.ok());
  clock_->AdvanceMicros(11 * kHour);
  EXPECT_TRUE(store.Touch(used->id).has_value());
  clock_->AdvanceMicros(1 * kHour);
  EXPECT_FALSE(store.Touch(idle->id).has_value()) << "12 h idle";
  EXPECT_TRUE(store.Touch(used->id).has_value()) << "used an hour ago";
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(SessionStoreTest, SessionsEndAfterTheAbsoluteTimeoutEvenWhenUsed) {
  SessionStore store(clock_, SessionOptions{12 * kHour, 24 * kHour, 10});
  Result<NewSession> session = store.Create();
  ASSERT_TRUE(session.ok());
  for (int i = 0; i < 23; ++i) {
    clock_->AdvanceMicros(kHour);
    ASSERT_TRUE(store.Touch(session->id).has_value()) << i;
  }
  clock_->AdvanceMicros(kHour);
  EXPECT_FALSE(store.Touch(session->id).has_value());
}

TEST_F(SessionStoreTest, LogoutEndsOnlyThatSession) {
  SessionStore store(clock_);
  Result<NewSession> a = store.Create();
  Result<NewSession> b = store.Create();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(store.End(a->id));
  EXPECT_FALSE(store.End(a->id));
  EXPECT_FALSE(store.Touch(a->id).has_value());
  EXPECT_TRUE(store.Touch(b->id).has_value());
}

TEST_F(SessionStoreTest, TheLeastRecentlyUsedSessionMakesRoom) {
  SessionStore store(clock_, SessionOptions{12 * kHour, 24 * kHour, 2});
  Result<NewSession> a = store.Create();
  clock_->AdvanceMicros(1);
  Result<NewSession> b = store.Create();
  clock_->AdvanceMicros(1);
  ASSERT_TRUE(store.Touch(a->id).has_value());
  Result<NewSession> c = store.Create();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(store.size(), 2u);
  EXPECT_TRUE(store.Touch(a->id).has_value());
  EXPECT_FALSE(store.Touch(b->id).has_value());
  EXPECT_TRUE(store.Touch(c->id).has_value());
}

}  // namespace
}  // namespace otsync::console
