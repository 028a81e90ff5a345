#include "server/credentials.h"

#include <gtest/gtest.h>

namespace otsync::server {
namespace {

TEST(CredentialsTest, ParsesInstancesAccessKeysAndAdminKeys) {
  Result<Credentials> credentials = ParseCredentials(R"({
    "instances": ["local", "other"],
    "access_keys": [{"id": "k1", "secret": "s1", "instances": ["local"]}],
    "admin_keys": [{"id": "admin", "secret": "s2"}]})");
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_TRUE(credentials->HasInstance("other"));
  EXPECT_FALSE(credentials->HasInstance("missing"));
  ASSERT_NE(credentials->FindAccessKey("k1"), nullptr);
  EXPECT_EQ(credentials->FindAccessKey("k1")->secret, "s1");
  EXPECT_EQ(credentials->FindAccessKey("admin"), nullptr);
  ASSERT_NE(credentials->FindAdminKey("admin"), nullptr);
}

TEST(CredentialsTest, DevelopmentCredentialsMatchTheDocumentedSet) {
  const Credentials credentials = DevelopmentCredentials();
  EXPECT_TRUE(credentials.HasInstance("local"));
  ASSERT_NE(credentials.FindAccessKey("otsync-local-id"), nullptr);
  EXPECT_EQ(credentials.FindAccessKey("otsync-local-id")->secret, "otsync-local-secret");
  ASSERT_NE(credentials.FindAdminKey("admin-id"), nullptr);
}

TEST(CredentialsTest, ErrorsNameTheFieldAndNeverTheSecret) {
  Result<Credentials> missing_secret = ParseCredentials(
      R"({"instances": ["local"], "access_keys": [{"id": "k1", "instances": ["local"]}]})");
  ASSERT_FALSE(missing_secret.ok());
  EXPECT_NE(missing_secret.status().message().find("access_keys[0].secret"), std::string::npos);

  Result<Credentials> unknown_instance = ParseCredentials(
      R"({"instances": ["local"],
          "access_keys": [{"id": "k1", "secret": "hunter2", "instances": ["nope"]}]})");
  ASSERT_FALSE(unknown_instance.ok());
  EXPECT_NE(unknown_instance.status().message().find("nope"), std::string::npos);
  EXPECT_EQ(unknown_instance.status().message().find("hunter2"), std::string::npos);

  Result<Credentials> duplicate = ParseCredentials(
      R"({"instances": ["local"],
          "access_keys": [{"id": "k1", "secret": "hunter2", "instances": ["local"]}],
          "admin_keys": [{"id": "k1", "secret": "hunter3"}]})");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().message().find("hunter"), std::string::npos);

  EXPECT_FALSE(ParseCredentials("{not json").ok());
  EXPECT_FALSE(LoadCredentialsFile("/nonexistent/credentials.json").ok());
}

}  // namespace
}  // namespace otsync::server
