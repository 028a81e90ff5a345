#include "testing/otsd_process.h"

#include <chrono>

namespace otsync::testing {

Result<std::unique_ptr<OtsdProcess>> OtsdProcess::Start(
    const std::string& binary, const std::vector<std::string>& extra_flags) {
  std::unique_ptr<OtsdProcess> otsd(new OtsdProcess());
  otsd->binary_ = binary;
  otsd->data_dir_ = std::make_unique<TemporaryDirectory>("otsd-process");
  std::vector<std::string> argv = {binary, "--listen=127.0.0.1:0",
                                   "--data-dir=" + otsd->data_dir_->path().string()};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  ChildProcessOptions options;
  options.stderr_path = otsd->data_dir_->Child("otsd.log");
  OTSYNC_ASSIGN_OR_RETURN(otsd->process_, ChildProcess::Start(argv, options));

  const std::string marker = "otsd: serving ";
  Result<std::string> serving = otsd->process_->WaitForOutputLine(marker, std::chrono::seconds(60));
  if (!serving.ok()) {
    return Status::Unavailable("otsd did not start (see " + options.stderr_path +
                               "): " + serving.status().message());
  }
  otsd->endpoint_ = serving->substr(serving->find(marker) + marker.size());
  return otsd;
}

OtsdProcess::~OtsdProcess() { process_.reset(); }

Result<std::string> OtsdProcess::Admin(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {binary_, "admin"};
  if (!args.empty()) argv.push_back(args.front());
  argv.push_back("--endpoint=" + endpoint_);
  for (size_t i = 1; i < args.size(); ++i) argv.push_back(args[i]);
  OTSYNC_ASSIGN_OR_RETURN(ChildExit exit, RunProcess(argv, std::chrono::seconds(60)));
  if (exit.exit_status != 0) {
    return Status::Internal("otsd admin exited with " + std::to_string(exit.exit_status) + ": " +
                            exit.err);
  }
  return exit.out;
}

}  // namespace otsync::testing
