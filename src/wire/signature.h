// Request and response signing (docs/protocol.md §1.3, §1.5): the V2 signature every SDK uses.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "wire/hmac.h"

namespace otsync::wire {

// Header names are compared lowercase; callers pass the headers as received or as to be sent.
// Transparent (std::less<>), so that a lookup by a std::string_view builds no std::string.
using HeaderMap = std::map<std::string, std::string, std::less<>>;

// Base64 of HMAC-SHA1(secret, "/" + api + "\nPOST\n\n" + sorted "x-ots-*:value\n" lines), taking
// every x-ots-* header except x-ots-signature, names lowercased, values trimmed.
// `secret_key`: the AccessKey secret prepared as an HMAC-SHA1 key (HmacKey::Digest::kSha1), as a
// client or server that signs many calls keeps it; the overloads taking the secret itself prepare
// it for the one call.
std::string SignRequest(std::string_view api, const HeaderMap& headers, const HmacKey& secret_key);
std::string SignRequest(std::string_view api, const HeaderMap& headers,
                        std::string_view access_key_secret);

// The value of the response's `authorization` header: "OTS <id>:<sig>", where sig signs the
// sorted "x-ots-*:value\n" lines followed by "/" + api with no trailing newline.
std::string SignResponse(std::string_view api, const HeaderMap& headers,
                         std::string_view access_key_id, const HmacKey& secret_key);
std::string SignResponse(std::string_view api, const HeaderMap& headers,
                         std::string_view access_key_id, std::string_view access_key_secret);

// Base64 of the 16-byte MD5 of `body` (the x-ots-contentmd5 value).
std::string ContentMd5(std::string_view body);

// otsd's one request header of its own (docs/protocol.md §1.6): a client that does not check the
// answers' x-ots-contentmd5 sends "x-otsd-content-md5: unchecked", and otsd then leaves
// x-ots-contentmd5 out of its 2xx answers to that request instead of hashing a body nobody checks
// (a third of otsd's CPU on a GetStreamRecord read). Not an x-ots-* header, so it is not signed,
// and a server that does not know it ignores it. Every other request's answers carry
// x-ots-contentmd5 as always.
inline constexpr std::string_view kContentMd5CheckHeader = "x-otsd-content-md5";
inline constexpr std::string_view kContentMd5Unchecked = "unchecked";

// Base64 encoding and decoding (standard alphabet, with padding).
std::string Base64Encode(std::string_view bytes);
bool Base64Decode(std::string_view text, std::string* out);

// Equal contents, in time that depends only on the lengths: for signatures, tokens and other
// secrets a caller could otherwise guess byte by byte from the time a comparison takes.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// "2024-01-02T03:04:05.678Z" with `fraction_digits` (3 for requests, 6 for responses).
std::string FormatIsoTime(int64_t micros_since_epoch, int fraction_digits);
// Lenient x-ots-date parse (docs/protocol.md §1.2): seconds, then an optional '.' with 1-9 digits,
// then 'Z'.
bool ParseIsoTime(std::string_view text, int64_t* micros_since_epoch);

}  // namespace otsync::wire
