// For end-to-end tests: a real otsd child process on a free loopback port, with its own data
// directory, stopped (SIGTERM, then SIGKILL) when the object goes away.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace otsync::readers::otsstream {

class OtsdProcess {
 public:
  // Starts `binary` with --listen=127.0.0.1:0 --data-dir=<fresh dir> plus `extra_flags`, and
  // waits (up to 60 s) for "otsd: serving http://127.0.0.1:PORT".
  static Result<std::unique_ptr<OtsdProcess>> Start(const std::string& binary,
                                                    const std::vector<std::string>& extra_flags);
  ~OtsdProcess();

  const std::string& endpoint() const { return endpoint_; }  // "http://127.0.0.1:PORT"

  // Runs `binary admin <args>` against this otsd (development admin key) and returns its
  // standard output; an error carries the exit status and standard error.
  Result<std::string> Admin(const std::vector<std::string>& args) const;

 private:
  OtsdProcess(std::string binary, pid_t pid, std::string data_dir, std::string endpoint)
      : binary_(std::move(binary)),
        pid_(pid),
        data_dir_(std::move(data_dir)),
        endpoint_(std::move(endpoint)) {}

  std::string binary_;
  pid_t pid_;
  std::string data_dir_;
  std::string endpoint_;
};

// Runs `argv` to completion (at most `timeout_seconds`), capturing standard output and error.
struct ProcessOutput {
  int exit_status = -1;
  std::string out;
  std::string err;
};
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, int timeout_seconds);

}  // namespace otsync::readers::otsstream
