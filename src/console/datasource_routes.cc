#include "console/datasource_routes.h"

#include <memory>
#include <mutex>

#include "console/json_body.h"
#include "sync/datasource_registry.h"
#include "sync/ots_hints.h"

namespace otsync::console {
namespace {

constexpr char kMaskedKey[] = "********";

// The registry reads only sources of registered types.
const sync::DataSourceType& TypeOf(const sync::DataSource& source,
                                   const sync::PluginRegistry& plugins) {
  return *plugins.FindDataSourceType(source.type);
}

nlohmann::json View(const sync::DataSource& source, const sync::DataSourceType& type) {
  nlohmann::json view = {
      {"name", source.name}, {"type", source.type}, {"description", source.description}};
  for (const sync::DataSourceField& field : type.fields) {
    const std::string& value = source.field(field.key);
    if (field.secret) {
      view[field.key + "Set"] = !value.empty();
      view[field.key] = value.empty() ? "" : kMaskedKey;
    } else {
      view[field.key] = value;
    }
  }
  return view;
}

// The data source a form describes. `stored` (for an update) supplies the secrets the form leaves
// out.
Result<sync::DataSource> FromForm(const nlohmann::json& form, const std::string& name,
                                  const sync::DataSource* stored,
                                  const sync::PluginRegistry& plugins) {
  sync::DataSource source;
  source.name = name;
  OTSYNC_ASSIGN_OR_RETURN(source.type,
                          StringField(form, "type", stored ? stored->type : std::string()));
  OTSYNC_ASSIGN_OR_RETURN(source.description, StringField(form, "description"));
  const sync::DataSourceType* type = plugins.FindDataSourceType(source.type);
  if (type == nullptr) {
    return Status::InvalidArgument("type: expected " + plugins.DataSourceTypeChoices() + ", got '" +
                                   source.type + "'");
  }
  for (const sync::DataSourceField& field : type->fields) {
    Result<std::string> given = StringField(form, field.key);
    if (!given.ok()) return given.status();
    std::string value = *given;
    if (field.secret) {
      if (value == kMaskedKey) value.clear();  // The mask sent back unchanged.
      if (value.empty() && stored != nullptr && stored->type == source.type) {
        value = stored->field(field.key);
      }
    }
    source.fields[field.key] = std::move(value);
  }
  OTSYNC_RETURN_IF_ERROR(sync::ValidateDataSource(source, *type));
  return source;
}

struct DataSourceApi {
  std::string data_dir;
  const sync::PluginRegistry* plugins;
  std::mutex write_mutex;  // Read-modify-write of the registry file, one at a time.

  ApiResponse List() {
    Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir, *plugins);
    if (!registry.ok()) return ApiResponse::FromStatus(registry.status());
    Result<std::vector<sync::DataSource>> sources = registry->List();
    if (!sources.ok()) return ApiResponse::FromStatus(sources.status());
    nlohmann::json views = nlohmann::json::array();
    for (const sync::DataSource& source : *sources) {
      views.push_back(View(source, TypeOf(source, *plugins)));
    }
    return JsonReply(200, {{"datasources", views}});
  }

  ApiResponse Get(const std::string& name) {
    Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir, *plugins);
    if (!registry.ok()) return ApiResponse::FromStatus(registry.status());
    Result<sync::DataSource> source = registry->Get(name);
    if (!source.ok()) return ApiResponse::FromStatus(source.status());
    return JsonReply(200, View(*source, TypeOf(*source, *plugins)));
  }

  ApiResponse Save(const ApiRequest& request, bool create) {
    Result<nlohmann::json> form = ParseJsonObject(request);
    if (!form.ok()) return ApiResponse::FromStatus(form.status());
    std::string name = request.PathParam("name");
    Result<std::string> form_name = StringField(*form, "name", name);
    if (!form_name.ok()) return ApiResponse::FromStatus(form_name.status());
    if (!create && *form_name != name) {
      return ApiResponse::Error(400, "invalid_argument",
                                "name: a data source cannot be renamed; create '" + *form_name +
                                    "' and remove '" + name + "'");
    }
    name = *form_name;
    std::lock_guard lock(write_mutex);
    Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir, *plugins);
    if (!registry.ok()) return ApiResponse::FromStatus(registry.status());
    std::unique_ptr<sync::DataSource> stored;
    if (!create) {
      Result<sync::DataSource> found = registry->Get(name);
      if (!found.ok()) return ApiResponse::FromStatus(found.status());
      stored = std::make_unique<sync::DataSource>(std::move(*found));
    }
    Result<sync::DataSource> source = FromForm(*form, name, stored.get(), *plugins);
    if (!source.ok()) return ApiResponse::FromStatus(source.status());
    if (Status added = registry->Add(*source, /*replace=*/!create); !added.ok()) {
      return ApiResponse::FromStatus(added);
    }
    return JsonReply(create ? 201 : 200, View(*source, TypeOf(*source, *plugins)));
  }

  ApiResponse Delete(const std::string& name) {
    std::lock_guard lock(write_mutex);
    Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir, *plugins);
    if (!registry.ok()) return ApiResponse::FromStatus(registry.status());
    if (Status removed = registry->Remove(name); !removed.ok()) {
      return ApiResponse::FromStatus(removed);
    }
    return JsonReply(200, {{"deleted", name}});
  }

  ApiResponse Test(const std::string& name) {
    Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir, *plugins);
    if (!registry.ok()) return ApiResponse::FromStatus(registry.status());
    Result<sync::DataSource> source = registry->Get(name);
    if (!source.ok()) return ApiResponse::FromStatus(source.status());
    return TestSource(*source);
  }

  // The seed's Test Connectivity before Complete: the source as the form describes it, tested
  // and not stored. A secret the form leaves empty is the stored one of the source of that name
  // (editing a source), as a save would keep it.
  ApiResponse TestForm(const ApiRequest& request) {
    Result<nlohmann::json> form = ParseJsonObject(request);
    if (!form.ok()) return ApiResponse::FromStatus(form.status());
    Result<std::string> name = StringField(*form, "name");
    if (!name.ok()) return ApiResponse::FromStatus(name.status());
    Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir, *plugins);
    if (!registry.ok()) return ApiResponse::FromStatus(registry.status());
    std::unique_ptr<sync::DataSource> stored;
    if (Result<sync::DataSource> found = registry->Get(*name); found.ok()) {
      stored = std::make_unique<sync::DataSource>(std::move(*found));
    }
    Result<sync::DataSource> source = FromForm(*form, *name, stored.get(), *plugins);
    if (!source.ok()) return ApiResponse::FromStatus(source.status());
    return TestSource(*source);
  }

  ApiResponse TestSource(const sync::DataSource& source) {
    const sync::DataSourceTester& tester = TypeOf(source, *plugins).test;
    if (!tester) {
      return ApiResponse::Error(501, "unsupported",
                                "testing data sources of type " + source.type +
                                    " is not available in this build of otsync");
    }
    Result<std::string> tested = tester(source);
    if (!tested.ok()) {
      return JsonReply(200, {{"ok", false},
                             {"step", ConnectivityFailureStep(tested.status())},
                             {"message", tested.status().message()}});
    }
    return JsonReply(200, {{"ok", true}, {"message", *tested}});
  }
};

}  // namespace

std::string ConnectivityFailureStep(const Status& failure) {
  if (sync::IsNetworkFailure(failure)) return "connect";
  if (failure.code() == StatusCode::kAuthFailed) {
    return failure.message().find("instance") != std::string::npos ? "instance" : "authenticate";
  }
  return "request";
}

void AddDataSourceRoutes(ApiRouter& router, const std::string& data_dir,
                         const sync::PluginRegistry& plugins) {
  auto api = std::make_shared<DataSourceApi>();
  api->data_dir = data_dir;
  api->plugins = &plugins;
  router.Add("GET", "/api/datasources", Access::kSignedIn,
             [api](const ApiRequest&) { return api->List(); });
  router.Add("POST", "/api/datasources", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->Save(request, /*create=*/true); });
  router.Add("GET", "/api/datasources/{name}", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->Get(request.PathParam("name")); });
  router.Add("PUT", "/api/datasources/{name}", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->Save(request, /*create=*/false); });
  router.Add("DELETE", "/api/datasources/{name}", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->Delete(request.PathParam("name")); });
  router.Add("POST", "/api/datasources/test-connectivity", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->TestForm(request); });
  router.Add("POST", "/api/datasources/{name}/test", Access::kSignedIn,
             [api](const ApiRequest& request) { return api->Test(request.PathParam("name")); });
}

}  // namespace otsync::console
