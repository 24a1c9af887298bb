// Bearer tokens on the wire and at rest: generating secrets and public ids,
// hashing secrets (only the SHA-256 is ever stored), parsing the
// `authorization` header, and the text form of scopes.
//
// A token secret looks like `ast_` + 43 base64url characters (32 random
// bytes from OpenSSL's RAND_bytes, 256 bits, unpadded). The fixed prefix
// makes leaked secrets easy to recognise (secret scanners, log filters).
// A token's public id looks like `tok_` + 16 lower-case hex characters; it
// names the token in `sessionsctl token list|revoke` and in logs.
//
// Usage:
//   absl::StatusOr<std::string> secret = GenerateTokenSecret();
//   absl::StatusOr<std::string> hash = HashTokenSecret(*secret);  // 32 bytes
//   absl::StatusOr<std::string_view> token =
//       ParseBearerToken("Bearer ast_...");  // view into the argument
//
// Thread-safety: every function is thread-safe (no shared state).
#ifndef SERVICE_AUTH_TOKEN_CODEC_H_
#define SERVICE_AUTH_TOKEN_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sessions::auth {

// Prefix of every token secret.
inline constexpr std::string_view kTokenSecretPrefix = "ast_";
// Random bytes behind a secret (256 bits).
inline constexpr size_t kTokenSecretRandomBytes = 32;
// Length of the base64url (unpadded) part of a secret.
inline constexpr size_t kTokenSecretEncodedLength = 43;
// Total length of a secret: prefix + encoded bytes.
inline constexpr size_t kTokenSecretLength = kTokenSecretPrefix.size() + kTokenSecretEncodedLength;

// Prefix of every public token id, followed by 16 lower-case hex characters.
inline constexpr std::string_view kTokenIdPrefix = "tok_";
inline constexpr size_t kTokenIdLength = kTokenIdPrefix.size() + 16;

// Longest `authorization` header value looked at; longer ones are rejected
// before any other work.
inline constexpr size_t kMaxAuthorizationHeaderLength = 1024;

// Size of a SHA-256 digest, the only form in which secrets are stored.
inline constexpr size_t kSecretHashLength = 32;

// Returns a fresh secret (`ast_` + 43 base64url characters).
// INTERNAL if the OpenSSL random generator fails.
absl::StatusOr<std::string> GenerateTokenSecret();

// Returns a fresh public id (`tok_` + 16 lower-case hex characters).
// INTERNAL if the OpenSSL random generator fails.
absl::StatusOr<std::string> GenerateTokenId();

// Returns whether `secret` has the exact shape of a token secret: the
// `ast_` prefix followed by 43 characters of [A-Za-z0-9_-]. Says nothing
// about whether the token exists.
bool IsWellFormedTokenSecret(std::string_view secret);

// Returns whether `id` has the shape of a public token id.
bool IsWellFormedTokenId(std::string_view id);

// Returns the raw 32-byte SHA-256 of `secret` (computed with OpenSSL EVP).
// INTERNAL if OpenSSL fails.
absl::StatusOr<std::string> HashTokenSecret(std::string_view secret);

// Extracts the token from an `authorization` header value.
//
// Accepted: optional surrounding spaces/tabs, the scheme `Bearer` in any
// letter case, one or more spaces, then a well-formed token secret (see
// IsWellFormedTokenSecret) and nothing after it. The returned view points
// into `header_value`.
//
// Returns INVALID_ARGUMENT for anything else (other schemes, missing or
// malformed token, over-long values, non-ASCII bytes). The message never
// contains any part of the value.
absl::StatusOr<std::string_view> ParseBearerToken(std::string_view header_value);

// Parses a comma-separated scope list ("sessions:read,sessions:write",
// "admin"; spaces around items are ignored, repeats are harmless) into a bit
// set of sessions::Scope. INVALID_ARGUMENT on an empty list or an unknown
// scope name (the message names the unknown item).
absl::StatusOr<uint32_t> ParseScopes(std::string_view text);

// Formats a scope bit set as a comma-separated list in a fixed order
// ("sessions:read,sessions:write,admin"); unknown bits are shown as hex,
// an empty set as "" .
std::string FormatScopes(uint32_t scopes);

}  // namespace sessions::auth

#endif  // SERVICE_AUTH_TOKEN_CODEC_H_
