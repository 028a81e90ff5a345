#include "console/script_secrets.h"

#include <map>
#include <regex>
#include <vector>

#include "sync/config_object.h"
#include "sync/lenient_json.h"

namespace otsync::console {
namespace {

// "key": "value" for any key, with the escapes of both; group 1 the key as written, group 2 the
// value. Which keys hold secrets is decided on the key as the engine reads it (KeyAsRead).
const std::regex& StringMemberPattern() {
  static const std::regex pattern(R"re("((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)")re",
                                  std::regex::ECMAScript);
  return pattern;
}

// The key the engine reads for `written` (a JSON string's text between its quotes): decoded by
// the scripts' own JSON parser, then normalised as the engine matches keys (NormalizeKey: the
// seed's own script writes "Configuration "). Empty when it does not decode.
std::string KeyAsRead(const std::string& written) {
  Result<sync::ConfigValue> decoded = sync::ParseLenientJson("\"" + written + "\"");
  if (!decoded.ok() || !decoded->is_string()) return std::string();
  return sync::NormalizeKey(decoded->string_value);
}

bool IsSecretKey(const std::string& key) {
  return key == "accesskey" || key == "securitytoken" || key == "password";
}

struct Secret {
  size_t value_start;
  size_t value_length;
  std::string key;  // As the engine reads it (KeyAsRead).
  std::string written_key;
  std::string value;
};

std::vector<Secret> FindSecrets(std::string_view script) {
  std::vector<Secret> secrets;
  std::string text(script);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), StringMemberPattern());
       it != std::sregex_iterator(); ++it) {
    const std::smatch& match = *it;
    std::string key = KeyAsRead(match.str(1));
    if (!IsSecretKey(key)) continue;
    secrets.push_back(Secret{static_cast<size_t>(match.position(2)),
                             static_cast<size_t>(match.length(2)), std::move(key), match.str(1),
                             match.str(2)});
  }
  return secrets;
}

// Replaces the values of `secrets` (in order of position) by what `replacement` says.
template <typename Replacement>
std::string Rewrite(std::string_view script, const std::vector<Secret>& secrets,
                    Replacement replacement) {
  std::string result;
  size_t copied = 0;
  for (const Secret& secret : secrets) {
    result.append(script.substr(copied, secret.value_start - copied));
    result += replacement(secret);
    copied = secret.value_start + secret.value_length;
  }
  result.append(script.substr(copied));
  return result;
}

}  // namespace

std::string MaskScriptSecrets(std::string_view script) {
  return Rewrite(script, FindSecrets(script), [](const Secret& secret) {
    return secret.value.empty() ? std::string() : std::string(kMaskedSecret);
  });
}

Result<std::string> RestoreScriptSecrets(std::string_view script, std::string_view stored) {
  std::map<std::string, std::vector<std::string>> stored_values;
  for (const Secret& secret : FindSecrets(stored)) {
    stored_values[secret.key].push_back(secret.value);
  }
  std::vector<Secret> secrets = FindSecrets(script);
  std::map<std::string, size_t> seen;
  std::vector<std::string> values;
  for (const Secret& secret : secrets) {
    const size_t index = seen[secret.key]++;
    if (secret.value != kMaskedSecret) {
      values.push_back(secret.value);
      continue;
    }
    const std::vector<std::string>& known = stored_values[secret.key];
    if (index >= known.size() || known[index].empty()) {
      return Status::InvalidArgument("script: the value of \"" + secret.written_key +
                                     "\" is the mask " + std::string(kMaskedSecret) +
                                     " but no stored value stands behind it; send the value");
    }
    values.push_back(known[index]);
  }
  size_t next = 0;
  return Rewrite(script, secrets, [&](const Secret&) { return values[next++]; });
}

}  // namespace otsync::console
