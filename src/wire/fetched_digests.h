// OpenSSL's digests, fetched once per process. The EVP_md5() / EVP_sha1() / EVP_sha256() handles
// look their algorithm up in the provider store, behind a lock every thread shares, each time a
// context is initialised with them; small bodies and signatures are hashed on every request and
// answer. Null only if OpenSSL cannot provide the digest.
#pragma once

// OpenSSL's digest type, kept opaque here.
struct evp_md_st;

namespace otsync::wire {

const evp_md_st* FetchedMd5();
const evp_md_st* FetchedSha1();
const evp_md_st* FetchedSha256();

}  // namespace otsync::wire
