#include "console/script_secrets.h"

#include <cctype>
#include <map>
#include <regex>
#include <vector>

namespace otsync::console {
namespace {

// "key": "value" for any key, with the escapes of both; group 1 the key as written, group 2 the
// value. Which keys hold secrets is decided on the key as the engine reads it (KeyAsRead).
const std::regex& StringMemberPattern() {
  static const std::regex pattern(R"re("((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)")re",
                                  std::regex::ECMAScript);
  return pattern;
}

// The key a script's reader sees for `written` (a JSON string's text between its quotes): its
// escapes decoded (\uXXXX of ASCII, \" \\ \/ \b \f \n \r \t), blanks at both ends trimmed and
// lowercased, as the engine matches keys (the seed's own script writes "Configuration "). A
// \u escape of a character outside ASCII decodes to a byte no secret key has.
std::string KeyAsRead(std::string_view written) {
  std::string key;
  for (size_t i = 0; i < written.size(); ++i) {
    char c = written[i];
    if (c == '\\' && i + 1 < written.size()) {
      const char escaped = written[++i];
      switch (escaped) {
        case 'b':
          c = '\b';
          break;
        case 'f':
          c = '\f';
          break;
        case 'n':
          c = '\n';
          break;
        case 'r':
          c = '\r';
          break;
        case 't':
          c = '\t';
          break;
        case 'u': {
          unsigned code = 0;
          bool valid = i + 4 < written.size();
          for (size_t digit = 1; valid && digit <= 4; ++digit) {
            const char h = written[i + digit];
            code = code * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(h))
                                                         ? h - '0'
                                                         : (std::tolower(h) - 'a' + 10));
            valid = std::isxdigit(static_cast<unsigned char>(h)) != 0;
          }
          if (!valid) return std::string();  // Not a key the engine would accept either.
          i += 4;
          c = code < 0x80 ? static_cast<char>(code) : '\x80';
          break;
        }
        default:
          c = escaped;
          break;  // \" \\ \/
      }
    }
    key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const size_t first = key.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::string();
  return key.substr(first, key.find_last_not_of(" \t\r\n") - first + 1);
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
