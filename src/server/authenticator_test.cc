#include "server/authenticator.h"

#include <gtest/gtest.h>

#include <memory>

namespace otsync::server {
namespace {

// 2024-01-02T03:04:05.678Z, the date of the docs/protocol.md §1.3 vector.
constexpr int64_t kVectorMicros = 1704164645678000;
constexpr int64_t kMinuteMicros = int64_t{60} * 1000 * 1000;

Credentials TestCredentials() {
  Credentials credentials;
  credentials.instances = {"testinst", "other"};
  credentials.access_keys = {{"testid", "testsecret", {"testinst"}}};
  credentials.admin_keys = {{"admin", "adminsecret", {}}};
  return credentials;
}

// The request headers of the docs/protocol.md §1.3 test vector (POST /ListTable, empty body).
wire::HeaderMap VectorHeaders() {
  return {{"x-ots-date", "2024-01-02T03:04:05.678Z"},
          {"x-ots-apiversion", "2015-12-31"},
          {"x-ots-accesskeyid", "testid"},
          {"x-ots-instancename", "testinst"},
          {"x-ots-contentmd5", "1B2M2Y8AsgTpgAmY7PhCfg=="},
          {"x-ots-signature", "mXWCF5NK3ue0leWbipsRmLpH2qE="}};
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kVectorMicros);
  Authenticator authenticator_{TestCredentials(), clock_, AuthOptions{}};

  void ExpectFailure(const wire::HeaderMap& headers, std::string_view body, StatusCode code,
                     const std::string& message) {
    Result<Caller> caller = authenticator_.Authenticate("ListTable", headers, body);
    ASSERT_FALSE(caller.ok());
    EXPECT_EQ(caller.status().code(), code);
    EXPECT_EQ(caller.status().message(), message);
    EXPECT_EQ(caller.status().message().find("testsecret"), std::string::npos);
  }
};

TEST_F(AuthenticatorTest, AcceptsTheReferenceVector) {
  Result<Caller> caller = authenticator_.Authenticate("ListTable", VectorHeaders(), "");
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_EQ(caller->instance, "testinst");
  ASSERT_NE(caller->key, nullptr);
  EXPECT_EQ(caller->key->id, "testid");
  EXPECT_FALSE(caller->is_admin);
}

TEST_F(AuthenticatorTest, SignatureCoversTheApiName) {
  Result<Caller> other_api = authenticator_.Authenticate("DeleteTable", VectorHeaders(), "");
  ASSERT_FALSE(other_api.ok());
  EXPECT_EQ(other_api.status().message(), "Signature mismatch.");
}

TEST_F(AuthenticatorTest, MissingHeaderIsNamed) {
  for (const char* name : {"x-ots-date", "x-ots-apiversion", "x-ots-accesskeyid",
                           "x-ots-instancename", "x-ots-contentmd5", "x-ots-signature"}) {
    wire::HeaderMap headers = VectorHeaders();
    headers.erase(name);
    ExpectFailure(headers, "", StatusCode::kInvalidArgument,
                  "Missing header: " + std::string(name) + ".");
  }
}

TEST_F(AuthenticatorTest, BodyMustMatchContentMd5) {
  ExpectFailure(VectorHeaders(), "x", StatusCode::kAuthFailed,
                "Mismatch between MD5 value of request body and x-ots-contentmd5 in header.");
}

TEST_F(AuthenticatorTest, DateMustBeWithinFifteenMinutes) {
  clock_->SetMicros(kVectorMicros + 16 * kMinuteMicros);
  ExpectFailure(VectorHeaders(), "", StatusCode::kAuthFailed,
                "Mismatch between system time and x-ots-date: 2024-01-02T03:04:05.678Z.");
  clock_->SetMicros(kVectorMicros - 16 * kMinuteMicros);
  ExpectFailure(VectorHeaders(), "", StatusCode::kAuthFailed,
                "Mismatch between system time and x-ots-date: 2024-01-02T03:04:05.678Z.");
  clock_->SetMicros(kVectorMicros + 14 * kMinuteMicros);
  EXPECT_TRUE(authenticator_.Authenticate("ListTable", VectorHeaders(), "").ok());
}

TEST_F(AuthenticatorTest, BadDateAndApiVersionAreParameterErrors) {
  wire::HeaderMap headers = VectorHeaders();
  headers["x-ots-date"] = "yesterday";
  ExpectFailure(headers, "", StatusCode::kInvalidArgument, "Invalid date format: yesterday.");
  headers = VectorHeaders();
  headers["x-ots-apiversion"] = "2014-08-08";
  ExpectFailure(headers, "", StatusCode::kInvalidArgument, "Unsupported API version: 2014-08-08.");
}

TEST_F(AuthenticatorTest, UnknownKeyAndWrongSecretFail) {
  wire::HeaderMap headers = VectorHeaders();
  headers["x-ots-accesskeyid"] = "nobody";
  ExpectFailure(headers, "", StatusCode::kAuthFailed, "The AccessKeyID does not exist.");

  headers = VectorHeaders();
  headers["x-ots-signature"] = wire::SignRequest("ListTable", headers, "wrongsecret");
  ExpectFailure(headers, "", StatusCode::kAuthFailed, "Signature mismatch.");
}

TEST_F(AuthenticatorTest, KeyMustBeAllowedOnTheInstance) {
  for (const char* instance : {"other", "missing"}) {
    wire::HeaderMap headers = VectorHeaders();
    headers["x-ots-instancename"] = instance;
    headers["x-ots-signature"] = wire::SignRequest("ListTable", headers, "testsecret");
    ExpectFailure(headers, "", StatusCode::kAuthFailed, "The instance is not found.");
  }
}

TEST_F(AuthenticatorTest, EverySignedHeaderCounts) {
  wire::HeaderMap headers = VectorHeaders();
  headers["x-ots-sdk-traceid"] = "trace-1";
  headers["x-ots-signature"] = wire::SignRequest("ListTable", headers, "testsecret");
  EXPECT_TRUE(authenticator_.Authenticate("ListTable", headers, "").ok());
  headers["x-ots-sdk-traceid"] = "trace-2";
  ExpectFailure(headers, "", StatusCode::kAuthFailed, "Signature mismatch.");
}

TEST_F(AuthenticatorTest, AdminKeysWorkOnEveryInstance) {
  wire::HeaderMap headers = VectorHeaders();
  headers["x-ots-accesskeyid"] = "admin";
  headers["x-ots-instancename"] = "other";
  headers["x-ots-signature"] = wire::SignRequest("ListTable", headers, "adminsecret");
  Result<Caller> caller = authenticator_.Authenticate("ListTable", headers, "");
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_TRUE(caller->is_admin);
}

TEST(AuthenticatorNoAuthTest, OnlyAKnownInstanceIsRequired) {
  AuthOptions options;
  options.verify = false;
  Authenticator authenticator(TestCredentials(), std::make_shared<ManualClock>(0), options);
  Result<Caller> caller =
      authenticator.Authenticate("ListTable", {{"x-ots-instancename", "testinst"}}, "anything");
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_EQ(caller->key, nullptr);

  Result<Caller> with_key = authenticator.Authenticate(
      "ListTable", {{"x-ots-instancename", "testinst"}, {"x-ots-accesskeyid", "testid"}}, "");
  ASSERT_TRUE(with_key.ok());
  ASSERT_NE(with_key->key, nullptr);

  Result<Caller> missing = authenticator.Authenticate("ListTable", {}, "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "Missing header: x-ots-instancename.");
  Result<Caller> unknown =
      authenticator.Authenticate("ListTable", {{"x-ots-instancename", "nope"}}, "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kAuthFailed);
}

}  // namespace
}  // namespace otsync::server
