// Request authentication (docs/protocol.md §1.3-§1.4): required headers, API version, date and
// clock skew, content MD5, access key, V2 signature and instance, with the service's error codes
// and messages. Failures never reveal a secret or which part of a signature was wrong.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "server/credentials.h"
#include "wire/signature.h"

namespace otsync::server {

struct AuthOptions {
  // false (--no-auth): only x-ots-instancename is required and the instance must be known;
  // signature, MD5, date and key checks are skipped.
  bool verify = true;
  int64_t max_clock_skew_micros = int64_t{15} * 60 * 1000 * 1000;
};

// Who sent an accepted request.
struct Caller {
  std::string instance;
  // The key the request was signed with, or nullptr when verification is off and the request
  // named no known key. Points into the Authenticator's credentials; valid while it lives.
  const AccessKey* key = nullptr;
  // Signed with one of Credentials::admin_keys; never true when verification is off.
  bool is_admin = false;
};

class Authenticator {
 public:
  // `clock` is the wall clock the x-ots-date skew is checked against.
  Authenticator(Credentials credentials, std::shared_ptr<const Clock> clock, AuthOptions options);

  // `headers` are the request headers with lowercase names. Errors:
  //  - kInvalidArgument (400 OTSParameterInvalid): "Missing header: x-ots-date.",
  //    "Invalid date format: D.", "Unsupported API version: V.";
  //  - kAuthFailed (403 OTSAuthFailed): "Mismatch between MD5 value of request body and
  //    x-ots-contentmd5 in header.", "Mismatch between system time and x-ots-date: D.",
  //    "The AccessKeyID does not exist.", "Signature mismatch.", "The instance is not found.".
  Result<Caller> Authenticate(std::string_view api, const wire::HeaderMap& headers,
                              std::string_view body) const;

 private:
  Result<Caller> AuthenticateUnverified(const wire::HeaderMap& headers) const;

  Credentials credentials_;
  std::shared_ptr<const Clock> clock_;
  AuthOptions options_;
};

inline constexpr std::string_view kApiVersion = "2015-12-31";

}  // namespace otsync::server
