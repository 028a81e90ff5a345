#include "console/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <vector>

#include "base/hex.h"
#include "console/random_token.h"

namespace otsync::console {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
// The memory scrypt may use: 128 * r * N * p bytes, with room for the largest cost accepted.
constexpr uint64_t kMaxMemoryBytes = 256ull << 20;

bool ValidCost(const ScryptCost& cost) {
  return cost.log2_n >= 1 && cost.log2_n <= 20 && cost.r >= 1 && cost.r <= 32 && cost.p >= 1 &&
         cost.p <= 16 && (128ull * cost.r * (1ull << cost.log2_n) * cost.p) <= kMaxMemoryBytes;
}

Result<std::vector<unsigned char>> Scrypt(std::string_view password,
                                          const std::vector<unsigned char>& salt,
                                          const ScryptCost& cost) {
  std::vector<unsigned char> hash(kHashBytes);
  if (EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(),
                     uint64_t{1} << cost.log2_n, static_cast<uint64_t>(cost.r),
                     static_cast<uint64_t>(cost.p), kMaxMemoryBytes, hash.data(),
                     hash.size()) != 1) {
    return Status::Internal("scrypt failed (out of memory?)");
  }
  return hash;
}

std::string ToHex(const std::vector<unsigned char>& bytes) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool FromHex(std::string_view text, std::vector<unsigned char>* bytes) {
  if (text.empty() || text.size() % 2 != 0) return false;
  bytes->clear();
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (error != std::errc() || end != text.data() + i + 2) return false;
    bytes->push_back(static_cast<unsigned char>(value));
  }
  return true;
}

bool ParseInt(std::string_view text, int* value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> SplitDollar(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find('$', start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, const ScryptCost& cost) {
  if (!ValidCost(cost)) return Status::InvalidArgument("scrypt cost out of range");
  std::vector<unsigned char> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return Status::Internal("the system's random number generator failed");
  }
  OTSYNC_ASSIGN_OR_RETURN(std::vector<unsigned char> hash, Scrypt(password, salt, cost));
  return "scrypt$" + std::to_string(cost.log2_n) + "$" + std::to_string(cost.r) + "$" +
         std::to_string(cost.p) + "$" + ToHex(salt) + "$" + ToHex(hash);
}

Result<bool> VerifyPassword(std::string_view password, std::string_view encoded) {
  const Status malformed =
      Status::InvalidArgument("the stored password hash is not of the form scrypt$N$r$p$salt$hash");
  std::vector<std::string_view> parts = SplitDollar(encoded);
  if (parts.size() != 6 || parts[0] != "scrypt") return malformed;
  ScryptCost cost;
  std::vector<unsigned char> salt;
  std::vector<unsigned char> expected;
  if (!ParseInt(parts[1], &cost.log2_n) || !ParseInt(parts[2], &cost.r) ||
      !ParseInt(parts[3], &cost.p) || !ValidCost(cost) || !FromHex(parts[4], &salt) ||
      !FromHex(parts[5], &expected) || expected.size() != kHashBytes) {
    return malformed;
  }
  OTSYNC_ASSIGN_OR_RETURN(std::vector<unsigned char> actual, Scrypt(password, salt, cost));
  return CRYPTO_memcmp(actual.data(), expected.data(), kHashBytes) == 0;
}

}  // namespace otsync::console
