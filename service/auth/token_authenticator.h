// The service's Authenticator: opaque bearer tokens looked up by their
// SHA-256 in a TokenStore.
//
// Authenticate() reads `authorization: Bearer <token>`, checks the token's
// shape, hashes it and looks the hash up (an indexed lookup whose cost does
// not depend on how much of a guessed token was right), then rejects revoked
// and expired tokens. The authenticator caches nothing: a revocation takes
// effect on the next lookup the store answers from the database (SQLite:
// every one; PostgreSQL with a cache_ttl: once the revocation's NOTIFY has
// reached the replica, see PgTokenStoreOptions).
//
// The last-use time is recorded at most once per `last_use_resolution` per
// token (from this process), so a busy token does not cost a database write
// per call; with a `use_recorder` queue the write runs there, so no call
// waits for the database's write lock (busy under ingest load).
//
// Usage:
//   RETURN_IF_ERROR(EnsureBootstrapToken(store, secret_from_file, "acc-1", "bootstrap"));
//   TokenAuthenticator authenticator(store);  // store: not owned
//   MethodTable table(&authenticator, &observer);
//
// These two live in namespace `sessions` (they are what the server wires
// up); the helpers they use are in `sessions::auth` (token_codec.h).
//
// Thread-safety: thread-safe; Authenticate() may be called concurrently if
// the TokenStore is thread-safe.
#ifndef SERVICE_AUTH_TOKEN_AUTHENTICATOR_H_
#define SERVICE_AUTH_TOKEN_AUTHENTICATOR_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/background_queue.h"
#include "service/authenticator.h"
#include "service/call_context.h"
#include "service/principal.h"
#include "storage/token_store.h"

namespace sessions {

class TokenAuthenticator final : public Authenticator {
 public:
  // The one message of every UNAUTHENTICATED status returned, whatever
  // check failed.
  static constexpr std::string_view kUnauthenticatedMessage = "missing or invalid bearer token";
  // The message of the UNAVAILABLE status returned when the token store
  // fails.
  static constexpr std::string_view kUnavailableMessage =
      "authentication is temporarily unavailable";

  // Returns the current time; injectable for tests.
  using Clock = std::function<absl::Time()>;

  struct Options {
    // Clock used for expiry checks and last-use times. Empty: absl::Now.
    Clock clock;
    // A token's last-use time is written at most once per this interval.
    absl::Duration last_use_resolution = absl::Minutes(1);
    // Where last-use writes run (not owned; must outlive the
    // authenticator). Null: inline, in the authenticating call.
    BackgroundQueue* use_recorder = nullptr;
  };

  // `store` is not owned and must outlive the authenticator.
  explicit TokenAuthenticator(TokenStore* store);
  TokenAuthenticator(TokenStore* store, Options options);

  TokenAuthenticator(const TokenAuthenticator&) = delete;
  TokenAuthenticator& operator=(const TokenAuthenticator&) = delete;

  // Returns the caller's Principal. Errors:
  // - UNAUTHENTICATED with kUnauthenticatedMessage: no metadata, no or
  //   malformed `authorization`, unknown, revoked or expired token;
  // - UNAVAILABLE with kUnavailableMessage: the token store failed (not
  //   the caller's fault; the message says nothing about the token);
  // - INTERNAL "authentication failed": OpenSSL could not hash (never seen
  //   in practice).
  absl::StatusOr<Principal> Authenticate(const MetadataView* metadata) override;

 private:
  // Writes the last-use time of `token_id` unless it was written (by this
  // process, or per the store's `stored_last_used`) less than
  // last_use_resolution ago. Best effort: a failure does not fail the call.
  void MaybeRecordUse(const std::string& token_id, absl::Time stored_last_used, absl::Time now);

  TokenStore* const store_;
  const Clock clock_;
  const absl::Duration last_use_resolution_;
  BackgroundQueue* const use_recorder_;

  absl::Mutex mu_;
  // Token id -> last-use time this process wrote (or decided not to write).
  // Holds only ids of tokens that authenticated, so it is bounded by the
  // number of valid tokens.
  absl::flat_hash_map<std::string, absl::Time> last_recorded_ ABSL_GUARDED_BY(mu_);
};

// Makes `secret` (e.g. read by the server from a mounted file) a valid
// admin token of `account_id` named `name`, with no expiry. Idempotent: if
// a token with that secret's hash exists, nothing changes (in particular a
// revoked bootstrap token stays revoked; rotate the secret instead).
// Errors: INVALID_ARGUMENT if the secret is not a well-formed token secret
// (see GenerateTokenSecret / `sessionsctl token secret`) or account_id or
// name is empty; the store's error otherwise. Messages never contain the
// secret.
absl::Status EnsureBootstrapToken(TokenStore* store, std::string_view secret,
                                  std::string_view account_id, std::string_view name,
                                  absl::Time now = absl::Now());

}  // namespace sessions

#endif  // SERVICE_AUTH_TOKEN_AUTHENTICATOR_H_
