// The errorLimit check (DataX's ErrorRecordChecker, docs/datax-semantics.md §6.4): `record` is the
// number of dirty records tolerated and, when set, overrides `percentage`; neither set tolerates
// any number. The record limit is checked while the job runs, the percentage once all records are
// in. Failures are kAborted with DataX's message, in English.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "sync/job_spec.h"

namespace otsync::sync {

class ErrorLimitChecker {
 public:
  explicit ErrorLimitChecker(ErrorLimitSpec spec) : spec_(spec) {}

  // While running: fails once `dirty` exceeds the record limit.
  Status CheckRecords(int64_t dirty) const;

  // At the end: the record limit, or else the percentage of `dirty` among `total` records
  // (read plus dirty).
  Status CheckFinal(int64_t dirty, int64_t total) const;

 private:
  ErrorLimitSpec spec_;
};

}  // namespace otsync::sync
