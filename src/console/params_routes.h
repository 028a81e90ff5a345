// The parameter preview (docs/scheduling.md's grammar, schedule/parameter_list.h):
//
//   POST /api/params/preview
//     {"parameters": "startTime=$[yyyymmddhh24miss-10/24/60] pt=${bdp.system.bizdate}",
//      "at": "2025-11-01 02:30:45",  // the first scheduling time; default now
//      "zone": "Asia/Shanghai",      // default
//      "count": 3,                   // instances, 1..100; default 1
//      "intervalMinutes": 60,        // between scheduling times; needed when count > 1
//      "backfillDate": "20251031"}   // instead: backfill instances of this business date and
//                                    // the following ones, at the time of day of "at"
//   -> {"zone", "instances": [{"schedulingTime": "2025-11-01 02:30:45", "businessDate":
//       "20251031", "values": [{"name": "startTime", "value": "20251101022045"}, ...]}, ...]}
//
// A parameter that does not resolve is 400 naming it and the reason. Once tasks exist, the
// task's cycle gives the scheduling times instead of intervalMinutes.
#pragma once

#include <memory>

#include "base/clock.h"
#include "console/api_router.h"

namespace otsync::console {

void AddParamsRoutes(ApiRouter& router, std::shared_ptr<const Clock> clock);

}  // namespace otsync::console
