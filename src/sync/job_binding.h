// Binding a parsed job to the data-source registry: the connections a run uses, with the
// configuration errors (unknown name, wrong type) found before anything runs. Errors are
// kInvalidArgument naming the key path of the script form the job came in; other registry
// failures (unreadable file) keep their own code.
#pragma once

#include <optional>

#include "base/result.h"
#include "sync/datasource_registry.h"
#include "sync/job_spec.h"

namespace otsync::sync {

struct JobConnections {
  OtsConnectionSpec reader;  // From the named `ots` data source or given directly.
  std::optional<OdpsDataSourceConfig> warehouse;  // Set when the writer is `odps`.
};

// The odps writer's `datasource`, or else the single `odps` data source whose project is the
// writer's `project` (DataX jobs name projects, not data sources).
Result<JobConnections> ResolveConnections(const JobSpec& job, const DataSourceRegistry& registry);

}  // namespace otsync::sync
