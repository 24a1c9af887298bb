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

namespace sessions {
namespace {

using ::testing::ElementsAre;

absl::Time T(int seconds) { return absl::FromUnixSeconds(1795000000 + seconds); }

TokenRecord Token(const std::string& id, char hash_byte, int created) {
  TokenRecord token;
  token.id = id;
  token.secret_sha256 = std::string(32, hash_byte);
  token.secret_sha256[0] = '\0';  // raw bytes, not text
  token.account_id = "acct-1";
  token.name = "token " + id;
  token.scopes = 3;
  token.created_at = T(created);
  return token;
}

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

TEST_F(SqliteTokenStoreTest, CreateFindListRevoke) {
  TokenRecord a = Token("tok_a", 'a', 2);
  a.customer_id = "cust-1";
  a.expires_at = T(1000);
  ASSERT_TRUE(store_->CreateToken(a).ok());
  ASSERT_TRUE(store_->CreateToken(Token("tok_b", 'b', 1)).ok());

  auto found = store_->FindTokenByHash(a.secret_sha256);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, "tok_a");
  EXPECT_EQ(found->secret_sha256, a.secret_sha256);
  EXPECT_EQ(found->customer_id, "cust-1");
  EXPECT_EQ(found->name, "token tok_a");
  EXPECT_EQ(found->scopes, 3u);
  EXPECT_EQ(found->created_at, T(2));
  EXPECT_EQ(found->expires_at, T(1000));
  EXPECT_EQ(found->last_used_at, absl::InfinitePast());
  EXPECT_FALSE(found->revoked);

  auto b = store_->FindTokenByHash(Token("", 'b', 0).secret_sha256);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->expires_at, absl::InfiniteFuture());

  auto all = store_->ListTokens();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "tok_b");  // created first
  EXPECT_EQ((*all)[1].id, "tok_a");

  ASSERT_TRUE(store_->RevokeToken("tok_a").ok());
  ASSERT_TRUE(store_->RevokeToken("tok_a").ok());  // idempotent
  EXPECT_TRUE(store_->FindTokenByHash(a.secret_sha256)->revoked);
}

TEST_F(SqliteTokenStoreTest, Errors) {
  ASSERT_TRUE(store_->CreateToken(Token("tok_a", 'a', 1)).ok());
  EXPECT_EQ(store_->CreateToken(Token("tok_a", 'z', 1)).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateToken(Token("tok_z", 'a', 1)).code(), absl::StatusCode::kAlreadyExists);
  TokenRecord short_hash = Token("tok_s", 's', 1);
  short_hash.secret_sha256 = "abc";
  EXPECT_EQ(store_->CreateToken(short_hash).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->FindTokenByHash(std::string(32, 'q')).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokeToken("tok_nope").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RecordTokenUse("tok_nope", T(5)).code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteTokenStoreTest, RecordTokenUseIsCoarse) {
  TokenRecord a = Token("tok_a", 'a', 0);
  ASSERT_TRUE(store_->CreateToken(a).ok());
  ASSERT_TRUE(store_->RecordTokenUse("tok_a", T(100)).ok());
  EXPECT_EQ(store_->FindTokenByHash(a.secret_sha256)->last_used_at, T(100));
  ASSERT_TRUE(store_->RecordTokenUse("tok_a", T(130)).ok());  // within a minute
  EXPECT_EQ(store_->FindTokenByHash(a.secret_sha256)->last_used_at, T(100));
  ASSERT_TRUE(store_->RecordTokenUse("tok_a", T(160)).ok());
  EXPECT_EQ(store_->FindTokenByHash(a.secret_sha256)->last_used_at, T(160));
}

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
