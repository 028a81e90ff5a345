#include "sync/error_limit.h"

#include <cstdio>
#include <string>

namespace otsync::sync {

Status ErrorLimitChecker::CheckRecords(int64_t dirty) const {
  if (!spec_.record.has_value() || dirty <= *spec_.record) return Status::OK();
  return Status(StatusCode::kAborted, "Framework-14: dirty record check failed: the limit is [" +
                                          std::to_string(*spec_.record) + "] records, but [" +
                                          std::to_string(dirty) + "] were caught.");
}

Status ErrorLimitChecker::CheckFinal(int64_t dirty, int64_t total) const {
  if (spec_.record.has_value()) return CheckRecords(dirty);
  if (!spec_.percentage.has_value() || total <= 0) return Status::OK();
  double ratio = static_cast<double>(dirty) / static_cast<double>(total);
  if (ratio <= *spec_.percentage) return Status::OK();
  char message[160];
  std::snprintf(message, sizeof(message),
                "Framework-14: dirty record percentage check failed: the limit is [%f], but [%f] "
                "was caught.",
                *spec_.percentage, ratio);
  return Status(StatusCode::kAborted, message);
}

}  // namespace otsync::sync
