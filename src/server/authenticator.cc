#include "server/authenticator.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace otsync::server {
namespace {

constexpr std::string_view kDateHeader = "x-ots-date";
constexpr std::string_view kApiVersionHeader = "x-ots-apiversion";
constexpr std::string_view kAccessKeyIdHeader = "x-ots-accesskeyid";
constexpr std::string_view kInstanceHeader = "x-ots-instancename";
constexpr std::string_view kContentMd5Header = "x-ots-contentmd5";
constexpr std::string_view kSignatureHeader = "x-ots-signature";

Status AuthFailed(std::string message) {
  return Status(StatusCode::kAuthFailed, std::move(message));
}

const std::string* FindHeader(const wire::HeaderMap& headers, std::string_view name) {
  auto it = headers.find(name);
  return it == headers.end() ? nullptr : &it->second;
}

Status MissingHeader(std::string_view name) {
  return Status::InvalidArgument("Missing header: " + std::string(name) + ".");
}

}  // namespace

Authenticator::Authenticator(Credentials credentials, std::shared_ptr<const Clock> clock,
                             AuthOptions options)
    : credentials_(std::move(credentials)), clock_(std::move(clock)), options_(options) {}

Result<Caller> Authenticator::AuthenticateUnverified(const wire::HeaderMap& headers) const {
  const std::string* instance = FindHeader(headers, kInstanceHeader);
  if (instance == nullptr) return MissingHeader(kInstanceHeader);
  if (!credentials_.HasInstance(*instance)) return AuthFailed("The instance is not found.");
  Caller caller;
  caller.instance = *instance;
  if (const std::string* id = FindHeader(headers, kAccessKeyIdHeader)) {
    caller.key = credentials_.FindAccessKey(*id);
    // An admin key id alone proves nothing: admin rights need a verified signature.
    if (caller.key == nullptr) caller.key = credentials_.FindAdminKey(*id);
  }
  return caller;
}

Result<Caller> Authenticator::Authenticate(std::string_view api, const wire::HeaderMap& headers,
                                           std::string_view body) const {
  if (!options_.verify) return AuthenticateUnverified(headers);

  for (std::string_view name : {kDateHeader, kApiVersionHeader, kAccessKeyIdHeader, kInstanceHeader,
                                kContentMd5Header, kSignatureHeader}) {
    if (FindHeader(headers, name) == nullptr) return MissingHeader(name);
  }
  const std::string& api_version = *FindHeader(headers, kApiVersionHeader);
  if (api_version != kApiVersion) {
    return Status::InvalidArgument("Unsupported API version: " + api_version + ".");
  }
  const std::string& date = *FindHeader(headers, kDateHeader);
  int64_t request_micros = 0;
  if (!wire::ParseIsoTime(date, &request_micros)) {
    return Status::InvalidArgument("Invalid date format: " + date + ".");
  }
  if (std::llabs(clock_->NowMicros() - request_micros) > options_.max_clock_skew_micros) {
    return AuthFailed("Mismatch between system time and x-ots-date: " + date + ".");
  }

  // The instance is checked only after the signature, so that only a key holder learns which
  // instances exist.
  Caller caller;
  caller.key = credentials_.FindAccessKey(*FindHeader(headers, kAccessKeyIdHeader));
  if (caller.key == nullptr) {
    caller.key = credentials_.FindAdminKey(*FindHeader(headers, kAccessKeyIdHeader));
    caller.is_admin = caller.key != nullptr;
  }
  if (caller.key == nullptr) return AuthFailed("The AccessKeyID does not exist.");

  if (*FindHeader(headers, kContentMd5Header) != wire::ContentMd5(body)) {
    return AuthFailed("Mismatch between MD5 value of request body and x-ots-contentmd5 in header.");
  }
  const std::string expected = wire::SignRequest(api, headers, *caller.key->signing_key);
  if (!wire::ConstantTimeEquals(expected, *FindHeader(headers, kSignatureHeader))) {
    return AuthFailed("Signature mismatch.");
  }

  caller.instance = *FindHeader(headers, kInstanceHeader);
  const bool allowed =
      credentials_.HasInstance(caller.instance) &&
      (caller.is_admin || std::find(caller.key->instances.begin(), caller.key->instances.end(),
                                    caller.instance) != caller.key->instances.end());
  if (!allowed) return AuthFailed("The instance is not found.");
  return caller;
}

}  // namespace otsync::server
