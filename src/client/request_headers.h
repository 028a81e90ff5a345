// The x-ots-* headers of a request (docs/protocol.md §1.2, §1.3), signature included.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "client/client.h"
#include "wire/signature.h"

namespace otsync::client {

inline constexpr std::string_view kApiVersion = "2015-12-31";

// Every header a request to "/<api>" with `body` must carry: x-ots-date (ms precision),
// x-ots-apiversion, x-ots-instancename, x-ots-accesskeyid, x-ots-contentmd5, x-ots-ststoken when
// a token is set, and x-ots-signature over all of them. `signing_key`: the credentials' secret
// prepared for HMAC-SHA1, kept by a caller that signs many requests; the overload without it
// prepares the key for the one request.
wire::HeaderMap SignedRequestHeaders(std::string_view api, std::string_view body,
                                     std::string_view instance, const Credentials& credentials,
                                     const wire::HmacKey& signing_key, int64_t now_micros);
wire::HeaderMap SignedRequestHeaders(std::string_view api, std::string_view body,
                                     std::string_view instance, const Credentials& credentials,
                                     int64_t now_micros);

}  // namespace otsync::client
