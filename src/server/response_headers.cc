#include "server/response_headers.h"

#include <string>
#include <utility>

namespace otsync::server {

wire::HeaderMap BuildResponseHeaders(std::string_view api, std::string_view body,
                                     std::string_view request_id, int64_t now_micros,
                                     const AccessKey* signer, std::string content_md5,
                                     bool omit_content_md5) {
  wire::HeaderMap headers;
  if (!omit_content_md5) {
    headers["x-ots-contentmd5"] =
        content_md5.empty() ? wire::ContentMd5(body) : std::move(content_md5);
  }
  headers["x-ots-contenttype"] = "protocol buffer";
  headers["x-ots-date"] = wire::FormatIsoTime(now_micros, 6);
  headers["x-ots-requestid"] = std::string(request_id);
  if (signer != nullptr) {
    headers["authorization"] = wire::SignResponse(api, headers, signer->id, *signer->signing_key);
  }
  return headers;
}

}  // namespace otsync::server
