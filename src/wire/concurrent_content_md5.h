// ConcurrentContentMd5: the x-ots-contentmd5 of a body, hashed on a helper thread while its owner
// still writes the body (otsd building an answer) or reads it (a client decoding one).
//
// MD5 is serial and runs at about 600 MB/s here: ~0.55 µs for each 330-byte stream record, on
// otsd while it builds a GetStreamRecord answer and again on a client that checks it. A stream
// reader waits for each answer before it asks for the next, so both hashes lay on its path, a
// third of a call's time. With the bytes already written hashed while the rest is built, or the
// whole body hashed while it is decoded, the hash leaves that path.
//
// Use, on one owner thread:
//   std::string body;
//   ConcurrentContentMd5 md5;
//   for (...) {
//     if (body.size() + n > body.capacity()) { md5.Release(); body.reserve(...); }
//     append n bytes to body;
//     md5.Offer(body);
//   }
//   std::string digest = md5.Finish(body);  // == ContentMd5(body)
//
// Contracts:
//  - Offer(bytes) declares bytes[0, size) final: the owner must neither change them nor move or
//    free the buffer that holds them until Release, Finish or the destructor has returned. Each
//    Offer passes the same bytes as the last one, or more of them (grown in place or moved after
//    a Release).
//  - Finish(whole) hashes `whole`, which must begin with every byte offered so far; the digest
//    is that of `whole` alone, whichever thread hashed which part. Offer and Release after Finish
//    are not allowed.
//  - Bytes are hashed in order, each exactly once: by a helper, or by the owner inside Finish
//    when no helper took them (Release withdraws what a helper has not begun, to be handed over
//    again by the next Offer). A helper is asked only once kHandOffBytes wait, so a small body
//    is hashed by its owner alone, as ContentMd5 would.
//  - Helpers are a process-wide set of hardware_concurrency() threads (at least one), started on
//    first need and never stopped; a helper hashes what one body has waiting, then moves on.
//
// Thread safety: one object belongs to one owner thread; the helpers only read offered bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// OpenSSL's digest context, kept opaque here.
struct evp_md_ctx_st;

namespace otsync::wire {

class ConcurrentContentMd5 {
 public:
  // A helper is asked to hash once this many offered bytes wait: below it, handing them over
  // costs about what hashing them does (a wake-up is a few microseconds; 32 KiB hash in ~55 µs).
  static constexpr size_t kHandOffBytes = 32 * 1024;
  // Offer takes the helpers' lock only once this many more bytes are final, so that it can be
  // called after every record of an answer.
  static constexpr size_t kOfferStepBytes = 16 * 1024;

  ConcurrentContentMd5();
  // Waits until no helper reads the offered bytes.
  ~ConcurrentContentMd5();
  ConcurrentContentMd5(const ConcurrentContentMd5&) = delete;
  ConcurrentContentMd5& operator=(const ConcurrentContentMd5&) = delete;

  void Offer(std::string_view final_bytes) {
    if (final_bytes.size() - last_offered_size_ >= kOfferStepBytes) OfferLocked(final_bytes);
  }
  // Returns once no helper reads the offered bytes: the owner may then move or grow the buffer.
  void Release();
  // Base64 of the MD5 of `whole`.
  std::string Finish(std::string_view whole);

  // Bytes the helpers have hashed since the process started, over all bodies (for tests, and
  // benchmarks that show how much of the hashing left the owners' threads).
  static uint64_t BytesHashedByHelpers();

  // State shared with the helpers; defined in the .cc.
  struct Shared;

 private:
  void OfferLocked(std::string_view final_bytes);

  Shared* shared_;
  // The owner's own record of what it last passed to the helpers, and whether it ever did.
  size_t last_offered_size_ = 0;
  bool handed_over_ = false;
};

}  // namespace otsync::wire
