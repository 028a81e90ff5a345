// The tables of a Table Store (`ots`) data source and their Stream, over the API, with real calls
// to the source (ListTable, DescribeTable, UpdateTable) signed with its stored access key:
//
//   GET  /api/datasources/{name}/tables        {"datasource", "tables": [table...]}, by name
//   POST /api/datasources/{name}/tables/{table}/stream
//        {"enable": true, "expirationHours": 24}  -> table (its new state) + "changed" (bool)
//
// A table: {"name", "stream" (bool), "expirationHours" (int, null while off), "streamId"}; a
// table DescribeTable refused has "error" instead of the stream fields.
//
// When the source cannot be asked, 502 {"error": {"code": "datasource_failed", "step",
// "message"}}, with step as Test Connectivity classifies it (ConnectivityFailureStep: connect,
// authenticate, instance or request). A data source of another type is 400, an unknown one 404,
// expirationHours outside 1..168 400. Enabling a Stream that is on with another retention is
// refused (400): Table Store keeps a Stream's retention, so disable it first. Neither answers nor
// messages ever contain the access key.
#pragma once

#include <string>

#include "console/api_router.h"
#include "sync/plugin_registry.h"

namespace otsync::console {

// `data_dir` holds datasources.json, read with the data-source types of `plugins`; both must
// outlive the routes.
void AddSourceTableRoutes(ApiRouter& router, const std::string& data_dir,
                          const sync::PluginRegistry& plugins);

}  // namespace otsync::console
