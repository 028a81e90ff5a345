#include "client/request_headers.h"

namespace otsync::client {

wire::HeaderMap SignedRequestHeaders(std::string_view api, std::string_view body,
                                     std::string_view instance, const Credentials& credentials,
                                     const wire::HmacKey& signing_key, int64_t now_micros) {
  wire::HeaderMap headers;
  headers.emplace("x-ots-date", wire::FormatIsoTime(now_micros, 3));
  headers.emplace("x-ots-apiversion", std::string(kApiVersion));
  headers.emplace("x-ots-instancename", std::string(instance));
  headers.emplace("x-ots-accesskeyid", credentials.access_key_id);
  headers.emplace("x-ots-contentmd5", wire::ContentMd5(body));
  if (!credentials.security_token.empty()) {
    headers.emplace("x-ots-ststoken", credentials.security_token);
  }
  std::string signature = wire::SignRequest(api, headers, signing_key);
  headers.emplace("x-ots-signature", std::move(signature));
  return headers;
}

wire::HeaderMap SignedRequestHeaders(std::string_view api, std::string_view body,
                                     std::string_view instance, const Credentials& credentials,
                                     int64_t now_micros) {
  const wire::HmacKey signing_key(wire::HmacKey::Digest::kSha1, credentials.access_key_secret);
  return SignedRequestHeaders(api, body, instance, credentials, signing_key, now_micros);
}

}  // namespace otsync::client
