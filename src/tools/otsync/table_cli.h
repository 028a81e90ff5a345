// `otsync table ...`: source-side commands on a named `ots` data source (the embedded
// `otsstream` by default, --datasource NAME), in the spirit of Tablestore's own CLI, through
// otsync's C++ client — the same requests against otsd and a real Tablestore endpoint.
//
//   otsync table list
//   otsync table describe NAME
//   otsync table create NAME --pk 'id:string,seq:integer' [--stream HOURS]
//   otsync table enable-stream NAME [--expiration HOURS] | disable-stream NAME
//   otsync table put|update|delete|get NAME 'ROW JSON'            (row shape: row_text.h)
//   otsync table scan NAME [--start PK_JSON] [--end PK_JSON] [--limit N]
//   otsync table import NAME --file F [--format csv|jsonl] [--batch N]
//
// Output goes to `out` (rows of get and scan as JSON lines), messages to `err`. Exit status as
// tools/otsync/cli.h: 0 done; 1 the request failed (or get found no row); 2 bad arguments, a bad
// row or file (nothing written), an unknown data source or table.
#pragma once

#include <functional>
#include <string>

#include "tools/otsync/cli.h"

namespace CLI {
class App;
}  // namespace CLI

namespace otsync::tools {

// Adds the `table` command group to `app`. When one of its commands is on the command line,
// parsing sets `*selected` to the function that runs it; the caller runs it after parsing, so
// that `data_dir` (read then, by reference) holds whatever --data-dir said. `data_dir` and `env`
// must outlive `*selected`.
void AddTableCommands(CLI::App& app, std::string& data_dir, const CliEnvironment& env,
                      std::function<int()>* selected);

}  // namespace otsync::tools
