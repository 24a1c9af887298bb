// The storage boundary for API tokens: what the Authenticator and the
// `sessionsctl token` commands need. Only a token's SHA-256 is stored, never
// the secret. The SQLite implementation is sqlite_token_store.h.
#ifndef STORAGE_TOKEN_STORE_H_
#define STORAGE_TOKEN_STORE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sessions {

// Permissions a token can carry. Stored as a bit set (TokenRecord::scopes):
// the numbers are part of the stored format.
enum class Scope : uint32_t {
  kNone = 0,
  kSessionsRead = 1u << 0,   // "sessions:read"
  kSessionsWrite = 1u << 1,  // "sessions:write"
  kAdmin = 1u << 2,          // "admin": any account, any scope
};

// One API token. Copyable value type.
struct TokenRecord {
  std::string id;             // public id, e.g. "tok_" + 16 hex
  std::string secret_sha256;  // 32 raw bytes
  std::string account_id;
  std::string customer_id;  // empty = unrestricted
  std::string name;
  uint32_t scopes = 0;  // bit set of Scope
  absl::Time created_at;
  absl::Time expires_at = absl::InfiniteFuture();
  absl::Time last_used_at = absl::InfinitePast();
  bool revoked = false;
};

// What every engine's CreateToken checks before it writes: INVALID_ARGUMENT
// if id or account_id is empty or the hash is not 32 bytes.
absl::Status ValidateNewToken(const TokenRecord& token);

// Storage of API tokens. Implementations are thread-safe, and the SQLite
// one may be used by several processes at once (server and CLI).
class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // Stores a new token. ALREADY_EXISTS on a duplicate id or hash;
  // INVALID_ARGUMENT if id or account_id is empty or the hash is not 32
  // bytes.
  virtual absl::Status CreateToken(const TokenRecord& token) = 0;

  // Returns the token (revoked and expired ones too: the caller decides)
  // whose secret hashes to `secret_sha256`, or NOT_FOUND.
  virtual absl::StatusOr<TokenRecord> FindTokenByHash(std::string_view secret_sha256) = 0;

  // Returns every token, ordered by created_at then id.
  virtual absl::StatusOr<std::vector<TokenRecord>> ListTokens() = 0;

  // Marks the token revoked (idempotent). NOT_FOUND if no such id.
  virtual absl::Status RevokeToken(std::string_view id) = 0;

  // Records that the token was used at `when`. Implementations may coarsen
  // this (the SQLite one writes at most once per minute per token) since it
  // runs on the request path. NOT_FOUND if no such id.
  virtual absl::Status RecordTokenUse(std::string_view id, absl::Time when) = 0;
};

}  // namespace sessions

#endif  // STORAGE_TOKEN_STORE_H_
