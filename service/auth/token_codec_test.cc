#include "service/auth/token_codec.h"

#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/principal.h"

namespace sessions::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint32_t kRead = static_cast<uint32_t>(Scope::kSessionsRead);
constexpr uint32_t kWrite = static_cast<uint32_t>(Scope::kSessionsWrite);
constexpr uint32_t kAdmin = static_cast<uint32_t>(Scope::kAdmin);

// A fixed well-formed secret (not random; for parsing tests only).
const std::string kSecret = "ast_" + std::string(42, 'A') + "Q";

TEST(TokenCodecTest, SecretHasPrefixAndBase64UrlBody) {
  absl::StatusOr<std::string> secret = GenerateTokenSecret();
  ASSERT_TRUE(secret.ok()) << secret.status();
  EXPECT_EQ(secret->size(), kTokenSecretLength);
  EXPECT_EQ(secret->size(), 47u);
  EXPECT_EQ(secret->substr(0, 4), "ast_");
  EXPECT_TRUE(IsWellFormedTokenSecret(*secret));
  // The body decodes back to exactly 32 random bytes.
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(secret->substr(4), &raw));
  EXPECT_EQ(raw.size(), kTokenSecretRandomBytes);
}

TEST(TokenCodecTest, SecretsAndIdsAreUnique) {
  absl::flat_hash_set<std::string> secrets;
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<std::string> secret = GenerateTokenSecret();
    absl::StatusOr<std::string> id = GenerateTokenId();
    ASSERT_TRUE(secret.ok() && id.ok());
    EXPECT_TRUE(secrets.insert(*secret).second);
    EXPECT_TRUE(ids.insert(*id).second);
  }
}

TEST(TokenCodecTest, IdHasPrefixAndSixteenHexDigits) {
  absl::StatusOr<std::string> id = GenerateTokenId();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->size(), 20u);
  EXPECT_EQ(id->substr(0, 4), "tok_");
  EXPECT_TRUE(IsWellFormedTokenId(*id));
  EXPECT_FALSE(IsWellFormedTokenId("tok_0123456789abcdeF"));
  EXPECT_FALSE(IsWellFormedTokenId("tok_0123456789abcde"));
  EXPECT_FALSE(IsWellFormedTokenId("key_0123456789abcdef"));
}

TEST(TokenCodecTest, WellFormedSecretRules) {
  EXPECT_TRUE(IsWellFormedTokenSecret(kSecret));
  EXPECT_TRUE(IsWellFormedTokenSecret("ast_" + std::string(21, '-') + std::string(22, '_')));
  EXPECT_FALSE(IsWellFormedTokenSecret(""));
  EXPECT_FALSE(IsWellFormedTokenSecret("ast_"));
  EXPECT_FALSE(IsWellFormedTokenSecret("ast_" + std::string(42, 'A')));           // short
  EXPECT_FALSE(IsWellFormedTokenSecret("ast_" + std::string(44, 'A')));           // long
  EXPECT_FALSE(IsWellFormedTokenSecret("xst_" + std::string(43, 'A')));           // prefix
  EXPECT_FALSE(IsWellFormedTokenSecret("AST_" + std::string(43, 'A')));           // prefix case
  EXPECT_FALSE(IsWellFormedTokenSecret("ast_" + std::string(42, 'A') + "="));     // padding
  EXPECT_FALSE(IsWellFormedTokenSecret("ast_" + std::string(42, 'A') + "+"));     // std base64
  EXPECT_FALSE(IsWellFormedTokenSecret("ast_" + std::string(42, 'A') + "\xc3"));  // non-ASCII
  EXPECT_FALSE(
      IsWellFormedTokenSecret(std::string("ast_") + std::string(42, 'A') + std::string(1, '\0')));
}

TEST(TokenCodecTest, HashIsRawSha256) {
  absl::StatusOr<std::string> hash = HashTokenSecret("abc");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->size(), 32u);
  // FIPS 180-2 test vector.
  EXPECT_EQ(absl::BytesToHexString(*hash),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  absl::StatusOr<std::string> empty = HashTokenSecret("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(absl::BytesToHexString(*empty),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_NE(*HashTokenSecret(kSecret), *HashTokenSecret(kSecret + "x"));
}

TEST(TokenCodecTest, ParsesBearerHeader) {
  for (const std::string& value :
       {"Bearer " + kSecret, "bearer " + kSecret, "BEARER " + kSecret, "bEaReR " + kSecret,
        "Bearer  " + kSecret, "Bearer\t" + kSecret, "  Bearer " + kSecret + " \t"}) {
    absl::StatusOr<std::string_view> token = ParseBearerToken(value);
    ASSERT_TRUE(token.ok()) << value;
    EXPECT_EQ(*token, kSecret);
  }
}

TEST(TokenCodecTest, RejectsMalformedHeaders) {
  const std::string cases[] = {
      "",
      "Bearer",
      "Bearer ",
      "Bearer  ",
      "Basic " + kSecret,
      "Basic dXNlcjpwYXNz",
      "Token " + kSecret,
      "Bearer" + kSecret,  // no separator
      "Bearer:" + kSecret,
      "Bearerx " + kSecret,
      "Bear " + kSecret,
      kSecret,                                     // no scheme
      "Bearer xst_" + std::string(43, 'A'),        // wrong prefix
      "Bearer " + kSecret.substr(0, 46),           // short
      "Bearer " + kSecret + "A",                   // long
      "Bearer " + kSecret + " extra",              // trailing parameter
      "Bearer " + kSecret + "," + kSecret,         // two tokens
      "Bearer " + kSecret.substr(0, 46) + "\xc3",  // non-ASCII
      "Bearer " + kSecret.substr(0, 46) + "=",     // padding
      "Bearer " + std::string(2000, 'A'),          // over-long
      "Bearer " + kSecret + std::string(kMaxAuthorizationHeaderLength, ' '),
      std::string("Bearer ") + std::string(1, '\0') + kSecret,
      "Bearer\n" + kSecret,
  };
  for (const std::string& value : cases) {
    absl::StatusOr<std::string_view> token = ParseBearerToken(value);
    ASSERT_FALSE(token.ok()) << "accepted: " << value;
    EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(token.status().message(), Not(HasSubstr("AAAA")));
  }
}

TEST(TokenCodecTest, ParsesScopes) {
  EXPECT_EQ(*ParseScopes("sessions:read"), kRead);
  EXPECT_EQ(*ParseScopes("sessions:write"), kWrite);
  EXPECT_EQ(*ParseScopes("admin"), kAdmin);
  EXPECT_EQ(*ParseScopes("sessions:read,sessions:write"), kRead | kWrite);
  EXPECT_EQ(*ParseScopes(" sessions:write , sessions:read ,"), kRead | kWrite);
  EXPECT_EQ(*ParseScopes("admin,admin"), kAdmin);
}

TEST(TokenCodecTest, RejectsBadScopes) {
  for (std::string_view text : {"", ",", " , ", "sessions:delete", "Sessions:Read",
                                "sessions:read;sessions:write", "sessions:read,root"}) {
    absl::StatusOr<uint32_t> scopes = ParseScopes(text);
    ASSERT_FALSE(scopes.ok()) << text;
    EXPECT_EQ(scopes.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(scopes.status().message(), HasSubstr("scopes"));
  }
  EXPECT_THAT(ParseScopes("sessions:read,root").status().message(), HasSubstr("'root'"));
}

TEST(TokenCodecTest, FormatsScopes) {
  EXPECT_EQ(FormatScopes(0), "");
  EXPECT_EQ(FormatScopes(kRead), "sessions:read");
  EXPECT_EQ(FormatScopes(kWrite | kRead), "sessions:read,sessions:write");
  EXPECT_EQ(FormatScopes(kAdmin | kWrite | kRead), "sessions:read,sessions:write,admin");
  EXPECT_EQ(FormatScopes(kRead | 0x100), "sessions:read,0x100");
}

TEST(TokenCodecTest, ScopesRoundTrip) {
  for (uint32_t bits = 1; bits < 8; ++bits) {
    absl::StatusOr<uint32_t> parsed = ParseScopes(FormatScopes(bits));
    ASSERT_TRUE(parsed.ok()) << bits;
    EXPECT_EQ(*parsed, bits);
  }
}

}  // namespace
}  // namespace sessions::auth
