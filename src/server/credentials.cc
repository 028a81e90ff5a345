#include "server/credentials.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

namespace otsync::server {
namespace {

using nlohmann::json;

Status InvalidField(std::string_view field, std::string_view problem) {
  return Status::InvalidArgument("credentials: " + std::string(field) + " " + std::string(problem));
}

Result<std::vector<std::string>> ParseStringList(const json& parent, const char* key,
                                                 const std::string& field) {
  std::vector<std::string> values;
  auto it = parent.find(key);
  if (it == parent.end()) return values;
  if (!it->is_array()) return InvalidField(field, "must be an array of strings");
  for (const json& item : *it) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      return InvalidField(field, "must hold non-empty strings");
    }
    values.push_back(item.get<std::string>());
  }
  return values;
}

Result<std::vector<AccessKey>> ParseKeys(const json& root, const char* key, bool with_instances) {
  std::vector<AccessKey> keys;
  auto it = root.find(key);
  if (it == root.end()) return keys;
  if (!it->is_array()) return InvalidField(key, "must be an array");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
    if (!entry.is_object()) return InvalidField(field, "must be an object");
    auto id = entry.find("id");
    auto secret = entry.find("secret");
    if (id == entry.end() || !id->is_string() || id->get<std::string>().empty()) {
      return InvalidField(field + ".id", "must be a non-empty string");
    }
    if (secret == entry.end() || !secret->is_string() || secret->get<std::string>().empty()) {
      return InvalidField(field + ".secret", "must be a non-empty string");
    }
    AccessKey access_key(id->get<std::string>(), secret->get<std::string>(), {});
    if (with_instances) {
      OTSYNC_ASSIGN_OR_RETURN(access_key.instances,
                              ParseStringList(entry, "instances", field + ".instances"));
    }
    keys.push_back(std::move(access_key));
  }
  return keys;
}

}  // namespace

AccessKey::AccessKey(std::string id, std::string secret, std::vector<std::string> instances)
    : id(std::move(id)),
      secret(std::move(secret)),
      instances(std::move(instances)),
      signing_key(
          std::make_shared<const wire::HmacKey>(wire::HmacKey::Digest::kSha1, this->secret)) {}

bool Credentials::HasInstance(std::string_view instance) const {
  return std::find(instances.begin(), instances.end(), instance) != instances.end();
}

const AccessKey* Credentials::FindAccessKey(std::string_view id) const {
  for (const AccessKey& key : access_keys) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

const AccessKey* Credentials::FindAdminKey(std::string_view id) const {
  for (const AccessKey& key : admin_keys) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

Credentials DevelopmentCredentials() {
  Credentials credentials;
  credentials.instances = {"local"};
  credentials.access_keys = {{"otsync-local-id", "otsync-local-secret", {"local"}}};
  credentials.admin_keys = {{"admin-id", "admin-secret", {}}};
  return credentials;
}

Result<Credentials> ParseCredentials(std::string_view json_text) {
  json root = json::parse(json_text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::InvalidArgument("credentials: not valid JSON");
  if (!root.is_object()) return Status::InvalidArgument("credentials: must be a JSON object");

  Credentials credentials;
  OTSYNC_ASSIGN_OR_RETURN(credentials.instances, ParseStringList(root, "instances", "instances"));
  OTSYNC_ASSIGN_OR_RETURN(credentials.access_keys, ParseKeys(root, "access_keys", true));
  OTSYNC_ASSIGN_OR_RETURN(credentials.admin_keys, ParseKeys(root, "admin_keys", false));
  if (credentials.instances.empty()) return InvalidField("instances", "must not be empty");
  if (credentials.access_keys.empty()) return InvalidField("access_keys", "must not be empty");

  std::set<std::string> ids;
  for (const auto* list : {&credentials.access_keys, &credentials.admin_keys}) {
    for (const AccessKey& key : *list) {
      if (!ids.insert(key.id).second) {
        return InvalidField("key id \"" + key.id + "\"", "is listed twice");
      }
    }
  }
  for (const AccessKey& key : credentials.access_keys) {
    if (key.instances.empty()) {
      return InvalidField("access key \"" + key.id + "\".instances", "must not be empty");
    }
    for (const std::string& instance : key.instances) {
      if (!credentials.HasInstance(instance)) {
        return InvalidField("access key \"" + key.id + "\".instances",
                            "names unknown instance \"" + instance + "\"");
      }
    }
  }
  return credentials;
}

Result<Credentials> LoadCredentialsFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::IOError("cannot read credentials file " + path);
  std::ostringstream text;
  text << file.rdbuf();
  Result<Credentials> credentials = ParseCredentials(text.str());
  if (!credentials.ok()) return credentials.status().WithContext(path);
  return credentials;
}

}  // namespace otsync::server
