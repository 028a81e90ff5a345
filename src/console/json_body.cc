#include "console/json_body.h"

namespace otsync::console {

Result<nlohmann::json> ParseJsonObject(const ApiRequest& request) {
  if (request.body.empty()) return nlohmann::json::object();
  nlohmann::json parsed = nlohmann::json::parse(request.body, nullptr, false);
  if (parsed.is_discarded()) return Status::InvalidArgument("the request body is not valid JSON");
  if (!parsed.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return parsed;
}

Result<std::string> StringField(const nlohmann::json& object, std::string_view key,
                                std::string fallback) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return fallback;
  if (!found->is_string()) return Status::InvalidArgument(std::string(key) + ": expected a string");
  return found->get<std::string>();
}

Result<int64_t> IntegerField(const nlohmann::json& object, std::string_view key, int64_t fallback,
                             int64_t min, int64_t max) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return fallback;
  if (!found->is_number_integer()) {
    return Status::InvalidArgument(std::string(key) + ": expected an integer");
  }
  int64_t value = found->get<int64_t>();
  if (value < min || value > max) {
    return Status::InvalidArgument(std::string(key) + ": expected " + std::to_string(min) + ".." +
                                   std::to_string(max) + ", got " + std::to_string(value));
  }
  return value;
}

Result<bool> BoolField(const nlohmann::json& object, std::string_view key, bool fallback) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return fallback;
  if (!found->is_boolean())
    return Status::InvalidArgument(std::string(key) + ": expected true or false");
  return found->get<bool>();
}

ApiResponse JsonReply(int status, const nlohmann::json& body) {
  return ApiResponse::Json(status,
                           body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace otsync::console
