#include "service/auth/token_issuer.h"

#include <utility>

#include "openssl/crypto.h"
#include "service/auth/token_codec.h"

namespace sessions::auth {

absl::StatusOr<IssuedToken> IssueToken(TokenStore* store, TokenRecord record) {
  absl::StatusOr<std::string> secret = GenerateTokenSecret();
  if (!secret.ok()) return secret.status();
  absl::StatusOr<std::string> hash = HashTokenSecret(*secret);
  if (!hash.ok()) return hash.status();
  record.secret_sha256 = *std::move(hash);

  // ALREADY_EXISTS can only be a public-id collision (a 256-bit secret does
  // not repeat); retry with another id.
  absl::Status created;
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<std::string> id = GenerateTokenId();
    if (!id.ok()) return id.status();
    record.id = *std::move(id);
    created = store->CreateToken(record);
    if (!absl::IsAlreadyExists(created)) break;
  }
  if (!created.ok()) {
    OPENSSL_cleanse(secret->data(), secret->size());
    return created;
  }
  return IssuedToken{record.id, *std::move(secret)};
}

}  // namespace sessions::auth
