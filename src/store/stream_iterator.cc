#include "store/stream_iterator.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cassert>
#include <utility>

#include "store/stream_types.h"
#include "wire/coding.h"

namespace otsync::store {
namespace {

constexpr uint8_t kFormatVersion = 1;
// HMAC-SHA256 truncated to 128 bits: forging needs 2^128 guesses, and iterators stay short.
constexpr size_t kMacSize = 16;

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t group = (static_cast<uint8_t>(bytes[i]) << 16) |
                     (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(kBase64Alphabet[(group >> shift) & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) group |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kBase64Alphabet[(group >> 18) & 63]);
    out.push_back(kBase64Alphabet[(group >> 12) & 63]);
    if (rest == 2) out.push_back(kBase64Alphabet[(group >> 6) & 63]);
  }
  return out;
}

// Strict: only the alphabet, no padding, and unused trailing bits must be zero, so every byte
// string has exactly one text form.
bool Base64UrlDecode(std::string_view text, std::string* bytes) {
  static const std::array<int8_t, 256> kDigits = [] {
    std::array<int8_t, 256> digits{};
    digits.fill(-1);
    for (size_t i = 0; i < kBase64Alphabet.size(); ++i) {
      digits[static_cast<uint8_t>(kBase64Alphabet[i])] = static_cast<int8_t>(i);
    }
    return digits;
  }();
  if (text.size() % 4 == 1) return false;
  bytes->clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int8_t digit = kDigits[static_cast<uint8_t>(c)];
    if (digit < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(digit);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes->push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return (buffer & ((1u << bits) - 1)) == 0;
}

// As the service answers a trimmed one (docs/protocol.md §4.3): the iterator names no data here.
Status InvalidIterator() {
  return Status(StatusCode::kTrimmedDataAccess, std::string(kTrimmedDataMessage));
}

}  // namespace

Result<std::string> ShardIteratorCodec::GenerateKey() {
  std::string key(kKeySize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return Status::Internal("no entropy for the stream iterator key");
  }
  return key;
}

ShardIteratorCodec::ShardIteratorCodec(std::string key)
    : mac_key_(wire::HmacKey::Digest::kSha256, key) {
  assert(key.size() == kKeySize);
  OPENSSL_cleanse(key.data(), key.size());
}

std::string ShardIteratorCodec::Mac(std::string_view instance, std::string_view payload) const {
  std::string message;
  message.reserve(2 + instance.size() + payload.size());
  wire::PutBigEndian16LengthPrefixed(instance, &message);
  message.append(payload);
  std::string mac = mac_key_.Sign(message);
  // Empty only if OpenSSL failed; an empty MAC matches no iterator.
  if (mac.size() > kMacSize) mac.resize(kMacSize);
  return mac;
}

std::string ShardIteratorCodec::Encode(std::string_view instance,
                                       const ShardIteratorFields& fields) const {
  std::string payload;
  payload.push_back(static_cast<char>(kFormatVersion));
  wire::PutBigEndian16LengthPrefixed(fields.stream_id, &payload);
  wire::PutBigEndian16LengthPrefixed(fields.shard_id, &payload);
  wire::PutOrderedInt64(fields.position.timestamp, &payload);
  wire::PutBigEndian32(fields.position.row_index, &payload);
  payload.append(Mac(instance, payload));
  return Base64UrlEncode(payload);
}

Result<ShardIteratorFields> ShardIteratorCodec::Decode(std::string_view instance,
                                                       std::string_view iterator) const {
  std::string bytes;
  if (iterator.empty() || !Base64UrlDecode(iterator, &bytes) || bytes.size() <= kMacSize) {
    return InvalidIterator();
  }
  std::string_view payload(bytes.data(), bytes.size() - kMacSize);
  std::string expected_mac = Mac(instance, payload);
  if (expected_mac.size() != kMacSize ||
      CRYPTO_memcmp(expected_mac.data(), bytes.data() + payload.size(), kMacSize) != 0) {
    return InvalidIterator();
  }
  wire::ByteReader reader(payload);
  uint8_t version = 0;
  ShardIteratorFields fields;
  if (!reader.GetByte(&version) || version != kFormatVersion ||
      !reader.GetBigEndian16LengthPrefixed(&fields.stream_id) ||
      !reader.GetBigEndian16LengthPrefixed(&fields.shard_id) ||
      !reader.GetOrderedInt64(&fields.position.timestamp) ||
      !reader.GetBigEndian32(&fields.position.row_index) || !reader.empty()) {
    return InvalidIterator();
  }
  return fields;
}

}  // namespace otsync::store
