#include "service/auth/token_codec.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "service/principal.h"

namespace sessions::auth {
namespace {

constexpr std::string_view kBearerScheme = "bearer";

struct ScopeName {
  Scope scope;
  std::string_view name;
};

// In FormatScopes order.
constexpr std::array<ScopeName, 3> kScopeNames = {{
    {Scope::kSessionsRead, "sessions:read"},
    {Scope::kSessionsWrite, "sessions:write"},
    {Scope::kAdmin, "admin"},
}};

bool IsBase64UrlChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsOws(char c) { return c == ' ' || c == '\t'; }

// Debian's Abseil has its own string_view class (not std::string_view).
absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Fills `out` with `n` bytes from the OpenSSL CSPRNG.
absl::Status RandomBytes(unsigned char* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    return absl::InternalError("the random generator failed");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> GenerateTokenSecret() {
  unsigned char raw[kTokenSecretRandomBytes];
  absl::Status status = RandomBytes(raw, sizeof(raw));
  if (!status.ok()) return status;
  // EVP_EncodeBlock writes padded standard base64 plus a NUL.
  unsigned char encoded[4 * ((kTokenSecretRandomBytes + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, raw, static_cast<int>(sizeof(raw)));
  OPENSSL_cleanse(raw, sizeof(raw));
  std::string secret(kTokenSecretPrefix);
  secret.reserve(kTokenSecretLength);
  for (int i = 0; i < n; ++i) {
    const char c = static_cast<char>(encoded[i]);
    if (c == '=') break;
    secret.push_back(c == '+' ? '-' : c == '/' ? '_' : c);
  }
  OPENSSL_cleanse(encoded, sizeof(encoded));
  if (!IsWellFormedTokenSecret(secret)) {
    OPENSSL_cleanse(secret.data(), secret.size());
    return absl::InternalError("generated secret has an unexpected shape");
  }
  return secret;
}

absl::StatusOr<std::string> GenerateTokenId() {
  unsigned char raw[8];
  absl::Status status = RandomBytes(raw, sizeof(raw));
  if (!status.ok()) return status;
  return absl::StrCat(
      ToAbsl(kTokenIdPrefix),
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(raw), sizeof(raw))));
}

bool IsWellFormedTokenSecret(std::string_view secret) {
  if (secret.size() != kTokenSecretLength) return false;
  if (secret.substr(0, kTokenSecretPrefix.size()) != kTokenSecretPrefix) return false;
  for (char c : secret.substr(kTokenSecretPrefix.size())) {
    if (!IsBase64UrlChar(c)) return false;
  }
  return true;
}

bool IsWellFormedTokenId(std::string_view id) {
  if (id.size() != kTokenIdLength) return false;
  if (id.substr(0, kTokenIdPrefix.size()) != kTokenIdPrefix) return false;
  for (char c : id.substr(kTokenIdPrefix.size())) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

absl::StatusOr<std::string> HashTokenSecret(std::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(secret.data(), secret.size(), digest, &length, EVP_sha256(), nullptr) != 1 ||
      length != kSecretHashLength) {
    return absl::InternalError("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

absl::StatusOr<std::string_view> ParseBearerToken(std::string_view header_value) {
  // One message for every failure; it never echoes the value.
  const auto invalid = [] {
    return absl::InvalidArgumentError("authorization must be 'Bearer <token>'");
  };
  if (header_value.size() > kMaxAuthorizationHeaderLength) return invalid();
  std::string_view v = header_value;
  while (!v.empty() && IsOws(v.front())) v.remove_prefix(1);
  while (!v.empty() && IsOws(v.back())) v.remove_suffix(1);
  if (v.size() <= kBearerScheme.size() || !IsOws(v[kBearerScheme.size()]) ||
      !absl::EqualsIgnoreCase(ToAbsl(v.substr(0, kBearerScheme.size())), ToAbsl(kBearerScheme))) {
    return invalid();
  }
  v.remove_prefix(kBearerScheme.size());
  // RFC 7235: 1*SP between scheme and credentials; tabs tolerated too.
  while (!v.empty() && IsOws(v.front())) v.remove_prefix(1);
  if (!IsWellFormedTokenSecret(v)) return invalid();
  return v;
}

absl::StatusOr<uint32_t> ParseScopes(std::string_view text) {
  uint32_t scopes = 0;
  for (absl::string_view item : absl::StrSplit(ToAbsl(text), ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (item.empty()) continue;
    bool known = false;
    for (const ScopeName& s : kScopeNames) {
      if (std::string_view(item.data(), item.size()) == s.name) {
        scopes |= static_cast<uint32_t>(s.scope);
        known = true;
        break;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(
          "scopes: unknown scope '", item, "' (known: sessions:read, sessions:write, admin)"));
    }
  }
  if (scopes == 0) {
    return absl::InvalidArgumentError(
        "scopes: at least one of sessions:read, sessions:write, admin is required");
  }
  return scopes;
}

std::string FormatScopes(uint32_t scopes) {
  std::string out;
  uint32_t known = 0;
  for (const ScopeName& s : kScopeNames) {
    const uint32_t bit = static_cast<uint32_t>(s.scope);
    known |= bit;
    if ((scopes & bit) == 0) continue;
    if (!out.empty()) out.push_back(',');
    out.append(s.name);
  }
  if (const uint32_t unknown = scopes & ~known; unknown != 0) {
    if (!out.empty()) out.push_back(',');
    absl::StrAppend(&out, "0x", absl::Hex(unknown));
  }
  return out;
}

}  // namespace sessions::auth
