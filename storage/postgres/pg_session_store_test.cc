// PgSessionStore: the SessionStore conformance suite on a real PostgreSQL
// 15 (a database per test), and what only a server database does (a
// restart under the store, concurrent migrations).
#include "storage/postgres/pg_session_store.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/testing/postgres_instance.h"
#include "storage/testing/session_store_conformance.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::testing::ElementsAre;
using testutil::MakeSession;
using testutil::PostgresInstance;
using testutil::SessionStoreConformanceTest;

PostgresInstance& Server() { return testutil::SharedPostgresInstance(); }

std::string NewDatabase() {
  absl::StatusOr<std::string> dsn = Server().CreateDatabase();
  EXPECT_TRUE(dsn.ok()) << dsn.status();
  return dsn.value_or("");
}

PgStoreOptions WithRetention(const RetentionOptions& retention) {
  PgStoreOptions options;
  options.retention = retention;
  // Small pages, so that the conformance listings cross page boundaries.
  options.fetch_rows = 3;
  return options;
}

testutil::SessionStoreEngine PostgresEngine() {
  return {"Postgres", NewDatabase,
          [](const std::string& dsn,
             const RetentionOptions& retention) -> absl::StatusOr<std::unique_ptr<SessionStore>> {
            absl::StatusOr<std::unique_ptr<PgSessionStore>> store =
                PgSessionStore::Open(dsn, WithRetention(retention));
            if (!store.ok()) return store.status();
            return std::unique_ptr<SessionStore>(*std::move(store));
          }};
}

INSTANTIATE_TEST_SUITE_P(Postgres, SessionStoreConformanceTest, ::testing::Values(PostgresEngine()),
                         testutil::SessionEngineName);

ActiveSessionsQuery AccountQuery(const std::string& account) {
  ActiveSessionsQuery query;
  query.account_id = account;
  return query;
}

std::vector<std::string> ActiveIds(SessionStore& store, const std::string& account) {
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  absl::Status status = store.ListActiveSessions(AccountQuery(account), &out);
  EXPECT_TRUE(status.ok()) << status;
  return testutil::Ids(out);
}

TEST(PgSessionStoreTest, UnreachableDatabaseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<PgSessionStore>> store =
      PgSessionStore::Open("host=/nonexistent user=postgres connect_timeout=5", {});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
}

// Replicas started at the same moment: every one migrates or finds the
// schema migrated, none fails, and they share one sequence of revisions.
TEST(PgSessionStoreTest, StoresOpenedTogetherMigrateOnce) {
  const std::string dsn = NewDatabase();
  constexpr int kReplicas = 4;
  std::vector<absl::StatusOr<std::unique_ptr<PgSessionStore>>> stores(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { stores[i] = PgSessionStore::Open(dsn, {}); });
  }
  for (std::thread& t : threads) t.join();
  std::vector<int64_t> revisions;
  for (int i = 0; i < kReplicas; ++i) {
    ASSERT_TRUE(stores[i].ok()) << stores[i].status();
    absl::StatusOr<UpsertResult> r =
        (*stores[i])->UpsertSessions({MakeSession("a", "s" + std::to_string(i), i)});
    ASSERT_TRUE(r.ok()) << r.status();
    revisions.push_back(r->revision);
  }
  EXPECT_THAT(revisions, ElementsAre(1, 2, 3, 4));
}

// Reads and writes keep working across a database crash: the pool and the
// writer notice that the server closed their idle connections and open new
// ones before the next call, so no call fails and the process needs no
// restart; what was acknowledged before the crash is there.
TEST(PgSessionStoreTest, RecoversAfterTheDatabaseRestarts) {
  const std::string dsn = NewDatabase();
  absl::StatusOr<std::unique_ptr<PgSessionStore>> store = PgSessionStore::Open(dsn, {});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->UpsertSessions({MakeSession("a", "before", 1)}).ok());
  EXPECT_THAT(ActiveIds(**store, "a"), ElementsAre("before"));
  ASSERT_TRUE(Server().Restart().ok());
  absl::StatusOr<UpsertResult> written = (*store)->UpsertSessions({MakeSession("a", "after", 2)});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_THAT(ActiveIds(**store, "a"), ElementsAre("before", "after"));
}

// Counts a listener's calls.
class WakeCounter {
 public:
  void Wake() {
    absl::MutexLock lock(&mu_);
    ++wakes_;
  }
  int count() {
    absl::MutexLock lock(&mu_);
    return wakes_;
  }
  // Waits (at most a minute) until the count exceeds `n`; returns it.
  int WaitAbove(int n) {
    absl::MutexLock lock(&mu_);
    above_ = n;
    mu_.AwaitWithTimeout(absl::Condition(this, &WakeCounter::Above), absl::Seconds(60));
    return wakes_;
  }

 private:
  bool Above() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return wakes_ > above_; }
  absl::Mutex mu_;
  int wakes_ ABSL_GUARDED_BY(mu_) = 0;
  int above_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(PgSessionStoreTest, CommitsOfAnotherStoreWakeTheListener) {
  const std::string dsn = NewDatabase();
  absl::StatusOr<std::unique_ptr<PgSessionStore>> listening = PgSessionStore::Open(dsn, {});
  absl::StatusOr<std::unique_ptr<PgSessionStore>> writing = PgSessionStore::Open(dsn, {});
  ASSERT_TRUE(listening.ok()) << listening.status();
  ASSERT_TRUE(writing.ok()) << writing.status();
  WakeCounter counter;
  (*listening)->SetChangeListener([&counter] { counter.Wake(); });
  // Once listening, it calls back once for what it may have missed.
  const int connected = counter.WaitAbove(0);
  ASSERT_GT(connected, 0);
  ASSERT_TRUE((*writing)->UpsertSessions({MakeSession("a", "s1", 1)}).ok());
  EXPECT_GT(counter.WaitAbove(connected), connected);
  // Removed: no more calls, even for new commits.
  (*listening)->SetChangeListener(nullptr);
  const int removed_at = counter.count();
  ASSERT_TRUE((*writing)->UpsertSessions({MakeSession("a", "s2", 2)}).ok());
  ASSERT_TRUE((*listening)->GetSession("a", "s2").ok());
  EXPECT_EQ(counter.count(), removed_at);
}

// Errors say what failed, never the SQL or the values.
TEST(PgSessionStoreTest, ErrorsNameNoSqlOrValues) {
  absl::StatusOr<std::unique_ptr<PgSessionStore>> store = PgSessionStore::Open(NewDatabase(), {});
  ASSERT_TRUE(store.ok()) << store.status();
  SessionInfo nul = MakeSession("a", std::string("s\0x", 3), 1);
  absl::StatusOr<UpsertResult> refused = (*store)->UpsertSessions({nul});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::Not(::testing::HasSubstr("INSERT")));
  EXPECT_THAT(ActiveIds(**store, "a"), ::testing::IsEmpty());  // not stored as "s"
}

}  // namespace
}  // namespace sessions
