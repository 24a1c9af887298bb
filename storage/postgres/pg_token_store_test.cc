#include "storage/postgres/pg_token_store.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "storage/testing/postgres_instance.h"
#include "storage/testing/token_store_conformance.h"

namespace sessions {
namespace {

using testutil::PostgresInstance;
using testutil::TokenStoreConformanceTest;

PostgresInstance& Server() { return testutil::SharedPostgresInstance(); }

absl::StatusOr<std::unique_ptr<TokenStore>> OpenStore(const std::string& dsn) {
  absl::StatusOr<std::unique_ptr<PgTokenStore>> store = PgTokenStore::Open(dsn, {});
  if (!store.ok()) return store.status();
  return std::unique_ptr<TokenStore>(*std::move(store));
}

testutil::TokenStoreEngine PostgresEngine() {
  return {"Postgres",
          [] {
            absl::StatusOr<std::string> dsn = Server().CreateDatabase();
            EXPECT_TRUE(dsn.ok()) << dsn.status();
            return dsn.value_or("");
          },
          OpenStore};
}

INSTANTIATE_TEST_SUITE_P(Postgres, TokenStoreConformanceTest, ::testing::Values(PostgresEngine()),
                         testutil::EngineName);

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
