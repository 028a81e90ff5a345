// Status: the outcome of an operation that can fail, as a value (no exceptions cross a room).
//
// A Status is either OK or carries a code and a human-readable message. The codes are the
// failure kinds the rooms of otsync need to tell apart; src/wire/error_codes.h maps them to the
// Tablestore error codes and HTTP statuses on the wire and back.
//
// Thread safety: a const Status may be read from several threads; a mutable one needs external
// synchronization, like std::string.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace otsync {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,       // OTSParameterInvalid: a request or a job script is malformed.
  kInvalidPrimaryKey,     // OTSInvalidPK: the primary key does not match the table schema.
  kNotFound,              // OTSObjectNotExist.
  kAlreadyExists,         // OTSObjectAlreadyExist.
  kConditionCheckFailed,  // OTSConditionCheckFail.
  kRowSizeLimit,          // OTSOutOfRowSizeLimit.
  kColumnCountLimit,      // OTSOutOfColumnCountLimit.
  kRequestTooLarge,       // OTSRequestBodyTooLarge.
  kAuthFailed,            // OTSAuthFailed.
  kMethodNotAllowed,      // OTSMethodNotAllowed.
  kQuotaExhausted,        // OTSQuotaExhausted.
  kRowOperationConflict,  // OTSRowOperationConflict (retryable).
  kTableNotReady,         // OTSTableNotReady (retryable).
  kServerBusy,            // OTSServerBusy (retryable).
  kTimeout,               // OTSTimeout (retryable).
  kUnavailable,           // OTSServerUnavailable or a network failure (retryable).
  kTrimmedDataAccess,     // OTSTrimmedDataAccess: stream data past retention.
  kInternal,              // OTSInternalServerError (retryable).
  kCorruption,            // Stored or received bytes are damaged.
  kIOError,               // The local file system or RocksDB failed.
  kUnsupported,           // A feature otsync does not implement.
  kAborted,               // The operation was cancelled (a job stopping).
  kFailedPrecondition,    // Well formed, but the object's state forbids it now (a finished
                          // instance killed, a task with a running instance removed).
};

// Returns the enumerator name without the leading 'k', e.g. "NotFound".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK.
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
  }
  static Status NotFound(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message));
  }
  static Status AlreadyExists(std::string message) {
    return Status(StatusCode::kAlreadyExists, std::move(message));
  }
  static Status Corruption(std::string message) {
    return Status(StatusCode::kCorruption, std::move(message));
  }
  static Status IOError(std::string message) {
    return Status(StatusCode::kIOError, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message));
  }
  static Status Unavailable(std::string message) {
    return Status(StatusCode::kUnavailable, std::move(message));
  }
  static Status Unsupported(std::string message) {
    return Status(StatusCode::kUnsupported, std::move(message));
  }
  static Status FailedPrecondition(std::string message) {
    return Status(StatusCode::kFailedPrecondition, std::move(message));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: Requested table does not exist." or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>", for adding where an error happened.
  Status WithContext(std::string_view context) const;

  bool operator==(const Status& other) const {
    return code_ == other.code_ && message_ == other.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace otsync

// Returns early from the enclosing function when `expression` yields a non-OK Status.
#define OTSYNC_RETURN_IF_ERROR(expression)           \
  do {                                               \
    ::otsync::Status otsync_status_ = (expression);  \
    if (!otsync_status_.ok()) return otsync_status_; \
  } while (false)
