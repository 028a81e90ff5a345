// The scheduler over the API (docs/console-api.md, "Scheduling", has every request and answer):
//
//   GET    /api/tasks                       {"tasks": [view...]}
//   POST   /api/tasks                       form -> 201 {"task", "warnings"}; 409 name taken
//   POST   /api/tasks/preview               {"task": form, "count"} -> a draft's next instances
//   GET    /api/tasks/{name}                view
//   PUT    /api/tasks/{name}                form (absent fields kept) -> {"task", "warnings"}
//   DELETE /api/tasks/{name}                {"deleted": name}
//   POST   /api/tasks/{name}/freeze         view        POST /api/tasks/{name}/unfreeze   view
//   POST   /api/tasks/{name}/run            {"at"} -> 201 instance view
//   GET    /api/tasks/{name}/preview        ?count=N -> the next instances
//   GET    /api/instances                   ?task=&state=&backfill=&limit= -> {"instances"}
//   GET    /api/instances/{id}              instance view
//   GET    /api/instances/{id}/log          ?offset=&maxBytes= -> a log chunk
//   POST   /api/instances/{id}/kill|rerun|freeze|unfreeze   instance view
//   GET    /api/instances/{id}/progress     server-sent events until the instance is finished
//   GET    /api/events                      ?task= -> server-sent events of every instance
//   POST   /api/backfills/plan              the dry run
//   POST   /api/backfills                   201: the backfill and its instances' ids
//
// The scheduler's statuses become HTTP statuses as everywhere in the API
// (ApiResponse::FromStatus): a refused field, state change or policy is 400, an unknown task or
// instance 404, a task name taken 409.
#pragma once

#include <memory>

#include "base/clock.h"
#include "console/api_router.h"
#include "schedule/scheduler.h"

namespace otsync::console {

// `scheduler` must outlive the routes and every event stream they return (stop the listener
// before the scheduler). `clock` is the scheduler's: "now" of a run without "at".
void AddScheduleRoutes(ApiRouter& router, schedule::Scheduler& scheduler,
                       std::shared_ptr<const Clock> clock);

}  // namespace otsync::console
