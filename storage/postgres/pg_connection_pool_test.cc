#include "storage/postgres/pg_connection_pool.h"

#include <memory>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "storage/testing/postgres_instance.h"

namespace sessions {
namespace {

using testutil::PostgresInstance;

class PgConnectionPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<PostgresInstance>> pg = PostgresInstance::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
  }
  std::unique_ptr<PostgresInstance> pg_;
};

TEST_F(PgConnectionPoolTest, WaitsBoundedWhileEveryConnectionIsLent) {
  PgConnectionPool pool(pg_->dsn(), 2, absl::Milliseconds(200));
  absl::StatusOr<PgConnectionPool::Lease> a = pool.Acquire();
  absl::StatusOr<PgConnectionPool::Lease> b = pool.Acquire();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  absl::StatusOr<PgConnectionPool::Lease> c = pool.Acquire();
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnavailable) << c.status();
  { PgConnectionPool::Lease returned = *std::move(b); }
  absl::StatusOr<PgConnectionPool::Lease> d = pool.Acquire();
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE((*d)->Exec("t", "SELECT 1").ok());
}

TEST_F(PgConnectionPoolTest, ReusesHealthyConnectionsAndReplacesClosedOnesBeforeLending) {
  PgConnectionPool pool(pg_->dsn(), 1);
  std::string first_pid;
  {
    absl::StatusOr<PgConnectionPool::Lease> lease = pool.Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status();
    first_pid = std::string((*lease)->Exec("t", "SELECT pg_backend_pid()")->Value(0, 0));
  }
  {
    absl::StatusOr<PgConnectionPool::Lease> lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ((*lease)->Exec("t", "SELECT pg_backend_pid()")->Value(0, 0), first_pid);
  }
  // The restart closes the idle connection: the pool notices before it
  // lends it out (no call fails on it) and opens a new one.
  ASSERT_TRUE(pg_->Restart().ok());
  absl::StatusOr<PgConnectionPool::Lease> fresh = pool.Acquire();
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  absl::StatusOr<PgResult> pid = (*fresh)->Exec("t", "SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_NE(pid->Value(0, 0), first_pid);
}

TEST_F(PgConnectionPoolTest, UnreachableDatabaseFailsAcquireAndFreesTheSlot) {
  PgConnectionPool pool("host=/nonexistent user=postgres connect_timeout=5", 1,
                        absl::Milliseconds(200));
  EXPECT_EQ(pool.Acquire().status().code(), absl::StatusCode::kUnavailable);
  // The failed connect gave its slot back: this is another connect attempt,
  // not a wait for a slot that never frees.
  EXPECT_EQ(pool.Acquire().status().message(), "storage: cannot connect to PostgreSQL");
}

TEST_F(PgConnectionPoolTest, RefusesLeasesAfterClose) {
  PgConnectionPool pool(pg_->dsn(), 1);
  { ASSERT_TRUE(pool.Acquire().ok()); }
  pool.Close();
  EXPECT_EQ(pool.Acquire().status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sessions
