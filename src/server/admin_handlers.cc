#include "server/admin_handlers.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "wire/signature.h"

namespace otsync::server {
namespace {

using Json = nlohmann::json;

Status RequireAdmin(const ApiContext& context) {
  if (context.is_admin) return Status::OK();
  return Status(StatusCode::kAuthFailed,
                "The admin operations require a request signed with an admin key.");
}

Result<Json> ParseBody(std::string_view api, std::string_view body) {
  Json json = Json::parse(body.empty() ? std::string_view("{}") : body, nullptr,
                          /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::InvalidArgument(std::string(api) + ": the body must be a JSON object.");
  }
  return json;
}

Result<std::string> StringField(const Json& json, std::string_view api, const char* name) {
  auto it = json.find(name);
  if (it == json.end() || !it->is_string() || it->get<std::string>().empty()) {
    return Status::InvalidArgument(std::string(api) + ": \"" + name +
                                   "\" must be a non-empty string.");
  }
  return it->get<std::string>();
}

// The split key as a value of the first primary-key column's type.
Result<wire::Value> SplitKey(const Json& json, wire::PrimaryKeyType type) {
  auto it = json.find("key");
  const std::string where = std::string(kAdminSplitShardApi) + ": \"key\"";
  if (it == json.end()) return Status::InvalidArgument(where + " is required.");
  switch (type) {
    case wire::PrimaryKeyType::kInteger: {
      if (it->is_number_integer()) return wire::Value::Integer(it->get<int64_t>());
      if (it->is_string()) {
        const std::string text = it->get<std::string>();
        int64_t value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc() && end == text.data() + text.size() && !text.empty()) {
          return wire::Value::Integer(value);
        }
      }
      return Status::InvalidArgument(where +
                                     " must be an integer: the table's first primary "
                                     "key column is INTEGER.");
    }
    case wire::PrimaryKeyType::kString:
      if (it->is_string()) return wire::Value::String(it->get<std::string>());
      return Status::InvalidArgument(where +
                                     " must be a string: the table's first primary key "
                                     "column is STRING.");
    case wire::PrimaryKeyType::kBinary: {
      std::string bytes;
      if (it->is_string() && wire::Base64Decode(it->get<std::string>(), &bytes)) {
        return wire::Value::Binary(std::move(bytes));
      }
      return Status::InvalidArgument(where +
                                     " must be base64 text: the table's first primary "
                                     "key column is BINARY.");
    }
  }
  return Status::InvalidArgument(where + ": unsupported primary key type.");
}

Result<std::string> SplitShard(const ApiContext& context, std::string_view body) {
  OTSYNC_RETURN_IF_ERROR(RequireAdmin(context));
  OTSYNC_ASSIGN_OR_RETURN(Json json, ParseBody(kAdminSplitShardApi, body));
  OTSYNC_ASSIGN_OR_RETURN(std::string table, StringField(json, kAdminSplitShardApi, "table"));
  OTSYNC_ASSIGN_OR_RETURN(std::string shard_id, StringField(json, kAdminSplitShardApi, "shard_id"));
  OTSYNC_ASSIGN_OR_RETURN(wire::TableDescription description,
                          context.store->DescribeTable(context.instance, table));
  OTSYNC_ASSIGN_OR_RETURN(wire::Value key, SplitKey(json, description.primary_key.front().type));
  OTSYNC_ASSIGN_OR_RETURN(std::vector<std::string> children,
                          context.store->SplitStreamShard(context.instance, table, shard_id, key));
  return Json{{"children", children}}.dump();
}

Result<std::string> MergeShards(const ApiContext& context, std::string_view body) {
  OTSYNC_RETURN_IF_ERROR(RequireAdmin(context));
  OTSYNC_ASSIGN_OR_RETURN(Json json, ParseBody(kAdminMergeShardsApi, body));
  OTSYNC_ASSIGN_OR_RETURN(std::string table, StringField(json, kAdminMergeShardsApi, "table"));
  OTSYNC_ASSIGN_OR_RETURN(std::string shard_a, StringField(json, kAdminMergeShardsApi, "shard_a"));
  OTSYNC_ASSIGN_OR_RETURN(std::string shard_b, StringField(json, kAdminMergeShardsApi, "shard_b"));
  OTSYNC_ASSIGN_OR_RETURN(std::string child, context.store->MergeStreamShards(
                                                 context.instance, table, shard_a, shard_b));
  return Json{{"child", child}}.dump();
}

Result<std::string> Trim(const ApiContext& context, std::string_view body) {
  OTSYNC_RETURN_IF_ERROR(RequireAdmin(context));
  OTSYNC_RETURN_IF_ERROR(ParseBody(kAdminTrimApi, body).status());
  OTSYNC_ASSIGN_OR_RETURN(store::TrimStats stats, context.store->TrimStreams());
  return Json{{"shards_trimmed", stats.shards_trimmed}, {"shards_removed", stats.shards_removed}}
      .dump();
}

}  // namespace

void RegisterAdminHandlers(RequestDispatcher* dispatcher) {
  dispatcher->Register(std::string(kAdminSplitShardApi), &SplitShard);
  dispatcher->Register(std::string(kAdminMergeShardsApi), &MergeShards);
  dispatcher->Register(std::string(kAdminTrimApi), &Trim);
}

}  // namespace otsync::server
