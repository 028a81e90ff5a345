// The value of one DataWorks scheduling-parameter expression for one instance. The grammar, in
// full in docs/scheduling.md:
//
//   ${pattern[offset]}     the business date written with `pattern`; offset +N / -N / -N*M in
//                          days, or in months (no dd in the pattern) or years (no mm either)
//   $[pattern[offsets]]    the scheduling time; offsets N (days), N/24 (hours), N/24/60
//                          (minutes), several in a row: $[yyyymmdd-1-1/24]
//   $[add_months(pattern,N)]   the scheduling time N months on, month ends kept
//   $bizdate $cyctime $gmtdate $bizmonth $jobid $nodeid $taskid, ${bdp.system.bizdate},
//   ${bdp.system.cyctime}  built-ins
//   anything else          kept as written, so "$[yyyymmddhh24]0000" and constants work
//
// Day offsets move the wall-clock date and keep the time of day; hour and minute offsets move
// the instant (elapsed time) in the instance's zone, after the day offsets.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "schedule/instance_times.h"

namespace otsync::schedule {

// kInvalidArgument, with a message that quotes the part at fault, for an expression containing
// a space or '=' (DataWorks allows neither), an unclosed ${ or $[, an unknown field, offset or
// built-in, an identifier the instance does not have, or a result outside the years 0001-9999.
Result<std::string> ResolveExpression(std::string_view expression, const InstanceTimes& times);

}  // namespace otsync::schedule
