// The instances and access keys otsd accepts, from a JSON credentials file or the built-in
// development set. Secrets live only here and in the Authenticator; nothing that prints,
// logs or lists credentials may include a secret.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "wire/hmac.h"

namespace otsync::server {

struct AccessKey {
  AccessKey(std::string id, std::string secret, std::vector<std::string> instances);

  std::string id;
  std::string secret;
  std::vector<std::string> instances;  // Instances this key may use; empty for admin keys.
  // `secret` prepared for HMAC-SHA1: what checks a request's signature and signs the answer.
  std::shared_ptr<const wire::HmacKey> signing_key;
};

struct Credentials {
  std::vector<std::string> instances;
  std::vector<AccessKey> access_keys;
  std::vector<AccessKey> admin_keys;  // For the admin operations of the Stream issue.

  bool HasInstance(std::string_view instance) const;
  // nullptr when no access key has this id.
  const AccessKey* FindAccessKey(std::string_view id) const;
  const AccessKey* FindAdminKey(std::string_view id) const;
};

// The credentials used without --credentials: instance "local", access key
// "otsync-local-id" / "otsync-local-secret", admin key "admin-id" / "admin-secret".
Credentials DevelopmentCredentials();

// Parses the credentials file format:
//   {"instances": ["local"],
//    "access_keys": [{"id": "...", "secret": "...", "instances": ["local"]}],
//    "admin_keys": [{"id": "...", "secret": "..."}]}
// Every key needs a non-empty id and secret; ids are unique; an access key's instances must be
// listed in "instances". Error messages name the offending field, never a secret.
Result<Credentials> ParseCredentials(std::string_view json_text);
Result<Credentials> LoadCredentialsFile(const std::string& path);

}  // namespace otsync::server
