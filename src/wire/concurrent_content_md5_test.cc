#include "wire/concurrent_content_md5.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "wire/signature.h"

namespace otsync::wire {
namespace {

// Deterministic bytes of every value, so that a range hashed twice, skipped or out of order
// changes the digest.
std::string Bytes(size_t size, uint32_t seed) {
  std::string bytes(size, '\0');
  uint32_t state = seed * 2654435761u + 1;
  for (char& byte : bytes) {
    state = state * 1664525u + 1013904223u;
    byte = static_cast<char>(state >> 24);
  }
  return bytes;
}

// Appends `source` to a growing body in `piece`-byte steps, offering after each, as otsd's
// answer builder does: Release before the string would grow.
std::string HashWhileAppending(const std::string& source, size_t piece) {
  ConcurrentContentMd5 md5;
  std::string body;
  for (size_t at = 0; at < source.size(); at += piece) {
    const size_t length = std::min(piece, source.size() - at);
    if (body.size() + length > body.capacity()) {
      md5.Release();
      body.reserve(std::max(body.capacity() * 2, body.size() + length));
    }
    body.append(source, at, length);
    md5.Offer(body);
  }
  return md5.Finish(body);
}

// Waits (bounded) until the helpers have hashed more than `before` bytes.
bool HelpersHashedMoreThan(uint64_t before) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ConcurrentContentMd5::BytesHashedByHelpers() <= before) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST(ConcurrentContentMd5Test, MatchesRfc1321AndContentMd5ForSmallBodies) {
  ConcurrentContentMd5 abc;
  EXPECT_EQ(abc.Finish("abc"), "kAFQmDzST7DWlj99KOF/cg==");  // 900150983cd24fb0d6963f7d28e17f72
  ConcurrentContentMd5 empty;
  EXPECT_EQ(empty.Finish(""), "1B2M2Y8AsgTpgAmY7PhCfg==");  // d41d8cd98f00b204e9800998ecf8427e
  for (size_t size : {1u, 63u, 64u, 65u, 1000u}) {
    const std::string body = Bytes(size, static_cast<uint32_t>(size));
    EXPECT_EQ(HashWhileAppending(body, 7), ContentMd5(body)) << size;
  }
}

TEST(ConcurrentContentMd5Test, MatchesContentMd5AroundTheHandOffSizeAndForLargeBodies) {
  constexpr size_t kHandOff = ConcurrentContentMd5::kHandOffBytes;
  for (size_t size : {kHandOff - 1, kHandOff, kHandOff + 1, 3 * kHandOff + 17, size_t{4} << 20}) {
    const std::string body = Bytes(size, static_cast<uint32_t>(size));
    for (size_t piece : {size_t{1} << 20, size_t{330}, kHandOff}) {
      EXPECT_EQ(HashWhileAppending(body, piece), ContentMd5(body)) << size << " by " << piece;
    }
  }
}

// A client checks a body it already holds: one Offer of all of it, then Finish after decoding.
TEST(ConcurrentContentMd5Test, AWholeBodyOfferedAtOnceIsHashedByAHelper) {
  const std::string body = Bytes(2 << 20, 7);
  const uint64_t before = ConcurrentContentMd5::BytesHashedByHelpers();
  ConcurrentContentMd5 md5;
  md5.Offer(body);
  ASSERT_TRUE(HelpersHashedMoreThan(before)) << "no helper took an offered 2 MiB body";
  EXPECT_EQ(md5.Finish(body), ContentMd5(body));
}

// The buffer moves between offers (a Release first): the helper must read the new one, and never
// the old one again, which is overwritten and freed here (AddressSanitizer reports a read of it).
// Each buffer has room for the whole source, so that it moves only where the test moves it: an
// append that grew it would move it under a helper, which the contract forbids.
TEST(ConcurrentContentMd5Test, ABufferMovedAfterReleaseIsReadAtItsNewPlace) {
  const std::string source = Bytes(1 << 20, 11);
  ConcurrentContentMd5 md5;
  auto buffer = std::make_unique<std::string>();
  buffer->reserve(source.size());
  for (size_t at = 0; at < source.size(); at += 40'000) {
    const char* const before_append = buffer->data();
    buffer->append(source, at, 40'000);
    ASSERT_EQ(buffer->data(), before_append) << "the append moved the buffer";
    md5.Offer(*buffer);
    if ((at / 40'000) % 3 == 2) {
      md5.Release();
      auto moved = std::make_unique<std::string>();
      moved->reserve(source.size());
      moved->assign(*buffer);
      std::fill(buffer->begin(), buffer->end(), '\x5a');
      buffer = std::move(moved);
    }
  }
  EXPECT_EQ(md5.Finish(*buffer), ContentMd5(source));
}

// Destroyed without Finish (an answer abandoned on an error): the destructor waits for the helper,
// so the body may be freed right after (AddressSanitizer reports a helper reading it), and no
// helper hashes anything of it afterwards.
TEST(ConcurrentContentMd5Test, DestroyedUnfinishedItLetsGoOfTheBody) {
  for (int round = 0; round < 10; ++round) {
    auto body = std::make_unique<std::string>(Bytes(1 << 20, round));
    const uint64_t before = ConcurrentContentMd5::BytesHashedByHelpers();
    {
      ConcurrentContentMd5 md5;
      md5.Offer(*body);
      if (round % 2 == 0) {
        ASSERT_TRUE(HelpersHashedMoreThan(before));
      }
    }
    const uint64_t after_destruction = ConcurrentContentMd5::BytesHashedByHelpers();
    body.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(ConcurrentContentMd5::BytesHashedByHelpers(), after_destruction) << round;
  }
}

// More bodies at once than there are helpers: some wait in the queue, some are withdrawn by their
// owners' Finish; every digest is still right.
TEST(ConcurrentContentMd5Test, ManyOwnersAtOnceEachGetTheirOwnDigest) {
  constexpr int kOwners = 8;
  std::vector<std::thread> owners;
  std::vector<int> mismatches(kOwners, 0);
  for (int owner = 0; owner < kOwners; ++owner) {
    owners.emplace_back([owner, &mismatches] {
      for (int body = 0; body < 12; ++body) {
        const std::string source = Bytes((body + 1) * 50'000, owner * 100 + body);
        if (HashWhileAppending(source, 330 + body) != ContentMd5(source)) ++mismatches[owner];
      }
    });
  }
  for (std::thread& owner : owners) owner.join();
  for (int owner = 0; owner < kOwners; ++owner) EXPECT_EQ(mismatches[owner], 0) << owner;
}

}  // namespace
}  // namespace otsync::wire
