#include "wire/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>
#include <vector>

#include "wire/fetched_digests.h"

namespace otsync::wire {
namespace {

constexpr std::string_view kHeaderPrefix = "x-ots-";
constexpr std::string_view kSignatureHeader = "x-ots-signature";

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

// The sorted "name:value\n" lines of every x-ots-* header except x-ots-signature.
std::string CanonicalHeaders(const HeaderMap& headers) {
  std::vector<std::pair<std::string, std::string_view>> signed_headers;
  for (const auto& [name, value] : headers) {
    std::string lower = ToLower(name);
    if (!lower.starts_with(kHeaderPrefix) || lower == kSignatureHeader) continue;
    signed_headers.emplace_back(std::move(lower), Trim(value));
  }
  std::sort(signed_headers.begin(), signed_headers.end());
  std::string canonical;
  for (const auto& [name, value] : signed_headers) {
    canonical.append(name);
    canonical.push_back(':');
    canonical.append(value);
    canonical.push_back('\n');
  }
  return canonical;
}

HmacKey SecretKey(std::string_view access_key_secret) {
  return HmacKey(HmacKey::Digest::kSha1, access_key_secret);
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeBase64Decoding() {
  std::array<int8_t, 256> table{};
  for (int8_t& entry : table) entry = -1;
  for (int index = 0; index < 64; ++index) {
    table[static_cast<unsigned char>(kBase64Alphabet[index])] = static_cast<int8_t>(index);
  }
  return table;
}

constexpr std::array<int8_t, 256> kBase64Decoding = MakeBase64Decoding();

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_index = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const unsigned month = month_index < 10 ? month_index + 3 : month_index - 9;
  const int64_t year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2);
  return {year, month, day};
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Reads exactly `digits` decimal digits at `*position`.
bool ReadDigits(std::string_view text, size_t* position, int digits, int* value) {
  if (text.size() - *position < static_cast<size_t>(digits)) return false;
  int result = 0;
  for (int i = 0; i < digits; ++i) {
    char c = text[*position + i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *position += digits;
  *value = result;
  return true;
}

bool ReadChar(std::string_view text, size_t* position, char expected) {
  if (*position >= text.size() || text[*position] != expected) return false;
  ++*position;
  return true;
}

}  // namespace

std::string SignRequest(std::string_view api, const HeaderMap& headers, const HmacKey& secret_key) {
  std::string string_to_sign = "/";
  string_to_sign.append(api);
  string_to_sign.append("\nPOST\n\n");
  string_to_sign.append(CanonicalHeaders(headers));
  return Base64Encode(secret_key.Sign(string_to_sign));
}

std::string SignRequest(std::string_view api, const HeaderMap& headers,
                        std::string_view access_key_secret) {
  return SignRequest(api, headers, SecretKey(access_key_secret));
}

std::string SignResponse(std::string_view api, const HeaderMap& headers,
                         std::string_view access_key_id, const HmacKey& secret_key) {
  std::string string_to_sign = CanonicalHeaders(headers);
  string_to_sign.push_back('/');
  string_to_sign.append(api);
  std::string authorization = "OTS ";
  authorization.append(access_key_id);
  authorization.push_back(':');
  authorization.append(Base64Encode(secret_key.Sign(string_to_sign)));
  return authorization;
}

std::string SignResponse(std::string_view api, const HeaderMap& headers,
                         std::string_view access_key_id, std::string_view access_key_secret) {
  return SignResponse(api, headers, access_key_id, SecretKey(access_key_secret));
}

std::string ContentMd5(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  EVP_Digest(body.data(), body.size(), digest, &digest_length, FetchedMd5(), nullptr);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), digest_length));
}

std::string Base64Encode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  size_t index = 0;
  for (; index + 3 <= bytes.size(); index += 3) {
    uint32_t group = (static_cast<uint8_t>(bytes[index]) << 16) |
                     (static_cast<uint8_t>(bytes[index + 1]) << 8) |
                     static_cast<uint8_t>(bytes[index + 2]);
    text.push_back(kBase64Alphabet[(group >> 18) & 63]);
    text.push_back(kBase64Alphabet[(group >> 12) & 63]);
    text.push_back(kBase64Alphabet[(group >> 6) & 63]);
    text.push_back(kBase64Alphabet[group & 63]);
  }
  size_t remaining = bytes.size() - index;
  if (remaining > 0) {
    uint32_t group = static_cast<uint8_t>(bytes[index]) << 16;
    if (remaining == 2) group |= static_cast<uint8_t>(bytes[index + 1]) << 8;
    text.push_back(kBase64Alphabet[(group >> 18) & 63]);
    text.push_back(kBase64Alphabet[(group >> 12) & 63]);
    text.push_back(remaining == 2 ? kBase64Alphabet[(group >> 6) & 63] : '=');
    text.push_back('=');
  }
  return text;
}

bool Base64Decode(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (size_t index = 0; index < text.size(); index += 4) {
    const bool last = index + 4 == text.size();
    int padding = 0;
    if (last && text[index + 3] == '=') padding = text[index + 2] == '=' ? 2 : 1;
    uint32_t group = 0;
    for (int i = 0; i < 4; ++i) {
      int8_t sextet = 0;
      if (i < 4 - padding) {
        sextet = kBase64Decoding[static_cast<unsigned char>(text[index + i])];
        if (sextet < 0) return false;
      }
      group = (group << 6) | static_cast<uint32_t>(sextet);
    }
    bytes.push_back(static_cast<char>(group >> 16));
    if (padding < 2) bytes.push_back(static_cast<char>(group >> 8));
    if (padding < 1) bytes.push_back(static_cast<char>(group));
  }
  *out = std::move(bytes);
  return true;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // OpenSSL's comparison is written so that no compiler turns it into an early exit.
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string FormatIsoTime(int64_t micros_since_epoch, int fraction_digits) {
  constexpr int64_t kMicrosPerSecond = 1000000;
  constexpr int64_t kSecondsPerDay = 86400;
  int64_t seconds = micros_since_epoch / kMicrosPerSecond;
  int64_t micros = micros_since_epoch % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  CivilDate date = CivilFromDays(days);
  char text[64];
  int length = std::snprintf(
      text, sizeof(text), "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(date.year),
      date.month, date.day, static_cast<int>(second_of_day / 3600),
      static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
  std::string result(text, static_cast<size_t>(length));
  fraction_digits = std::clamp(fraction_digits, 0, 6);
  if (fraction_digits > 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof(fraction), "%06lld", static_cast<long long>(micros));
    result.push_back('.');
    result.append(fraction, static_cast<size_t>(fraction_digits));
  }
  result.push_back('Z');
  return result;
}

bool ParseIsoTime(std::string_view text, int64_t* micros_since_epoch) {
  size_t position = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, &position, 4, &year) || !ReadChar(text, &position, '-') ||
      !ReadDigits(text, &position, 2, &month) || !ReadChar(text, &position, '-') ||
      !ReadDigits(text, &position, 2, &day) || !ReadChar(text, &position, 'T') ||
      !ReadDigits(text, &position, 2, &hour) || !ReadChar(text, &position, ':') ||
      !ReadDigits(text, &position, 2, &minute) || !ReadChar(text, &position, ':') ||
      !ReadDigits(text, &position, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  // Up to 9 fraction digits; beyond microseconds they are dropped. The Go SDK's "fraction" is
  // really month, day and hour digits (docs/protocol.md §1.2): read as a fraction it moves the time
  // by under a second, which no skew window notices.
  int64_t micros = 0;
  if (position < text.size() && text[position] == '.') {
    ++position;
    int digits = 0;
    while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[position] - '0');
      ++digits;
      ++position;
    }
    if (digits == 0 || digits > 9) return false;
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  if (!ReadChar(text, &position, 'Z') || position != text.size()) return false;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  *micros_since_epoch = ((days * 86400 + hour * 3600 + minute * 60 + second) * 1000000) + micros;
  return true;
}

}  // namespace otsync::wire
