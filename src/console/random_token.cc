#include "console/random_token.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <vector>

namespace otsync::console {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    text.push_back(kDigits[data[i] >> 4]);
    text.push_back(kDigits[data[i] & 0x0f]);
  }
  return text;
}

}  // namespace

Result<std::string> RandomHexToken(size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
    return Status::Internal("the system's random number generator failed");
  }
  std::string token = Hex(buffer.data(), buffer.size());
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

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return Hex(digest, sizeof(digest));
}

}  // namespace otsync::console
