#include "storage/sqlite/sqlite_token_store.h"

#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/test_util.h"
#include "storage/testing/token_store_conformance.h"

namespace sessions {
namespace {

using testutil::TokenStoreConformanceTest;
absl::Time T(int seconds) { return testutil::TokenTime(seconds); }
TokenRecord Token(const std::string& id, char hash_byte, int created) {
  return testutil::TestToken(id, hash_byte, created);
}

testutil::TokenStoreEngine SqliteEngine() {
  return {"Sqlite", [] { return testutil::NewDatabasePath("tokens"); },
          [](const std::string& path) -> absl::StatusOr<std::unique_ptr<TokenStore>> {
            absl::StatusOr<std::unique_ptr<SqliteTokenStore>> store =
                SqliteTokenStore::Open(path, {});
            if (!store.ok()) return store.status();
            return std::unique_ptr<TokenStore>(*std::move(store));
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, TokenStoreConformanceTest, ::testing::Values(SqliteEngine()),
                         testutil::EngineName);

class SqliteTokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testutil::NewDatabasePath("tokens");
    auto store = SqliteTokenStore::Open(path_, {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  std::string path_;
  std::unique_ptr<SqliteTokenStore> store_;
};

TEST_F(SqliteTokenStoreTest, SharesFileWithSessionStoreAndOtherConnections) {
  auto sessions = SqliteSessionStore::Open(path_, {});
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  // A second token store stands in for the sessionsctl process.
  auto cli = SqliteTokenStore::Open(path_, {});
  ASSERT_TRUE(cli.ok()) << cli.status();
  ASSERT_TRUE((*cli)->CreateToken(Token("tok_cli", 'c', 1)).ok());
  ASSERT_TRUE((*sessions)->UpsertSessions({testutil::MakeSession("acct-1", "s1", 1)}).ok());
  EXPECT_EQ(store_->FindTokenByHash(Token("", 'c', 0).secret_sha256)->id, "tok_cli");
  ASSERT_TRUE(store_->RevokeToken("tok_cli").ok());
  EXPECT_TRUE((*cli)->ListTokens()->at(0).revoked);

  auto conn = SqliteConnection::Open(path_, {});
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(*Schema::CurrentVersion(**conn), Schema::LatestVersion());
}

}  // namespace
}  // namespace sessions

namespace sessions {
namespace {

// Authentication (a lookup) never waits behind a token write stuck on
// SQLite's write lock (held here by another connection, as the session
// writer or `sessionsctl` would under load): lookups have connections of
// their own.
TEST(SqliteTokenStoreLockTest, LookupsDoNotWaitForAStuckWrite) {
  const std::string path = testutil::NewDatabasePath("tokens-lock");
  SqliteTokenStoreOptions options;
  options.busy_timeout_ms = 60000;
  auto opened = SqliteTokenStore::Open(path, options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<SqliteTokenStore> store = *std::move(opened);
  const TokenRecord token = Token("tok_a", 'a', 1);
  ASSERT_TRUE(store->CreateToken(token).ok());

  auto locker = SqliteConnection::Open(path, {});
  ASSERT_TRUE(locker.ok()) << locker.status();
  (*locker)->db().exec("BEGIN IMMEDIATE");  // the write lock, held
  absl::Notification write_done;
  std::thread stuck_write([&] {
    store->RecordTokenUse(token.id, T(100)).IgnoreError();  // waits for the lock
    write_done.Notify();
  });

  absl::Notification lookup_done;
  absl::StatusOr<TokenRecord> found;
  std::thread lookup([&] {
    found = store->FindTokenByHash(token.secret_sha256);
    lookup_done.Notify();
  });
  const bool lookup_finished = lookup_done.WaitForNotificationWithTimeout(absl::Seconds(30));
  EXPECT_FALSE(write_done.HasBeenNotified()) << "the write did not wait: the test proves nothing";
  (*locker)->db().exec("COMMIT");
  lookup.join();
  stuck_write.join();
  EXPECT_TRUE(lookup_finished) << "the lookup waited for the write lock";
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, "tok_a");
}

}  // namespace
}  // namespace sessions
