// The JSON dialect of job scripts: strict JSON plus `//` and `/* */` comments outside strings and
// a trailing comma before `}` or `]`, as the seed's script-mode example is written.
#pragma once

#include <string_view>

#include "base/result.h"
#include "sync/config_value.h"

namespace otsync::sync {

// Errors are kInvalidArgument with the 1-based position in `text`:
// "line 3, column 7: syntax error while parsing object key - unexpected '}'; expected string
// literal". A message never quotes the offending token, which could be part of a secret.
Result<ConfigValue> ParseLenientJson(std::string_view text);

}  // namespace otsync::sync
