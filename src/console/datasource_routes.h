// Data sources over the API (the registry of sync/datasource_registry.h, with its name rule and
// messages, and the types of sync/datasource_type.h):
//
//   GET    /api/datasources               {"datasources": [view...]}, sorted by name
//   GET    /api/datasources/{name}        view
//   POST   /api/datasources               form -> 201 view; 409 when the name is taken
//   PUT    /api/datasources/{name}        form -> view; a form without accessKey (or with an
//                                         empty one) keeps the stored key
//   DELETE /api/datasources/{name}        {"deleted": name}
//   POST   /api/datasources/{name}/test   {"ok": true, "message"} or {"ok": false, "step",
//                                         "message"}: step is connect (nothing answers),
//                                         authenticate (key id or signature refused), instance
//                                         (unknown instance) or request (anything else)
//
// A view: {"name", "type", "description"} plus the fields of the source's type
// (sync/datasource_type.h), each secret one F as "FSet" (bool) and F: "********" (never a
// character of the secret): for ots, "endpoint", "instance", "accessId", "accessKeySet" and
// "accessKey"; for odps, "warehouse" and "project". A form has the same fields, with a secret the
// new value in clear; a type the build does not register is refused.
#pragma once

#include <string>

#include "console/console_api.h"
#include "sync/plugin_registry.h"

namespace otsync::console {

// `data_dir` holds datasources.json; `plugins` has the data-source types and their connectivity
// tests. Both must outlive the routes.
void AddDataSourceRoutes(ApiRouter& router, const std::string& data_dir,
                         const sync::PluginRegistry& plugins);

// Which step of Test Connectivity failed, from the tester's error: "connect", "authenticate",
// "instance" or "request".
std::string ConnectivityFailureStep(const Status& failure);

}  // namespace otsync::console
