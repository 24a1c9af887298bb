#include "service/auth/token_authenticator.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "service/auth/token_codec.h"

namespace sessions {
namespace {

using auth::GenerateTokenId;
using auth::HashTokenSecret;
using auth::IsWellFormedTokenSecret;
using auth::kSecretHashLength;
using auth::ParseBearerToken;

absl::Status Unauthenticated() {
  return absl::UnauthenticatedError(std::string(TokenAuthenticator::kUnauthenticatedMessage));
}

// Compares two SHA-256 digests in constant time.
bool SameDigest(std::string_view a, std::string_view b) {
  return a.size() == kSecretHashLength && b.size() == kSecretHashLength &&
         CRYPTO_memcmp(a.data(), b.data(), kSecretHashLength) == 0;
}

constexpr uint32_t kBootstrapScopes = static_cast<uint32_t>(Scope::kAdmin) |
                                      static_cast<uint32_t>(Scope::kSessionsRead) |
                                      static_cast<uint32_t>(Scope::kSessionsWrite);

}  // namespace

TokenAuthenticator::TokenAuthenticator(TokenStore* store) : TokenAuthenticator(store, Options()) {}

TokenAuthenticator::TokenAuthenticator(TokenStore* store, Options options)
    : store_(store),
      clock_(options.clock ? std::move(options.clock) : Clock([] { return absl::Now(); })),
      last_use_resolution_(options.last_use_resolution),
      use_recorder_(options.use_recorder) {}

absl::StatusOr<Principal> TokenAuthenticator::Authenticate(const MetadataView* metadata) {
  if (metadata == nullptr) return Unauthenticated();
  const std::optional<std::string_view> header = metadata->Get("authorization");
  if (!header.has_value()) return Unauthenticated();
  // Shape check before any hashing or lookup.
  const absl::StatusOr<std::string_view> token = ParseBearerToken(*header);
  if (!token.ok()) return Unauthenticated();
  const absl::StatusOr<std::string> hash = HashTokenSecret(*token);
  if (!hash.ok()) return absl::InternalError("authentication failed");

  absl::StatusOr<TokenRecord> record = store_->FindTokenByHash(*hash);
  if (!record.ok()) {
    if (absl::IsNotFound(record.status())) return Unauthenticated();
    // Not the caller's fault, and nothing in the message about the token.
    return absl::UnavailableError(std::string(kUnavailableMessage));
  }
  // Defence in depth against a store returning the wrong row.
  if (!SameDigest(record->secret_sha256, *hash)) return Unauthenticated();

  const absl::Time now = clock_();
  if (record->revoked || now >= record->expires_at || record->account_id.empty()) {
    return Unauthenticated();
  }
  MaybeRecordUse(record->id, record->last_used_at, now);

  Principal principal;
  principal.token_id = std::move(record->id);
  principal.token_name = std::move(record->name);
  principal.account_id = std::move(record->account_id);
  principal.customer_id = std::move(record->customer_id);
  principal.scopes = record->scopes;
  return principal;
}

void TokenAuthenticator::MaybeRecordUse(const std::string& token_id, absl::Time stored_last_used,
                                        absl::Time now) {
  {
    absl::MutexLock lock(&mu_);
    absl::Time& last = last_recorded_.try_emplace(token_id, absl::InfinitePast()).first->second;
    const absl::Time baseline = std::max(last, stored_last_used);
    if (now - baseline < last_use_resolution_) return;
    // Claim this write before releasing the lock, so concurrent calls with
    // the same token do not write too.
    last = now;
  }
  // Best effort, outside the lock: a failed (or, with a full recorder
  // queue, dropped) write is retried after the next resolution interval and
  // never fails the call.
  if (use_recorder_ == nullptr) {
    store_->RecordTokenUse(token_id, now).IgnoreError();
    return;
  }
  use_recorder_->TryPost(
      [store = store_, token_id, now] { store->RecordTokenUse(token_id, now).IgnoreError(); });
}

absl::Status EnsureBootstrapToken(TokenStore* store, std::string_view secret,
                                  std::string_view account_id, std::string_view name,
                                  absl::Time now) {
  if (store == nullptr) return absl::InvalidArgumentError("bootstrap token: no token store");
  // Tolerate the trailing newline of a secret file.
  const absl::string_view stripped =
      absl::StripAsciiWhitespace(absl::string_view(secret.data(), secret.size()));
  secret = std::string_view(stripped.data(), stripped.size());
  if (!IsWellFormedTokenSecret(secret)) {
    return absl::InvalidArgumentError(
        "bootstrap token: the secret is not a well-formed token (expected 'ast_' followed by "
        "43 base64url characters; generate one with `sessionsctl token secret`)");
  }
  if (account_id.empty()) return absl::InvalidArgumentError("bootstrap token: account_id is empty");
  if (name.empty()) return absl::InvalidArgumentError("bootstrap token: name is empty");

  absl::StatusOr<std::string> hash = HashTokenSecret(secret);
  if (!hash.ok()) return hash.status();

  // A few attempts: ALREADY_EXISTS is either another replica creating the
  // same token concurrently (fine) or a public-id collision (retry).
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<TokenRecord> existing = store->FindTokenByHash(*hash);
    if (existing.ok()) return absl::OkStatus();
    if (!absl::IsNotFound(existing.status())) return existing.status();

    absl::StatusOr<std::string> id = GenerateTokenId();
    if (!id.ok()) return id.status();
    TokenRecord record;
    record.id = *std::move(id);
    record.secret_sha256 = *hash;
    record.account_id = std::string(account_id);
    record.name = std::string(name);
    record.scopes = kBootstrapScopes;
    record.created_at = now;
    absl::Status created = store->CreateToken(record);
    if (!absl::IsAlreadyExists(created)) return created;
  }
  return absl::AbortedError("bootstrap token: could not create a token with a unique id");
}

}  // namespace sessions
