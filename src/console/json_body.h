// JSON in and out of the API's handlers (included by the console's route files only).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.h"
#include "console/api_types.h"

namespace otsync::console {

// The request's body as a JSON object; kInvalidArgument naming the problem (an empty body is
// an empty object).
Result<nlohmann::json> ParseJsonObject(const ApiRequest& request);

// `object[key]` as a string: `fallback` when absent or null; kInvalidArgument naming the key
// when of another type.
Result<std::string> StringField(const nlohmann::json& object, std::string_view key,
                                std::string fallback = "");
// `object[key]` as an integer in [min, max]: `fallback` when absent or null.
Result<int64_t> IntegerField(const nlohmann::json& object, std::string_view key, int64_t fallback,
                             int64_t min, int64_t max);

// `object[key]` as a boolean: `fallback` when absent or null.
Result<bool> BoolField(const nlohmann::json& object, std::string_view key, bool fallback);

ApiResponse JsonReply(int status, const nlohmann::json& body);

}  // namespace otsync::console
