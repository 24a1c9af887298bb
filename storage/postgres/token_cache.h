// Tokens PgTokenStore found, kept in memory so that an authentication does
// not cost a round trip to the database (on reads served from the live
// view, that round trip was half of a call's cost: bench/RESULTS.md,
// "Replicas on PostgreSQL").
//
// Correct only while something invalidates it on every change: PgTokenStore
// does, on each notification of PgSchema::kTokenChangesChannel and after its
// own revocations, and uses the cache only while its listener is
// listening. Entries also expire after `ttl`, which bounds how long a
// change can go unseen when notifications are lost without the listener
// noticing (a dead TCP peer).
//
// The race it closes: a lookup reads a token from the database, a
// revocation commits and its notification invalidates the cache, and only
// then the lookup inserts what it read. Every Insert() therefore carries the
// generation its lookup started in, and is dropped if an Invalidate() came
// in between.
//
//   uint64_t generation;
//   if (std::optional<TokenRecord> hit = cache.Find(hash, &generation)) return *hit;
//   ASSIGN_OR_RETURN(TokenRecord found, ReadFromDatabase(hash));
//   cache.Insert(hash, found, generation);
//
// Thread-safe.
#ifndef STORAGE_POSTGRES_TOKEN_CACHE_H_
#define STORAGE_POSTGRES_TOKEN_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/token_store.h"

namespace sessions {

class TokenCache {
 public:
  struct Options {
    // How long an entry is served after it was read from the database.
    absl::Duration ttl = absl::Seconds(10);
    // Entries kept at most; inserting past it empties the cache first (a
    // deployment with more live tokens than this costs round trips, never
    // memory).
    size_t max_entries = 10000;
    // Injectable for tests. Empty: absl::Now.
    std::function<absl::Time()> clock;
  };

  explicit TokenCache(Options options);

  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  // The record cached for `secret_sha256` if it is younger than the ttl;
  // otherwise nullopt. Either way `*generation` is what a later Insert()
  // of this lookup's result must carry.
  std::optional<TokenRecord> Find(std::string_view secret_sha256, uint64_t* generation);

  // Caches `record` under `secret_sha256`, unless Invalidate() ran since the
  // Find() that returned `generation`.
  void Insert(std::string_view secret_sha256, const TokenRecord& record, uint64_t generation);

  // Drops every entry, and every Insert() of a lookup that started before.
  void Invalidate();

  // Records that the token `id` was stored with last use `when`, so that a
  // cached copy does not report an older one. (Not a change that matters
  // to authentication, hence no invalidation: it happens once a minute per
  // token.)
  void NoteUse(std::string_view id, absl::Time when);

  // Find() calls answered from memory.
  int64_t hits() const;

 private:
  struct Entry {
    TokenRecord record;
    absl::Time read_at;
  };

  const absl::Duration ttl_;
  const size_t max_entries_;
  const std::function<absl::Time()> clock_;

  mutable absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sessions

#endif  // STORAGE_POSTGRES_TOKEN_CACHE_H_
