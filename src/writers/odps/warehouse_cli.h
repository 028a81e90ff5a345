// The `odps` plugin as the otsync binary carries it, and the `otsync warehouse` commands:
//
//   otsync warehouse create-table SPEC          person(id STRING, ...) PARTITIONED BY (pt STRING)
//   otsync warehouse describe TABLE             columns, types, partition levels, partitions
//   otsync warehouse partitions TABLE           one "pt=20171019" per line, sorted
//   otsync warehouse query "SQL" [--format table|csv|json]
//   otsync warehouse export TABLE [--partition pt=...] --to DIR [--compression snappy|zstd|...]
//   otsync warehouse check                      verify every file and the window ledger
//   otsync warehouse recover                    go back to the newest good state
//   otsync warehouse import-file FILE           the tables of a single-file warehouse of old
//
// each with [--datasource NAME] (an `odps` data source, default odps_first) and [--data-dir DIR].
// The command line is parsed in tools/otsync/cli.cc; this file runs the parsed command.
//
// Exit status, as the rest of the CLI (tools/otsync/cli.h): 0 done; 2 the arguments are wrong — a
// spec, format, compression or partition that does not parse, an unknown data source or one that is
// not of type odps; 1 the warehouse refused or failed (the table exists or is missing, the SQL
// failed, the warehouse is missing or damaged — check). Results go to `out`, messages to `err`.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sync/plugin_registry.h"
#include "sync/writer.h"
#include "writers/odps/odps_datasource.h"

namespace otsync::odps {

// The data source the warehouse commands use when none is named (the seed's `odps_first`).
inline constexpr std::string_view kDefaultWarehouseDataSource = "odps_first";

struct WarehouseCommandArgs {
  // "create-table", "describe", "partitions", "query", "export", "check", "recover" or
  // "import-file".
  std::string command;
  std::string datasource{kDefaultWarehouseDataSource};
  // create-table: the words of the spec, joined with spaces (so quoting it whole is optional).
  std::vector<std::string> spec_words;
  std::string table;                   // describe, partitions, export
  std::string sql;                     // query
  std::string format = "table";        // query: table, csv or json
  std::string partition;               // export: a partition spec, DataX-normalised
  std::string output_dir;              // export: --to
  std::string compression = "snappy";  // export: a ParquetCompression name
  std::string file;                    // import-file
};

// Runs one parsed `otsync warehouse` command against the data source in `data_dir`'s registry,
// read with the data-source types of `plugins`.
int RunWarehouseCommand(const WarehouseCommandArgs& args, const std::string& data_dir,
                        const sync::PluginRegistry& plugins, std::ostream& out, std::ostream& err);

// The `odps` writer factory for the PluginRegistry. The writer is OdpsWriter (odps_writer.h) on
// the warehouse of the job's resolved data source; in addition:
//  - a missing destination table fails Prepare with the `otsync warehouse create-table` command
//    that would create it;
//  - DescribeDestination is two summary lines: where the rows went, and the exact
//    `otsync warehouse query` command (with this run's --data-dir) that shows them.
Result<std::unique_ptr<sync::Writer>> MakeOdpsWriter(const sync::PluginContext& context);

// The `odps` plugin: ParseOdpsWriterSpec, ResolveWarehouse (odps_writer_spec.h) and
// MakeOdpsWriter.
sync::WriterPlugin OdpsWriterPlugin();

// Quotes `word` for a POSIX shell: unchanged when it is plainly safe, else in double quotes when
// nothing in it is special there, else in single quotes.
std::string ShellQuote(std::string_view word);

// "otsync warehouse query --data-dir DIR [--datasource NAME] \"SELECT * FROM t WHERE pt = '1'\"":
// the command that prints `table` (and only `partition`, a normalised spec, when not empty). DIR
// is made absolute; --datasource appears unless it is the default.
std::string WarehouseQueryCommand(const std::string& data_dir, std::string_view datasource,
                                  std::string_view table, std::string_view partition);

}  // namespace otsync::odps
