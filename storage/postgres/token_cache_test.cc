#include "storage/postgres/token_cache.h"

#include <cstdint>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace sessions {
namespace {

class TokenCacheTest : public ::testing::Test {
 protected:
  TokenCache::Options Options(absl::Duration ttl, size_t max_entries = 100) {
    TokenCache::Options options;
    options.ttl = ttl;
    options.max_entries = max_entries;
    options.clock = [this] { return now_; };
    return options;
  }

  static TokenRecord Token(const std::string& id) {
    TokenRecord token;
    token.id = id;
    token.account_id = "acct-1";
    return token;
  }

  // A lookup that missed and then read `token` from the database.
  static void ReadThrough(TokenCache& cache, const std::string& hash, const TokenRecord& token) {
    uint64_t generation = 0;
    ASSERT_FALSE(cache.Find(hash, &generation).has_value());
    cache.Insert(hash, token, generation);
  }

  absl::Time now_ = absl::FromUnixSeconds(1795000000);
};

TEST_F(TokenCacheTest, ServesWhatWasReadUntilTheTtlRunsOut) {
  TokenCache cache(Options(absl::Seconds(10)));
  ReadThrough(cache, "hash-a", Token("tok_a"));
  uint64_t generation = 0;
  now_ += absl::Seconds(9);
  std::optional<TokenRecord> hit = cache.Find("hash-a", &generation);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->id, "tok_a");
  EXPECT_FALSE(cache.Find("hash-b", &generation).has_value());
  now_ += absl::Seconds(1);
  EXPECT_FALSE(cache.Find("hash-a", &generation).has_value());
  EXPECT_EQ(cache.hits(), 1);
}

TEST_F(TokenCacheTest, InvalidateDropsEveryEntry) {
  TokenCache cache(Options(absl::Hours(1)));
  ReadThrough(cache, "hash-a", Token("tok_a"));
  ReadThrough(cache, "hash-b", Token("tok_b"));
  cache.Invalidate();
  uint64_t generation = 0;
  EXPECT_FALSE(cache.Find("hash-a", &generation).has_value());
  EXPECT_FALSE(cache.Find("hash-b", &generation).has_value());
}

// The race the generations close: a lookup read the token before a
// revocation's invalidation and inserts after it. What it read is stale and
// must not be served.
TEST_F(TokenCacheTest, AnInsertOfALookupThatStartedBeforeAnInvalidationIsDropped) {
  TokenCache cache(Options(absl::Hours(1)));
  uint64_t before = 0;
  ASSERT_FALSE(cache.Find("hash-a", &before).has_value());
  cache.Invalidate();  // e.g. the token was revoked meanwhile
  cache.Insert("hash-a", Token("tok_a"), before);
  uint64_t generation = 0;
  EXPECT_FALSE(cache.Find("hash-a", &generation).has_value());
  // A lookup that starts after the invalidation is cached.
  cache.Insert("hash-a", Token("tok_a"), generation);
  EXPECT_TRUE(cache.Find("hash-a", &generation).has_value());
}

TEST_F(TokenCacheTest, AStoredUseUpdatesTheCachedCopy) {
  TokenCache cache(Options(absl::Hours(1)));
  ReadThrough(cache, "hash-a", Token("tok_a"));
  ReadThrough(cache, "hash-b", Token("tok_b"));
  cache.NoteUse("tok_a", now_);
  cache.NoteUse("tok_a", now_ - absl::Minutes(5));  // never goes back
  uint64_t generation = 0;
  EXPECT_EQ(cache.Find("hash-a", &generation)->last_used_at, now_);
  EXPECT_EQ(cache.Find("hash-b", &generation)->last_used_at, absl::InfinitePast());
}

TEST_F(TokenCacheTest, IsBoundedByMaxEntries) {
  TokenCache cache(Options(absl::Hours(1), 2));
  ReadThrough(cache, "hash-a", Token("tok_a"));
  ReadThrough(cache, "hash-b", Token("tok_b"));
  ReadThrough(cache, "hash-c", Token("tok_c"));  // full: emptied first
  uint64_t generation = 0;
  EXPECT_FALSE(cache.Find("hash-a", &generation).has_value());
  EXPECT_FALSE(cache.Find("hash-b", &generation).has_value());
  EXPECT_TRUE(cache.Find("hash-c", &generation).has_value());
}

TEST_F(TokenCacheTest, AZeroTtlCachesNothing) {
  TokenCache cache(Options(absl::ZeroDuration()));
  ReadThrough(cache, "hash-a", Token("tok_a"));
  uint64_t generation = 0;
  EXPECT_FALSE(cache.Find("hash-a", &generation).has_value());
  EXPECT_EQ(cache.hits(), 0);
}

}  // namespace
}  // namespace sessions
