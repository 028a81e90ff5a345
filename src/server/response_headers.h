// The headers every otsd response carries (docs/protocol.md §1.5): x-ots-contentmd5 (unless the
// caller said it does not check it), x-ots-requestid, x-ots-date with microseconds,
// x-ots-contenttype, and the response signature `authorization: OTS <id>:<sig>` when the
// caller's key is known.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/credentials.h"
#include "wire/signature.h"

namespace otsync::server {

// `signer` is the authenticated caller's key, or nullptr to send no `authorization` (an
// OTSAuthFailed answer, or a request rejected before authentication). `content_md5`, when not
// empty, is wire::ContentMd5(body) computed earlier (a prepared answer); it is not checked.
// `omit_content_md5`: no x-ots-contentmd5 at all, for a caller that said it does not check it
// (wire::kContentMd5CheckHeader).
wire::HeaderMap BuildResponseHeaders(std::string_view api, std::string_view body,
                                     std::string_view request_id, int64_t now_micros,
                                     const AccessKey* signer, std::string content_md5 = {},
                                     bool omit_content_md5 = false);

}  // namespace otsync::server
