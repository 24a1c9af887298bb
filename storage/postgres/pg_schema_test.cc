#include "storage/postgres/pg_schema.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/testing/postgres_instance.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using testutil::PostgresInstance;

class PgSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<PostgresInstance>> pg = PostgresInstance::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
  }

  std::unique_ptr<PgConnection> Connect() {
    absl::StatusOr<std::unique_ptr<PgConnection>> conn = PgConnection::Open(pg_->dsn());
    EXPECT_TRUE(conn.ok()) << conn.status();
    return conn.ok() ? *std::move(conn) : nullptr;
  }

  int Version(PgConnection& conn) {
    absl::StatusOr<int> v = PgSchema::CurrentVersion(conn);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.value_or(-1);
  }

  std::unique_ptr<PostgresInstance> pg_;
};

TEST_F(PgSchemaTest, MigratesAFreshDatabaseOnceAndThenIsANoOp) {
  std::unique_ptr<PgConnection> conn = Connect();
  EXPECT_EQ(Version(*conn), 0);
  ASSERT_TRUE(PgSchema::Migrate(*conn).ok());
  EXPECT_EQ(Version(*conn), PgSchema::LatestVersion());
  absl::StatusOr<PgResult> state = conn->Exec("t", "SELECT revision, horizon FROM store_state");
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_EQ(state->rows(), 1);
  EXPECT_EQ(state->Int64(0, 0), 0);
  ASSERT_TRUE(PgSchema::Migrate(*conn).ok());
  EXPECT_EQ(Version(*conn), PgSchema::LatestVersion());
}

TEST_F(PgSchemaTest, ReplicasStartingTogetherMigrateOnce) {
  // Without the lock, the losers' CREATE TABLE would fail (or one would
  // see a half-made schema); with it, every one succeeds.
  constexpr int kReplicas = 6;
  std::vector<std::unique_ptr<PgConnection>> conns;
  for (int i = 0; i < kReplicas; ++i) conns.push_back(Connect());
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { results[i] = PgSchema::Migrate(*conns[i]); });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(Version(*conns[0]), PgSchema::LatestVersion());
}

TEST_F(PgSchemaTest, AMigratorWaitsForTheLockHolder) {
  std::unique_ptr<PgConnection> holder = Connect();
  ASSERT_TRUE(holder->ExecScript("t", "BEGIN").ok());
  ASSERT_TRUE(holder
                  ->Exec("t", "SELECT pg_advisory_xact_lock($1)",
                         {PgParam::Text(absl::StrCat(PgSchema::kMigrationLockKey))})
                  .ok());
  std::unique_ptr<PgConnection> migrator = Connect();
  absl::Status migrated = absl::UnknownError("not run");
  std::thread replica([&] { migrated = PgSchema::Migrate(*migrator); });
  std::unique_ptr<PgConnection> observer = Connect();
  EXPECT_TRUE(testutil::WaitUntil(
      [&] {
        absl::StatusOr<PgResult> waiting = observer->Exec(
            "t", "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        return waiting.ok() && waiting->Int64(0, 0) == 1;
      },
      absl::Seconds(60)));
  EXPECT_EQ(Version(*observer), 0);  // nothing migrated while the lock is held
  ASSERT_TRUE(holder->ExecScript("t", "COMMIT").ok());
  replica.join();
  EXPECT_TRUE(migrated.ok()) << migrated;
  EXPECT_EQ(Version(*observer), PgSchema::LatestVersion());
}

// A database of version 1 (before the token-change trigger, stop 28's
// replicas) is brought to the latest version with its rows kept.
TEST_F(PgSchemaTest, UpgradesAVersionOneDatabaseInPlace) {
  std::unique_ptr<PgConnection> conn = Connect();
  ASSERT_TRUE(PgSchema::Migrate(*conn).ok());
  ASSERT_TRUE(conn->ExecScript("make it version 1",
                               "INSERT INTO api_tokens (id, secret_sha256, account_id, created_us) "
                               "VALUES ('tok_old', '\\x01', 'acct-1', 1); "
                               "DROP TRIGGER api_tokens_changed ON api_tokens; "
                               "DROP FUNCTION api_tokens_notify(); "
                               "UPDATE schema_version SET version = 1")
                  .ok());
  ASSERT_EQ(Version(*conn), 1);
  ASSERT_TRUE(PgSchema::Migrate(*conn).ok());
  EXPECT_EQ(Version(*conn), PgSchema::LatestVersion());
  absl::StatusOr<PgResult> kept = conn->Exec(
      "t", "SELECT count(*)::text FROM api_tokens WHERE id = 'tok_old'", {}, PgResultFormat::kText);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->Value(0, 0), "1");
  absl::StatusOr<PgResult> trigger =
      conn->Exec("t", "SELECT count(*)::text FROM pg_trigger WHERE tgname = 'api_tokens_changed'",
                 {}, PgResultFormat::kText);
  ASSERT_TRUE(trigger.ok()) << trigger.status();
  EXPECT_EQ(trigger->Value(0, 0), "1");
}

TEST_F(PgSchemaTest, RefusesASchemaNewerThanTheBinary) {
  std::unique_ptr<PgConnection> conn = Connect();
  ASSERT_TRUE(PgSchema::Migrate(*conn).ok());
  ASSERT_TRUE(conn->ExecScript("t", "UPDATE schema_version SET version = 999").ok());
  absl::Status s = PgSchema::Migrate(*conn);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("999"), std::string::npos) << s;
  // The refused migration left the connection out of any transaction.
  EXPECT_TRUE(conn->ExecScript("t", "SELECT 1").ok());
  EXPECT_EQ(Version(*conn), 999);
}

}  // namespace
}  // namespace sessions
