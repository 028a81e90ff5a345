#include "base/status.h"

namespace otsync {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kInvalidPrimaryKey:
      return "InvalidPrimaryKey";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kConditionCheckFailed:
      return "ConditionCheckFailed";
    case StatusCode::kRowSizeLimit:
      return "RowSizeLimit";
    case StatusCode::kColumnCountLimit:
      return "ColumnCountLimit";
    case StatusCode::kRequestTooLarge:
      return "RequestTooLarge";
    case StatusCode::kAuthFailed:
      return "AuthFailed";
    case StatusCode::kMethodNotAllowed:
      return "MethodNotAllowed";
    case StatusCode::kQuotaExhausted:
      return "QuotaExhausted";
    case StatusCode::kRowOperationConflict:
      return "RowOperationConflict";
    case StatusCode::kTableNotReady:
      return "TableNotReady";
    case StatusCode::kServerBusy:
      return "ServerBusy";
    case StatusCode::kTimeout:
      return "Timeout";
    case StatusCode::kUnavailable:
      return "Unavailable";
    case StatusCode::kTrimmedDataAccess:
      return "TrimmedDataAccess";
    case StatusCode::kInternal:
      return "Internal";
    case StatusCode::kCorruption:
      return "Corruption";
    case StatusCode::kIOError:
      return "IOError";
    case StatusCode::kUnsupported:
      return "Unsupported";
    case StatusCode::kAborted:
      return "Aborted";
    case StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string text(StatusCodeName(code_));
  text += ": ";
  text += message_;
  return text;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return Status(code_, std::move(message));
}

}  // namespace otsync
