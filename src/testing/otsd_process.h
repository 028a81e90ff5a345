// A real otsd as a child process, for tests and benchmarks that cross the process boundary: on a
// free loopback port (--listen=127.0.0.1:0), on a data directory of its own, stopped (SIGTERM,
// then SIGKILL) and its directory removed when the object goes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "testing/child_process.h"
#include "testing/temporary_directory.h"

namespace otsync::testing {

class OtsdProcess {
 public:
  // Starts `binary` with --listen=127.0.0.1:0 --data-dir=<fresh directory> plus `extra_flags`,
  // and waits (up to 60 s) for "otsd: serving http://127.0.0.1:PORT". Its standard error goes to
  // otsd.log in the data directory, named by the error when it does not start.
  static Result<std::unique_ptr<OtsdProcess>> Start(const std::string& binary,
                                                    const std::vector<std::string>& extra_flags);
  ~OtsdProcess();

  const std::string& endpoint() const { return endpoint_; }  // "http://127.0.0.1:PORT"
  const std::filesystem::path& data_dir() const { return data_dir_->path(); }

  // Runs `binary admin <args>` against this otsd (development admin key) and returns its
  // standard output; an error carries the exit status and standard error.
  Result<std::string> Admin(const std::vector<std::string>& args) const;

 private:
  OtsdProcess() = default;

  std::string binary_;
  // Declared before the process, so that the process is stopped before its directory goes.
  std::unique_ptr<TemporaryDirectory> data_dir_;
  std::unique_ptr<ChildProcess> process_;
  std::string endpoint_;
};

}  // namespace otsync::testing
