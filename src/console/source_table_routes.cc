#include "console/source_table_routes.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/parallel_for.h"
#include "client/client.h"
#include "console/datasource_routes.h"
#include "console/json_body.h"
#include "readers/otsstream/ots_datasource.h"
#include "readers/otsstream/status_keys.h"
#include "sync/datasource_registry.h"
#include "sync/ots_hints.h"
#include "wire/table_schema.h"

namespace otsync::console {
namespace {

constexpr int64_t kMinExpirationHours = 1;
constexpr int64_t kMaxExpirationHours = 168;
// DescribeTable calls of one listing in flight at once: an instance of a hundred tables is listed
// in the time of a few round trips, without opening a connection per table.
constexpr size_t kDescribeConcurrency = 8;

// An `ots` data source and a client signed with its key.
struct OtsSource {
  std::string name;
  std::string endpoint;
  std::unique_ptr<client::Client> client;
};

ApiResponse SourceFailure(const OtsSource& source, const Status& failure) {
  Status explained = sync::ExplainNetworkFailure(failure, source.name, source.endpoint);
  nlohmann::json error = {{"code", "datasource_failed"},
                          {"step", ConnectivityFailureStep(explained)},
                          {"message", explained.message()}};
  return JsonReply(502, {{"error", error}});
}

nlohmann::json TableView(const std::string& name, const Result<wire::TableDescription>& table) {
  nlohmann::json view = {{"name", name}};
  if (!table.ok()) {
    view["error"] = table.status().message();
    return view;
  }
  view["stream"] = table->stream.enabled;
  // The key in its order, so that the wizard fills the primary-key columns instead of asking.
  nlohmann::json primary_key = nlohmann::json::array();
  for (const wire::PrimaryKeySchemaColumn& column : table->primary_key) {
    primary_key.push_back(
        {{"name", column.name}, {"type", std::string(wire::PrimaryKeyTypeName(column.type))}});
  }
  view["primaryKey"] = std::move(primary_key);
  // A table with the key of the otsstream reader's status table (StreamId, StatusType,
  // StatusValue) holds checkpoints, not data: the wizard offers it as a status table only.
  view["statusTable"] = table->primary_key == readers::otsstream::StatusTableSchema();
  view["expirationHours"] =
      table->stream.enabled ? nlohmann::json(table->stream.expiration_hours) : nullptr;
  view["streamId"] = table->stream.enabled ? nlohmann::json(table->stream.stream_id) : nullptr;
  return view;
}

class SourceTableApi {
 public:
  SourceTableApi(std::string data_dir, const sync::PluginRegistry& plugins)
      : data_dir_(std::move(data_dir)), plugins_(plugins) {}

  ApiResponse List(const std::string& name) {
    OtsSource source;
    if (std::optional<ApiResponse> refused = Connect(name, &source)) return *refused;
    Result<std::vector<std::string>> names = source.client->ListTable();
    if (!names.ok()) return SourceFailure(source, names.status());
    std::sort(names->begin(), names->end());
    std::vector<Result<wire::TableDescription>> described(names->size(),
                                                          Status::Internal("not described"));
    ParallelFor(names->size(), kDescribeConcurrency,
                [&](size_t i) { described[i] = source.client->DescribeTable((*names)[i]); });
    nlohmann::json tables = nlohmann::json::array();
    for (size_t i = 0; i < names->size(); ++i) {
      tables.push_back(TableView((*names)[i], described[i]));
    }
    return JsonReply(200, {{"datasource", name}, {"tables", tables}});
  }

  ApiResponse SetStream(const ApiRequest& request) {
    Result<nlohmann::json> body = ParseJsonObject(request);
    if (!body.ok()) return ApiResponse::FromStatus(body.status());
    for (const auto& [key, value] : body->items()) {
      if (key != "enable" && key != "expirationHours") {
        return ApiResponse::Error(
            400, "invalid_argument",
            key + ": not a field of a Stream change (the fields: enable, expirationHours)");
      }
    }
    if (!body->contains("enable")) {
      return ApiResponse::Error(400, "invalid_argument", "enable: required (true or false)");
    }
    Result<bool> enable = BoolField(*body, "enable", false);
    if (!enable.ok()) return ApiResponse::FromStatus(enable.status());
    Result<int64_t> hours =
        IntegerField(*body, "expirationHours", 24, kMinExpirationHours, kMaxExpirationHours);
    if (!hours.ok()) return ApiResponse::FromStatus(hours.status());

    const std::string name = request.PathParam("name");
    const std::string table = request.PathParam("table");
    OtsSource source;
    if (std::optional<ApiResponse> refused = Connect(name, &source)) return *refused;
    Result<wire::TableDescription> before = source.client->DescribeTable(table);
    if (!before.ok()) {
      if (before.status().code() == StatusCode::kNotFound) {
        return ApiResponse::Error(404, "not_found",
                                  "data source '" + name + "' has no table '" + table + "'");
      }
      return SourceFailure(source, before.status());
    }
    if (before->stream.enabled == *enable &&
        (!*enable || before->stream.expiration_hours == *hours)) {
      nlohmann::json view = TableView(table, before);
      view["changed"] = false;
      return JsonReply(200, view);
    }
    if (*enable && before->stream.enabled) {
      return ApiResponse::Error(
          400, "invalid_argument",
          "the Stream of table '" + table + "' is already on with a retention of " +
              std::to_string(before->stream.expiration_hours) +
              " hours; Table Store cannot change a Stream's retention: disable it first (its "
              "records are then lost) and enable it again");
    }
    wire::TableUpdate update;
    wire::StreamSettings stream;
    stream.enabled = *enable;
    stream.expiration_hours = *enable ? static_cast<int32_t>(*hours) : 0;
    update.stream = stream;
    Result<client::UpdateTableResult> updated = source.client->UpdateTable(table, update);
    if (!updated.ok()) return SourceFailure(source, updated.status());
    Result<wire::TableDescription> after = source.client->DescribeTable(table);
    if (!after.ok()) return SourceFailure(source, after.status());
    nlohmann::json view = TableView(table, after);
    view["changed"] = true;
    return JsonReply(200, view);
  }

 private:
  // A client of the data source `name` in `*source`, or the answer that explains why not.
  std::optional<ApiResponse> Connect(const std::string& name, OtsSource* source) {
    Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir_, plugins_);
    if (!registry.ok()) return ApiResponse::FromStatus(registry.status());
    Result<sync::DataSource> found = registry->Get(name);
    if (!found.ok()) return ApiResponse::FromStatus(found.status());
    Result<readers::otsstream::OtsDataSourceConfig> ots =
        readers::otsstream::OtsDataSourceConfigOf(*found);
    if (!ots.ok()) {
      return ApiResponse::Error(400, "invalid_argument",
                                "data source '" + name + "' is of type " + found->type +
                                    ": only a Table Store (ots) data source has tables to list");
    }
    client::ClientOptions options = readers::otsstream::OtsClientOptions(*ots);
    // A person waits for the answer: fail fast, as Test Connectivity does.
    options.connect_timeout = std::chrono::milliseconds(3000);
    options.request_timeout = std::chrono::milliseconds(10000);
    options.max_retries = 0;
    source->name = name;
    source->endpoint = ots->endpoint;
    Result<std::unique_ptr<client::Client>> client = client::Client::Create(std::move(options));
    if (!client.ok()) return SourceFailure(*source, client.status());
    source->client = std::move(*client);
    return std::nullopt;
  }

  const std::string data_dir_;
  const sync::PluginRegistry& plugins_;
};

}  // namespace

void AddSourceTableRoutes(ApiRouter& router, const std::string& data_dir,
                          const sync::PluginRegistry& plugins) {
  auto api = std::make_shared<SourceTableApi>(data_dir, plugins);
  router.Add("GET", "/api/datasources/{name}/tables", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->List(request.PathParam("name")); });
  router.Add("POST", "/api/datasources/{name}/tables/{table}/stream", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->SetStream(request); });
}

}  // namespace otsync::console
