#include "wire/error_codes.h"

#include <array>

namespace otsync::wire {
namespace {

struct CodeMapping {
  std::string_view code;
  StatusCode status_code;
};

// Every Tablestore error code otsync may receive (docs/protocol.md §1.7), with the StatusCode it
// stands for. The first entry naming a StatusCode is not necessarily the one ToWireError answers
// with.
constexpr std::array<CodeMapping, 33> kReceivedCodes = {{
    {"OTSParameterInvalid", StatusCode::kInvalidArgument},
    {"OTSInvalidPK", StatusCode::kInvalidPrimaryKey},
    {"OTSOutOfRowSizeLimit", StatusCode::kRowSizeLimit},
    {"OTSOutOfColumnCountLimit", StatusCode::kColumnCountLimit},
    {"OTSForbiddenUpdateCapacityUnit", StatusCode::kInvalidArgument},
    {"OTSAuthFailed", StatusCode::kAuthFailed},
    {"OTSNoPermissionAccess", StatusCode::kAuthFailed},
    {"OTSConditionCheckFail", StatusCode::kConditionCheckFailed},
    {"OTSQuotaExhausted", StatusCode::kQuotaExhausted},
    {"OTSTooFrequentReservedThroughputAdjustment", StatusCode::kQuotaExhausted},
    {"OTSCapacityUnitExhausted", StatusCode::kQuotaExhausted},
    {"OTSObjectNotExist", StatusCode::kNotFound},
    {"OTSTableNotReady", StatusCode::kTableNotReady},
    {"OTSMethodNotAllowed", StatusCode::kMethodNotAllowed},
    {"OTSRequestTimeout", StatusCode::kTimeout},
    {"OTSObjectAlreadyExist", StatusCode::kAlreadyExists},
    {"OTSRowOperationConflict", StatusCode::kRowOperationConflict},
    {"OTSRequestBodyTooLarge", StatusCode::kRequestTooLarge},
    {"OTSFlowControl", StatusCode::kServerBusy},
    {"OTSInternalServerError", StatusCode::kInternal},
    {"OTSServerBusy", StatusCode::kServerBusy},
    {"OTSPartitionUnavailable", StatusCode::kUnavailable},
    {"OTSTimeout", StatusCode::kTimeout},
    {"OTSServerUnavailable", StatusCode::kUnavailable},
    {"OTSTrimmedDataAccess", StatusCode::kTrimmedDataAccess},
    {"OTSNotEnoughCapacityUnit", StatusCode::kServerBusy},
    {"OTSOperationThrottled", StatusCode::kServerBusy},
    {"OTSStorageServerBusy", StatusCode::kServerBusy},
    {"OTSResourceGone", StatusCode::kNotFound},
    {"OTSTunnelServerUnavailable", StatusCode::kUnavailable},
    {"OTSSequenceNumberNotMatch", StatusCode::kInvalidArgument},
    {"OTSTunnelExpired", StatusCode::kInvalidArgument},
    {"OTSClientError", StatusCode::kInvalidArgument},
}};

}  // namespace

WireError ToWireError(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return {"", 200};
    case StatusCode::kInvalidArgument:
    case StatusCode::kUnsupported:
    case StatusCode::kFailedPrecondition:  // otsd's own requests never make one.
      return {"OTSParameterInvalid", 400};
    case StatusCode::kInvalidPrimaryKey:
      return {"OTSInvalidPK", 400};
    case StatusCode::kNotFound:
      return {"OTSObjectNotExist", 404};
    case StatusCode::kAlreadyExists:
      return {"OTSObjectAlreadyExist", 409};
    case StatusCode::kConditionCheckFailed:
      return {"OTSConditionCheckFail", 403};
    case StatusCode::kRowSizeLimit:
      return {"OTSOutOfRowSizeLimit", 400};
    case StatusCode::kColumnCountLimit:
      return {"OTSOutOfColumnCountLimit", 400};
    case StatusCode::kRequestTooLarge:
      return {"OTSRequestBodyTooLarge", 413};
    case StatusCode::kAuthFailed:
      return {"OTSAuthFailed", 403};
    case StatusCode::kMethodNotAllowed:
      return {"OTSMethodNotAllowed", 405};
    case StatusCode::kQuotaExhausted:
      return {"OTSQuotaExhausted", 403};
    case StatusCode::kRowOperationConflict:
      return {"OTSRowOperationConflict", 409};
    case StatusCode::kTableNotReady:
      return {"OTSTableNotReady", 404};
    case StatusCode::kServerBusy:
      return {"OTSServerBusy", 503};
    case StatusCode::kTimeout:
      return {"OTSTimeout", 503};
    case StatusCode::kUnavailable:
    case StatusCode::kAborted:
      return {"OTSServerUnavailable", 503};
    case StatusCode::kTrimmedDataAccess:
      // The plain Stream API's status is undocumented; docs/protocol.md §1.7 picks 400.
      return {"OTSTrimmedDataAccess", 400};
    case StatusCode::kInternal:
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
      return {"OTSInternalServerError", 500};
  }
  return {"OTSInternalServerError", 500};
}

StatusCode FromWireError(std::string_view code, int http_status) {
  for (const CodeMapping& mapping : kReceivedCodes) {
    if (mapping.code == code) return mapping.status_code;
  }
  return http_status >= 500 ? StatusCode::kInternal : StatusCode::kInvalidArgument;
}

bool IsRetryableAlways(std::string_view code, std::string_view message) {
  if (code == "OTSQuotaExhausted") return message == "Too frequent table operations.";
  return code == "OTSRowOperationConflict" || code == "OTSNotEnoughCapacityUnit" ||
         code == "OTSTableNotReady" || code == "OTSPartitionUnavailable" ||
         code == "OTSServerBusy" || code == "OTSStorageServerBusy" ||
         code == "OTSOperationThrottled";
}

bool IsRetryableForIdempotent(std::string_view code, int http_status) {
  if (code == "OTSTimeout" || code == "OTSInternalServerError" || code == "OTSServerUnavailable" ||
      code == "OTSTunnelServerUnavailable") {
    return true;
  }
  return http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504;
}

bool IsIdempotentApi(std::string_view api) {
  static constexpr std::string_view kReadApis[] = {
      "ListTable",       "DescribeTable",
      "GetRow",          "BatchGetRow",
      "GetRange",        "ListStream",
      "DescribeStream",  "GetShardIterator",
      "GetStreamRecord", "ComputeSplitPointsBySize",
  };
  for (std::string_view read_api : kReadApis) {
    if (read_api == api) return true;
  }
  return false;
}

}  // namespace otsync::wire
