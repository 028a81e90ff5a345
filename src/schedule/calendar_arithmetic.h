// Moving a wall-clock time on the calendar, as the parameter grammar (docs/scheduling.md) does
// for day, month and year offsets: the time of day is kept, no time zone is involved.
#pragma once

#include <cstdint>

#include "sync/local_time.h"

namespace otsync::schedule {

// `days` calendar days later (earlier when negative).
sync::CivilTime AddDays(const sync::CivilTime& time, int64_t days);

// `months` calendar months later, as Oracle's ADD_MONTHS and DataWorks' add_months: the same
// day of the month, except that the last day of a month goes to the last day of the target
// month, and a day the target month lacks becomes its last day (2025-03-31 - 1 month is
// 2025-02-28, 2025-02-28 + 1 month is 2025-03-31, 2024-02-29 - 12 months is 2023-02-28).
sync::CivilTime AddMonths(const sync::CivilTime& time, int64_t months);

}  // namespace otsync::schedule
