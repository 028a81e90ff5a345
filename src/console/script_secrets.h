// The secrets a job script may hold in clear (the value of an "accessKey", "securityToken" or
// "password" key, any letter case, anywhere in the script; the key read as the engine reads it,
// escapes decoded and blanks inside its quotes trimmed), kept out of what the API shows: a
// task's view shows each as "********", and an update that sends the mask back keeps the stored
// value. The script's text is otherwise left exactly as written (the keys are found in the text,
// so a script that is not valid JSON before its parameters are substituted is masked too).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace otsync::console {

inline constexpr std::string_view kMaskedSecret = "********";

// `script` with the value of every non-empty secret replaced by kMaskedSecret.
std::string MaskScriptSecrets(std::string_view script);

// `script` with every kMaskedSecret value replaced by the value the same key (the n-th
// occurrence of that key's name) has in `stored`; kInvalidArgument naming the key when `stored`
// has none (a mask without a secret behind it).
Result<std::string> RestoreScriptSecrets(std::string_view script, std::string_view stored);

}  // namespace otsync::console
