// The scheduler from the command line, for scripts and cron: clients of the running
// `otsync serve` of the data dir (serve_client.h) and of exactly its routes
// (docs/console-api.md, "Scheduling"):
//
//   otsync task create NAME --script FILE --cycle CYCLE [--param NAME=EXPR]... [--params "..."]
//                      [--time-zone ZONE] [--rerun always|after-failure|never] [--retries N]
//                      [--retry-interval SECONDS] [--self-dependent] [--frozen]
//   otsync task update NAME [the same flags, each optional; --no-self-dependent]
//   otsync task list | show NAME [--next N] | remove NAME | freeze NAME | unfreeze NAME
//   otsync task run NAME [--at 'YYYY-MM-DD HH:MM:SS'] [--wait]
//   otsync backfill NAME (--from T --to T | --business-dates FIRST..LAST) [--parallel N]
//                   [--reprocess none|failed|all] [--dry-run]
//   otsync instance list [TASK] [--state S] [--backfill ID] [--limit N]
//   otsync instance show ID | log ID [--follow] | kill ID [--wait] | rerun ID [--wait]
//
// --cycle takes the forms of schedule_flags.h. Every command takes --format json (the API's JSON
// as the server sent it) instead of the aligned tables, and --data-dir.
//
// Exit status as tools/otsync/cli.h: 0 done (and, with --wait or log --follow, the instance
// succeeded); 1 no server runs or it cannot be reached, the request failed, or the waited-for
// instance ended failed or killed; 2 bad arguments, or the server refused the request as invalid
// (400), unknown (404) or taken (409), with the server's message.
#pragma once

#include <functional>
#include <string>

#include "tools/otsync/cli.h"

namespace CLI {
class App;
}  // namespace CLI

namespace otsync::tools {

// Adds the `task`, `backfill` and `instance` command groups to `app`; as AddTableCommands,
// parsing sets `*selected` to the function that runs the command. `data_dir` and `env` must
// outlive `*selected`.
void AddScheduleCommands(CLI::App& app, std::string& data_dir, const CliEnvironment& env,
                         std::function<int()>* selected);

}  // namespace otsync::tools
