#include "console/password_hash.h"

#include <gtest/gtest.h>

#include "console/random_token.h"

namespace otsync::console {
namespace {

// A low cost keeps the sanitizer build fast; the format and the checks are the same.
constexpr ScryptCost kCheapCost{10, 8, 1};

TEST(PasswordHashTest, VerifiesTheRightPasswordOnly) {
  Result<std::string> hash = HashPassword("correct horse", kCheapCost);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("scrypt$10$8$1$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  Result<bool> right = VerifyPassword("correct horse", *hash);
  ASSERT_TRUE(right.ok());
  EXPECT_TRUE(*right);
  Result<bool> wrong = VerifyPassword("correct horsf", *hash);
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(*wrong);
  EXPECT_FALSE(*VerifyPassword("", *hash));
}

TEST(PasswordHashTest, EachHashHasItsOwnSalt) {
  Result<std::string> first = HashPassword("same", kCheapCost);
  Result<std::string> second = HashPassword("same", kCheapCost);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(*VerifyPassword("same", *first));
  EXPECT_TRUE(*VerifyPassword("same", *second));
}

TEST(PasswordHashTest, DefaultCostIsTheDocumentedOne) {
  Result<std::string> hash = HashPassword("pw");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("scrypt$15$8$1$", 0), 0u);
}

TEST(PasswordHashTest, RefusesMalformedOrTamperedHashes) {
  Result<std::string> hash = HashPassword("pw", kCheapCost);
  ASSERT_TRUE(hash.ok());
  for (std::string bad : {std::string(""), std::string("plain"), std::string("pbkdf2$1$2$3$aa$bb"),
                          std::string("scrypt$10$8$1$zz$") + std::string(64, 'a'),
                          std::string("scrypt$40$8$1$00$") + std::string(64, 'a'),
                          std::string("scrypt$10$8$1$00$abcd")}) {
    Result<bool> verified = VerifyPassword("pw", bad);
    EXPECT_FALSE(verified.ok()) << bad;
    if (!verified.ok()) {
      EXPECT_EQ(verified.status().message().find("pw"), std::string::npos);
    }
  }
  std::string tampered = *hash;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_FALSE(*VerifyPassword("pw", tampered));
}

TEST(RandomTokenTest, TokensAreLongRandomAndDistinct) {
  Result<std::string> a = RandomHexToken(32);
  Result<std::string> b = RandomHexToken(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(RandomTokenTest, PasswordsAvoidLookAlikes) {
  Result<std::string> password = RandomPassword(200);
  ASSERT_TRUE(password.ok());
  EXPECT_EQ(password->size(), 200u);
  EXPECT_EQ(password->find_first_of("0O1lI"), std::string::npos);
}

TEST(RandomTokenTest, Sha256HexIsTheLowercaseHexDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace otsync::console
