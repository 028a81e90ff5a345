// The query parameters of an API request, read with the checks and messages every route shares
// (included by the console's route files only).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "console/api_types.h"

namespace otsync::console {

// The query parameter `key` as a whole decimal integer in [min, max]: `fallback` when absent
// (not checked against the bounds). Anything else — empty, a sign other than a leading '-',
// spaces, other characters, out of range or beyond int64 — is kInvalidArgument
// "<key>: expected an integer <min>..<max>, got '<text>'".
Result<int64_t> QueryInteger(const ApiRequest& request, const std::string& key, int64_t fallback,
                             int64_t min, int64_t max);

}  // namespace otsync::console
