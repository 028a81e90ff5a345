// `otsync serve`: the console's JSON API and the scheduler on a loopback address. The server is
// the console room's (console/console_server.h); this is its command line.
//
//   otsync serve [--listen HOST:PORT] [--allow-remote] [--allow-host NAME]...
//                [--admin-password-file FILE] [--max-running N] [--log-retention-days N]
//                [--ui-dir DIR] [--data-dir DIR]
//
// Prints "otsync serve: serving http://HOST:PORT" once it accepts requests, writes
// <data-dir>/serve.json, and runs until SIGINT or SIGTERM, then stops cleanly (exit 0) and
// removes serve.json. Exit 2 for bad arguments (a non-loopback address without --allow-remote,
// a bad password file, a bad --max-running or --log-retention-days), 1 when it cannot start
// (address in use, a server already running for the data dir).
#pragma once

#include <functional>
#include <string>

#include "tools/otsync/cli.h"

namespace CLI {
class App;
}  // namespace CLI

namespace otsync::tools {

// Adds the `serve` command to `app`; as AddTableCommands, parsing sets `*selected` to the
// function that runs it. `data_dir` and `env` must outlive `*selected`.
void AddServeCommand(CLI::App& app, std::string& data_dir, const CliEnvironment& env,
                     std::function<int()>* selected);

}  // namespace otsync::tools
