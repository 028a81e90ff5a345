// The console's admin password at rest: scrypt (RFC 7914) through OpenSSL's EVP_PBE_scrypt, a
// random 16-byte salt per hash, and a constant-time comparison on verification.
//
// Why scrypt: it is memory-hard (an attacker with a GPU pays for 32 MiB per guess at the default
// cost, not only for CPU time), it is in OpenSSL, which otsync already links for TLS and signing,
// so no new dependency is needed; PBKDF2 is CPU-bound only.
//
// The encoded form is one line, "scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>", so a stored
// hash carries its own cost and a later change of the default cost still verifies old hashes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace otsync::console {

struct ScryptCost {
  int log2_n = 15;  // N = 32768: 32 MiB of memory with r = 8, about 0.1 s on one core.
  int r = 8;
  int p = 1;
};

// A fresh salt and the hash of `password`, encoded as above.
Result<std::string> HashPassword(std::string_view password, const ScryptCost& cost = {});

// Whether `password` hashes to `encoded`. kInvalidArgument when `encoded` is not a hash written by
// HashPassword (never a message holding the password).
Result<bool> VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace otsync::console
