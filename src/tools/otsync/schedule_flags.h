// The command-line flags of `otsync task`, `otsync backfill` and `otsync instance` turned into the
// fields of the console API's requests (docs/console-api.md, "Scheduling"), checked before
// anything is sent, each error naming its flag.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace otsync::tools {

// --cycle: the scheduler's text form (docs/scheduling.md, "Cycles") or one of its readable
// spellings, answered in the canonical text form:
//
//   5m | every 5 minutes [from 08:00 to 20:00]       minute 5 [08:00-20:00]
//   2h | every 2 hours [from 08:00 to 20:00]         hour 2 [08:00-20:00]
//   every minute | every hour                        minute 1 | hour 1
//   at :30 on hours 1,13                             hours 1,13 :30
//   daily at 02:00                                   day 02:00
//   weekly on mon,fri at 02:00                       week mon,fri 02:00
//   monthly on 1,15 at 02:00                         month 1,15 02:00
//
// ("5m 08:00-20:00" and "2h 08:00-20:00" take a range too.) kInvalidArgument "--cycle: ..."
// naming what is wrong and listing the forms.
Result<std::string> CycleFromFlag(std::string_view text);

// --param NAME=EXPR (repeatable) and --params "a=x b=y" as one "name=expr ..." list, --params
// first. Each --param is one assignment: an expression with a space (which would split it) is
// refused, as is a name given twice.
Result<std::string> ParametersFromFlags(const std::vector<std::string>& assignments,
                                        const std::string& list);

// A scheduling time flag (--at, --from, --to): "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD HH:MM" (the
// task's zone), answered as "YYYY-MM-DD HH:MM:SS". kInvalidArgument naming `flag` otherwise.
Result<std::string> SchedulingTimeFromFlag(std::string_view flag, std::string_view text);

// --business-dates FIRST..LAST (yyyymmdd..yyyymmdd, both included; one date alone means that
// day only).
struct BusinessDateRange {
  std::string first;
  std::string last;
};
Result<BusinessDateRange> BusinessDatesFromFlag(std::string_view text);

}  // namespace otsync::tools
