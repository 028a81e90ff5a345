#include "wire/fetched_digests.h"

#include <openssl/evp.h>

namespace otsync::wire {

const EVP_MD* FetchedMd5() {
  static const EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md5;
}

const EVP_MD* FetchedSha1() {
  static const EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return sha1;
}

const EVP_MD* FetchedSha256() {
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return sha256;
}

}  // namespace otsync::wire
