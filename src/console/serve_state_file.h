// <data-dir>/serve.json: how otsync commands find the running `otsync serve` of a data dir.
//
//   {"pid": 12345, "url": "http://127.0.0.1:8900", "listen": "127.0.0.1:8900"}
//
// Written (atomically) once the server listens, removed when it stops. A server killed with
// SIGKILL leaves it behind: a file whose pid is gone, or now belongs to a process that is not
// otsync, is stale, and FindRunningServer says so.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"

namespace otsync::console {

struct ServeState {
  pid_t pid = 0;
  std::string url;     // http://HOST:PORT, the address clients use.
  std::string listen;  // HOST:PORT as bound.
};

std::string ServeStatePath(const std::string& data_dir);

Status WriteServeState(const std::string& data_dir, const ServeState& state);
// Removes the file if it names `pid` (a newer server's file is left alone).
void RemoveServeState(const std::string& data_dir, pid_t pid);

// Whether `pid` is a live otsync process (its /proc/PID/cmdline names otsync).
bool IsOtsyncProcess(pid_t pid);

// The running server: kNotFound "no otsync serve is running for DIR ..." when there is no file,
// or a stale one (the message says which, and how to start one).
Result<ServeState> FindRunningServer(const std::string& data_dir);

}  // namespace otsync::console
