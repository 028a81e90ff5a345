// `otsync params`, the scheduling-parameter grammar on the command line:
//
//   otsync params resolve --at 'YYYY-MM-DD HH:MM:SS' [--tz ZONE] [--backfill-date YYYYMMDD]
//                         [--job-id ID] [--node-id ID] [--task-id ID] NAME=EXPRESSION...
//
// prints NAME=VALUE, one line per parameter in the order given, for the instance scheduled at
// --at (a wall-clock time in --tz, Asia/Shanghai by default), or with --backfill-date for the
// backfill instance of that business date at the time of day of --at. Exit status 0; 2 for a bad
// argument or expression, each named with its reason on `err`, and nothing on `out`.
#pragma once

#include <optional>
#include <ostream>

namespace CLI {
class App;
}

namespace otsync::schedule {

// Adds `params` to `app`. When the command line names it, the command runs during the parse and
// stores its exit status in `*exit_status`. `out`, `err` and `exit_status` must outlive the parse.
void AddParamsCommand(CLI::App& app, std::ostream& out, std::ostream& err,
                      std::optional<int>* exit_status);

}  // namespace otsync::schedule
