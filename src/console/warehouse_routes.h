// The warehouse of an `odps` data source over the API (writers/odps/warehouse.h, with its
// validation and messages), all signed in:
//
//   GET  /api/warehouses/{name}/tables                  {"datasource", "project", "warehouse",
//                                                        "exists", "tables": [table view...]}
//   POST /api/warehouses/{name}/tables                  create a table -> 201 {"table": view};
//                                                        409 when it exists
//   GET  /api/warehouses/{name}/tables/{table}          {"table": view, "partitions": [...]}
//   GET  /api/warehouses/{name}/tables/{table}/rows     ?partition=&limit=: the first rows
//   GET  /api/warehouses/{name}/tables/{table}/export   ?partition=&compression=: one Parquet file
//   POST /api/warehouses/{name}/query                   {"sql"} -> the rows, bounded
//
// An unknown data source is 404 naming it; one that is not of type odps is 400. A warehouse
// folder that does not exist yet has no tables (the first create makes it); reading never
// creates it. The shapes and limits are in docs/console-api.md ("Warehouse").
#pragma once

#include <cstdint>
#include <string>

#include "console/api_router.h"
#include "sync/plugin_registry.h"

namespace otsync::console {

struct WarehouseRouteLimits {
  int64_t max_query_rows = 1000;  // Rows a query returns at most; the rest is "truncated".
  int64_t max_query_bytes = int64_t{4} << 20;  // Text of those rows at most; likewise.
  int64_t query_timeout_millis = 30'000;       // A query running longer is stopped.
  int concurrent_heavy_requests = 2;           // Queries, first rows and exports running at once.
};

// `data_dir` holds datasources.json, read with the data-source types of `plugins`; both must
// outlive the routes.
void AddWarehouseRoutes(ApiRouter& router, const std::string& data_dir,
                        const sync::PluginRegistry& plugins,
                        const WarehouseRouteLimits& limits = {});

}  // namespace otsync::console
