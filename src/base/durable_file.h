// Files that survive a crash: the writes a commit protocol is built from.
//
// Contract: after WriteFileAtomically returns OK, `path` holds exactly `content` and will after a
// process or machine crash; before it returns, `path` holds its old content or does not exist —
// never a part of either. SyncPath makes a file's data, or a folder's list of names (a rename or
// a new file in it), durable. WriteFile is the plain, unsynced write for files that are rewritten
// before each use. Every error names the file it is about.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace otsync {

// fsync of a file or a folder.
Status SyncPath(const std::string& path);

// Writes `content` to a temporary file beside `path`, syncs it, renames it over `path` and syncs
// the folder. `path` ends with exactly `mode` (e.g. 0600 for files that hold secrets).
Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode = 0644);

// Creates `path` or truncates it, writes all of `content` and syncs the file's data, but not its
// folder: the caller makes the name durable (a link or rename, then SyncPath of the folder).
Status WriteFileSynced(const std::string& path, std::string_view content, mode_t mode = 0644);

// Creates `path` or truncates it, and writes all of `content` (interrupted and short writes are
// retried). The file ends with exactly `mode`, whether it was new or already there, and the umask
// does not apply; the mode is set before the first byte is written, so content meant for 0600
// never sits in a file others may open afterwards. Not synced: after a crash the file may be
// empty or hold a part of `content`.
Status WriteFile(const std::string& path, std::string_view content, mode_t mode);

// The whole content of `path`; kNotFound when it does not exist.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace otsync
