// Secrets of job scripts: masked in views, the text otherwise as written; a mask sent back keeps
// the stored value, key by key and occurrence by occurrence; a mask with nothing behind it is
// refused.
#include "console/script_secrets.h"

#include <gtest/gtest.h>

namespace otsync::console {
namespace {

constexpr char kScript[] = R"({"reader": {"parameter": {
    "endpoint": "http://127.0.0.1:1", "accessId": "id",
    "accessKey":  "first-secret", "AccessKey": "",
    "nested": [{"password": "pa\"ss"}], " accessKey ": "spaced-secret",
    "PASS\u0057ORD": "escaped-secret"}},
  "writer": {"parameter": {"securityToken": "token-7", "note": "accessKey: not-a-key"}}})";

TEST(ScriptSecretsTest, MasksEverySecretValueAndNothingElse) {
  const std::string masked = MaskScriptSecrets(kScript);
  EXPECT_EQ(masked, R"({"reader": {"parameter": {
    "endpoint": "http://127.0.0.1:1", "accessId": "id",
    "accessKey":  "********", "AccessKey": "",
    "nested": [{"password": "********"}], " accessKey ": "********",
    "PASS\u0057ORD": "********"}},
  "writer": {"parameter": {"securityToken": "********", "note": "accessKey: not-a-key"}}})");
  for (const char* secret :
       {"first-secret", "pa\\\"ss", "token-7", "spaced-secret", "escaped-secret"}) {
    EXPECT_EQ(masked.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(MaskScriptSecrets("not json at all"), "not json at all");
}

TEST(ScriptSecretsTest, AMaskSentBackKeepsTheStoredValue) {
  Result<std::string> restored = RestoreScriptSecrets(MaskScriptSecrets(kScript), kScript);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, kScript);

  // A new value replaces the stored one; the second accessKey (now masked) is the stored second.
  Result<std::string> changed =
      RestoreScriptSecrets(R"({"accessKey": "new-secret", "x": {"ACCESSKEY": "********"}})",
                           R"({"accessKey": "old-1", "y": {"accessKey": "old-2"}})");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(*changed, R"({"accessKey": "new-secret", "x": {"ACCESSKEY": "old-2"}})");
}

TEST(ScriptSecretsTest, AMaskWithoutAStoredSecretIsRefused) {
  Result<std::string> created = RestoreScriptSecrets(R"({"password": "********"})", "");
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().message(),
            "script: the value of \"password\" is the mask ******** but no stored value stands "
            "behind it; send the value");
  EXPECT_FALSE(RestoreScriptSecrets(R"({"accessKey": "********"})", R"({"accessKey": ""})").ok());
}

}  // namespace
}  // namespace otsync::console
