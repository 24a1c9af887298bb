#include "storage/sqlite/connection_pool.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

std::unique_ptr<ConnectionPool> OpenPool(int size, absl::Duration max_wait) {
  const std::string path = testutil::NewDatabasePath("pool");
  // Creates the file (the pool's connections are read-only).
  EXPECT_TRUE(SqliteConnection::Open(path, {}).ok());
  ConnectionOptions read_only;
  read_only.read_only = true;
  auto pool = ConnectionPool::Open(path, size, read_only, max_wait);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? *std::move(pool) : nullptr;
}

// A caller never waits forever for a connection: past the pool's max_wait
// it gets UNAVAILABLE, and the pool lends again once one comes back.
TEST(ConnectionPoolTest, AcquireWaitsBoundedWhenEveryConnectionIsLent) {
  std::unique_ptr<ConnectionPool> pool = OpenPool(1, absl::Milliseconds(50));
  ASSERT_NE(pool, nullptr);
  std::optional<ConnectionPool::Lease> held;
  {
    auto first = pool->Acquire();
    ASSERT_TRUE(first.ok()) << first.status();
    held.emplace(*std::move(first));
  }
  auto starved = pool->Acquire();
  EXPECT_EQ(starved.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(starved.status().message().find("busy"), std::string::npos);
  held.reset();
  EXPECT_TRUE(pool->Acquire().ok());
}

TEST(ConnectionPoolTest, ClosedPoolRefusesLeases) {
  std::unique_ptr<ConnectionPool> pool = OpenPool(2, absl::Seconds(5));
  ASSERT_NE(pool, nullptr);
  pool->Close();
  auto refused = pool->Acquire();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("closed"), std::string::npos);
}

}  // namespace
}  // namespace sessions
