// Issues API tokens: the one place that turns a token description into a
// stored TokenRecord with a fresh secret (only its SHA-256 is stored) and a
// fresh public id. Used by `sessionsctl token create`, the tests and the
// benchmark data generator.
#ifndef SERVICE_AUTH_TOKEN_ISSUER_H_
#define SERVICE_AUTH_TOKEN_ISSUER_H_

#include <string>

#include "absl/status/statusor.h"
#include "storage/token_store.h"

namespace sessions::auth {

struct IssuedToken {
  std::string id;      // public id (tok_...)
  std::string secret;  // the bearer token; shown once, never stored
};

// Stores `record` (account, customer, name, scopes, created/expiry times
// as given; id and secret_sha256 are filled here) and returns the secret.
// Retries the rare public-id collision. Errors: the store's (e.g.
// INVALID_ARGUMENT for an empty account), INTERNAL if OpenSSL fails.
absl::StatusOr<IssuedToken> IssueToken(TokenStore* store, TokenRecord record);

}  // namespace sessions::auth

#endif  // SERVICE_AUTH_TOKEN_ISSUER_H_
