#include "wire/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>

#include "wire/fetched_digests.h"

namespace otsync::wire {
namespace {

// SHA-1 and SHA-256 both hash 64-byte blocks.
constexpr size_t kBlockSize = 64;

struct ContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using ContextPointer = std::unique_ptr<EVP_MD_CTX, ContextFree>;

// A digest context that has hashed the key block XOR `pad`; nullptr if OpenSSL failed.
ContextPointer PadContext(const EVP_MD* md, const std::array<unsigned char, kBlockSize>& key_block,
                          unsigned char pad) {
  std::array<unsigned char, kBlockSize> block;
  for (size_t i = 0; i < kBlockSize; ++i) block[i] = key_block[i] ^ pad;
  ContextPointer context(EVP_MD_CTX_new());
  const bool ok = context != nullptr && EVP_DigestInit_ex(context.get(), md, nullptr) == 1 &&
                  EVP_DigestUpdate(context.get(), block.data(), block.size()) == 1;
  OPENSSL_cleanse(block.data(), block.size());
  return ok ? std::move(context) : nullptr;
}

}  // namespace

HmacKey::HmacKey(Digest digest, std::string_view key) {
  const EVP_MD* md = digest == Digest::kSha1 ? FetchedSha1() : FetchedSha256();
  if (md == nullptr) return;
  // RFC 2104: a key longer than the block is replaced by its digest; the block is zero-padded.
  std::array<unsigned char, kBlockSize> key_block{};
  if (key.size() > kBlockSize) {
    unsigned int length = 0;
    if (EVP_Digest(key.data(), key.size(), key_block.data(), &length, md, nullptr) != 1) return;
  } else {
    for (size_t i = 0; i < key.size(); ++i) key_block[i] = static_cast<unsigned char>(key[i]);
  }
  ContextPointer inner = PadContext(md, key_block, 0x36);
  ContextPointer outer = PadContext(md, key_block, 0x5c);
  OPENSSL_cleanse(key_block.data(), key_block.size());
  if (inner == nullptr || outer == nullptr) return;
  inner_ = inner.release();
  outer_ = outer.release();
}

HmacKey::~HmacKey() {
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
}

std::string HmacKey::Sign(std::string_view message) const {
  if (inner_ == nullptr) return {};
  ContextPointer work(EVP_MD_CTX_new());
  if (work == nullptr) return {};
  unsigned char inner_digest[EVP_MAX_MD_SIZE];
  unsigned int inner_length = 0;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  if (EVP_MD_CTX_copy_ex(work.get(), inner_) != 1 ||
      EVP_DigestUpdate(work.get(), message.data(), message.size()) != 1 ||
      EVP_DigestFinal_ex(work.get(), inner_digest, &inner_length) != 1 ||
      EVP_MD_CTX_copy_ex(work.get(), outer_) != 1 ||
      EVP_DigestUpdate(work.get(), inner_digest, inner_length) != 1 ||
      EVP_DigestFinal_ex(work.get(), mac, &mac_length) != 1) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(mac), mac_length);
}

}  // namespace otsync::wire
