// `otsync run --progress-file PATH`: the job's progress as JSON lines, for a scheduler to follow
// without parsing the human log (docs/scheduling.md, "Live progress"). One object per progress
// tick, then one final object:
//
//   {"type":"progress","micros":...,"records":N,"bytes":N,"records_written":N,
//    "records_per_second":N,"bytes_per_second":N,"dirty_records":N,"dirty_limit_records":N|null,
//    "dirty_limit_percentage":F|null,"shards_done":N,"shards_total":N,
//    "shards":[{"id":"...","state":"running","records":N,"lag_millis":N,"checkpoint_millis":N}]}
//   {"type":"final","status":"succeeded"|"failed","message":"...","window_already_committed":B,
//    ...the counters as above}
//
// Each line is written whole and flushed, so a reader that takes complete lines never sees half
// an object.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "base/result.h"
#include "sync/engine.h"
#include "sync/job_spec.h"

namespace otsync::sync {

class ProgressFile {
 public:
  // Creates or truncates `path`.
  static Result<std::unique_ptr<ProgressFile>> Open(const std::string& path,
                                                    const ErrorLimitSpec& error_limit);
  ~ProgressFile();

  void Write(const JobProgress& progress);
  void WriteFinal(const JobResult& result);

 private:
  ProgressFile(std::FILE* file, ErrorLimitSpec error_limit)
      : file_(file), error_limit_(std::move(error_limit)) {}
  std::string Counters(const JobProgress& progress) const;
  void WriteLine(const std::string& line);

  std::FILE* file_;
  ErrorLimitSpec error_limit_;
  JobProgress previous_;
};

}  // namespace otsync::sync
