#include "console/random_token.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <string_view>
#include <vector>

#include "base/hex.h"

namespace otsync::console {

Result<std::string> RandomHexToken(size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
    return Status::Internal("the system's random number generator failed");
  }
  std::string token =
      HexEncode(std::string_view(reinterpret_cast<const char*>(buffer.data()), buffer.size()));
  OPENSSL_cleanse(buffer.data(), buffer.size());
  return token;
}

Result<std::string> RandomPassword(size_t length) {
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  // Rejection sampling keeps every character equally likely: bytes at or above the largest
  // multiple of the alphabet's size are drawn again.
  const unsigned limit = 256 - 256 % kAlphabet.size();
  std::string password;
  while (password.size() < length) {
    unsigned char byte = 0;
    if (RAND_bytes(&byte, 1) != 1) {
      return Status::Internal("the system's random number generator failed");
    }
    if (byte < limit) password.push_back(kAlphabet[byte % kAlphabet.size()]);
  }
  return password;
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace otsync::console
