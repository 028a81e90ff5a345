// Secrets the console hands out — session ids, CSRF tokens, the CLI token, generated passwords —
// from OpenSSL's CSPRNG (compared with wire::ConstantTimeEquals).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace otsync::console {

// `bytes` random bytes as lowercase hex (2 * bytes characters); 32 bytes is a 256-bit token.
Result<std::string> RandomHexToken(size_t bytes);

// A password a person can type: `length` characters from letters and digits without the ones
// that look alike (0/O, 1/l/I).
Result<std::string> RandomPassword(size_t length);

// Lowercase hex of SHA-256(text): what the session table is keyed by, so that a lookup's timing
// reveals nothing about a stored session id.
std::string Sha256Hex(std::string_view text);

}  // namespace otsync::console
