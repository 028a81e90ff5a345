#include "wire/hmac.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <thread>
#include <vector>

#include "base/hex.h"

namespace otsync::wire {
namespace {

// OpenSSL's one-shot HMAC(), which HmacKey replaces on the hot paths.
std::string OneShot(const EVP_MD* md, std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

// RFC 2202 (HMAC-SHA1) test cases 1, 2 and 6; 6's key is longer than the 64-byte block, so it is
// hashed first.
TEST(HmacKeyTest, Sha1MatchesRfc2202) {
  EXPECT_EQ(HexEncode(HmacKey(HmacKey::Digest::kSha1, std::string(20, '\x0b')).Sign("Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(HexEncode(HmacKey(HmacKey::Digest::kSha1, "Jefe").Sign("what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(HexEncode(HmacKey(HmacKey::Digest::kSha1, std::string(80, '\xaa'))
                          .Sign("Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

// RFC 4231 (HMAC-SHA256) test cases 2 and 6 (a 131-byte key).
TEST(HmacKeyTest, Sha256MatchesRfc4231) {
  EXPECT_EQ(
      HexEncode(HmacKey(HmacKey::Digest::kSha256, "Jefe").Sign("what do ya want for nothing?")),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HexEncode(HmacKey(HmacKey::Digest::kSha256, std::string(131, '\xaa'))
                          .Sign("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// Keys of every length around the block size, messages of several lengths, one key signing
// many messages: each MAC equals OpenSSL's one-shot HMAC of the same key and message.
TEST(HmacKeyTest, EqualsOneShotHmacForKeysAroundTheBlockSize) {
  for (size_t key_length : {0, 1, 20, 63, 64, 65, 128, 200}) {
    std::string key(key_length, '\0');
    for (size_t i = 0; i < key_length; ++i) key[i] = static_cast<char>(i * 7 + key_length);
    const HmacKey sha1(HmacKey::Digest::kSha1, key);
    const HmacKey sha256(HmacKey::Digest::kSha256, key);
    for (size_t message_length : {0, 1, 55, 64, 300}) {
      const std::string message(message_length, static_cast<char>('a' + message_length % 26));
      EXPECT_EQ(sha1.Sign(message), OneShot(EVP_sha1(), key, message))
          << "key " << key_length << " message " << message_length;
      EXPECT_EQ(sha256.Sign(message), OneShot(EVP_sha256(), key, message))
          << "key " << key_length << " message " << message_length;
    }
  }
}

// One prepared key shared by threads that sign at once, as otsd's connection threads do.
TEST(HmacKeyTest, ThreadsSharingAKeyGetTheSameMacs) {
  const HmacKey key(HmacKey::Digest::kSha1, "otsync-local-secret");
  std::vector<std::string> messages;
  std::vector<std::string> expected;
  for (int i = 0; i < 64; ++i) {
    messages.push_back("/GetStreamRecord\nPOST\n\nx-ots-date:" + std::to_string(i));
    expected.push_back(OneShot(EVP_sha1(), "otsync-local-secret", messages.back()));
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 500; ++round) {
        const size_t i = static_cast<size_t>(round * 4 + t) % messages.size();
        if (key.Sign(messages[i]) != expected[i]) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace otsync::wire
