#include "storage/postgres/pg_token_store.h"

#include <functional>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "storage/postgres/pg_connection.h"
#include "storage/testing/postgres_instance.h"
#include "storage/testing/test_util.h"
#include "storage/testing/token_store_conformance.h"

namespace sessions {
namespace {

using testutil::PostgresInstance;
using testutil::TokenStoreConformanceTest;

PostgresInstance& Server() { return testutil::SharedPostgresInstance(); }

PgTokenStore::Options Cached() {
  PgTokenStore::Options options;
  options.cache_ttl = absl::Hours(1);  // only notifications can make it see a change
  return options;
}

std::function<absl::StatusOr<std::unique_ptr<TokenStore>>(const std::string&)> Opener(
    PgTokenStore::Options options) {
  return [options](const std::string& dsn) -> absl::StatusOr<std::unique_ptr<TokenStore>> {
    absl::StatusOr<std::unique_ptr<PgTokenStore>> store = PgTokenStore::Open(dsn, options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<TokenStore>(*std::move(store));
  };
}

testutil::TokenStoreEngine PostgresEngine(std::string name, PgTokenStore::Options options) {
  return {std::move(name),
          [] {
            absl::StatusOr<std::string> dsn = Server().CreateDatabase();
            EXPECT_TRUE(dsn.ok()) << dsn.status();
            return dsn.value_or("");
          },
          Opener(options)};
}

// The cached store keeps every behaviour of the uncached one.
INSTANTIATE_TEST_SUITE_P(Postgres, TokenStoreConformanceTest,
                         ::testing::Values(PostgresEngine("Postgres", {}),
                                           PostgresEngine("PostgresCached", Cached())),
                         testutil::EngineName);

TokenRecord Token(const std::string& id, char hash) {
  TokenRecord token;
  token.id = id;
  token.secret_sha256 = std::string(32, hash);
  token.account_id = "acct-1";
  token.created_at = absl::FromUnixSeconds(1795000000);
  return token;
}

// Looks `token` up until it is served from the cache (the listener
// connects in the background); false if it never is.
bool ServedFromCache(PgTokenStore& store, const TokenRecord& token) {
  return testutil::WaitUntil(
      [&] {
        const int64_t hits = store.cache_hits();
        absl::StatusOr<TokenRecord> found = store.FindTokenByHash(token.secret_sha256);
        return found.ok() && !found->revoked && store.cache_hits() > hits;
      },
      absl::Seconds(30));
}

bool SeenRevoked(PgTokenStore& store, const TokenRecord& token) {
  return testutil::WaitUntil(
      [&] {
        absl::StatusOr<TokenRecord> found = store.FindTokenByHash(token.secret_sha256);
        return found.ok() && found->revoked;
      },
      absl::Seconds(30));
}

// Another process's revocation (sessionsctl, another replica: here a second
// store) and an operator's own SQL reach a replica's cache through the
// trigger's notification, long before the cache's hour-long ttl.
TEST(PgTokenStoreCacheTest, RevocationsByAnyoneEmptyTheCache) {
  absl::StatusOr<std::string> dsn = Server().CreateDatabase();
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  absl::StatusOr<std::unique_ptr<PgTokenStore>> replica = PgTokenStore::Open(*dsn, Cached());
  ASSERT_TRUE(replica.ok()) << replica.status();
  absl::StatusOr<std::unique_ptr<PgTokenStore>> other = PgTokenStore::Open(*dsn, {});
  ASSERT_TRUE(other.ok()) << other.status();
  const TokenRecord by_cli = Token("tok_cli", 'c');
  const TokenRecord by_sql = Token("tok_sql", 's');
  ASSERT_TRUE((*other)->CreateToken(by_cli).ok());
  ASSERT_TRUE((*other)->CreateToken(by_sql).ok());
  ASSERT_TRUE(ServedFromCache(**replica, by_cli));
  ASSERT_TRUE(ServedFromCache(**replica, by_sql));

  ASSERT_TRUE((*other)->RevokeToken(by_cli.id).ok());
  EXPECT_TRUE(SeenRevoked(**replica, by_cli));

  absl::StatusOr<std::unique_ptr<PgConnection>> sql = PgConnection::Open(*dsn);
  ASSERT_TRUE(sql.ok()) << sql.status();
  ASSERT_TRUE(
      (*sql)
          ->ExecScript("revoke", "UPDATE api_tokens SET revoked = true WHERE id = 'tok_sql'")
          .ok());
  EXPECT_TRUE(SeenRevoked(**replica, by_sql));
}

// A revocation committed while the listener's connection is gone (here:
// terminated by the server) is seen once it is back: the cache is not used
// while no connection listens, and is emptied when one listens again.
TEST(PgTokenStoreCacheTest, ARevocationWhileTheListenerIsDisconnectedIsNotMissed) {
  absl::StatusOr<std::string> dsn = Server().CreateDatabase();
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  absl::StatusOr<std::unique_ptr<PgTokenStore>> replica = PgTokenStore::Open(*dsn, Cached());
  ASSERT_TRUE(replica.ok()) << replica.status();
  const TokenRecord token = Token("tok_gone", 'g');
  ASSERT_TRUE((*replica)->CreateToken(token).ok());
  ASSERT_TRUE(ServedFromCache(**replica, token));

  absl::StatusOr<std::unique_ptr<PgConnection>> sql = PgConnection::Open(*dsn);
  ASSERT_TRUE(sql.ok()) << sql.status();
  // One statement: the listener is cut and the token revoked before it can
  // reconnect and LISTEN again.
  ASSERT_TRUE((*sql)
                  ->ExecScript("cut and revoke",
                               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE query LIKE 'LISTEN%' AND datname = current_database(); "
                               "UPDATE api_tokens SET revoked = true WHERE id = 'tok_gone'")
                  .ok());
  EXPECT_TRUE(SeenRevoked(**replica, token));
}

TEST(PgTokenStoreTest, UnreachableDatabaseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<PgTokenStore>> store =
      PgTokenStore::Open("host=/nonexistent user=postgres connect_timeout=5", {});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
}

// Lookups keep working across a database crash: the pool drops the dead
// connections and opens new ones; no process restart.
TEST(PgTokenStoreTest, RecoversAfterTheDatabaseRestarts) {
  absl::StatusOr<std::string> dsn = Server().CreateDatabase();
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  absl::StatusOr<std::unique_ptr<PgTokenStore>> store = PgTokenStore::Open(*dsn, {});
  ASSERT_TRUE(store.ok()) << store.status();
  TokenRecord token;
  token.id = "tok_r";
  token.secret_sha256 = std::string(32, 'r');
  token.account_id = "acct-1";
  token.created_at = absl::FromUnixSeconds(1795000000);
  ASSERT_TRUE((*store)->CreateToken(token).ok());
  ASSERT_TRUE(Server().Restart().ok());
  // The pool notices the closed connection before it lends it out: not
  // even the first call after the crash fails.
  absl::StatusOr<TokenRecord> found = (*store)->FindTokenByHash(token.secret_sha256);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, "tok_r");
}

}  // namespace
}  // namespace sessions
