#include "storage/token_store.h"

namespace sessions {

absl::Status ValidateNewToken(const TokenRecord& token) {
  if (token.id.empty()) return absl::InvalidArgumentError("token id: required");
  if (token.account_id.empty()) return absl::InvalidArgumentError("token account_id: required");
  if (token.secret_sha256.size() != 32) {
    return absl::InvalidArgumentError("token secret_sha256: must be 32 bytes");
  }
  return absl::OkStatus();
}

}  // namespace sessions
