#include "storage/sqlite/connection_pool.h"

#include <algorithm>
#include <utility>

namespace sessions {

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<SqliteConnection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

ConnectionPool::Lease::~Lease() {
  if (conn_ != nullptr) {
    conn_->ResetAll();
    pool_->Release(std::move(conn_));
  }
}

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Open(
    const std::string& path, int size, const ConnectionOptions& options, absl::Duration max_wait) {
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool());
  pool->max_wait_ = max_wait;
  for (int i = 0; i < std::max(1, size); ++i) {
    absl::StatusOr<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(path, options);
    if (!conn.ok()) return conn.status();
    absl::MutexLock lock(&pool->mu_);
    pool->free_.push_back(*std::move(conn));
    ++pool->size_;
  }
  return pool;
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire() {
  absl::MutexLock lock(&mu_);
  const bool free_or_closed =
      mu_.AwaitWithTimeout(absl::Condition(
                               +[](ConnectionPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
                                 return !p->free_.empty() || p->closed_;
                               },
                               this),
                           max_wait_);
  if (closed_) return absl::UnavailableError("storage: the store is closed");
  if (!free_or_closed) {
    return absl::UnavailableError("storage: every database connection is busy; retry later");
  }
  std::unique_ptr<SqliteConnection> conn = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(conn));
}

void ConnectionPool::Close() {
  std::vector<std::unique_ptr<SqliteConnection>> closing;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    mu_.Await(absl::Condition(
        +[](ConnectionPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
          return static_cast<int>(p->free_.size()) == p->size_;
        },
        this));
    closing.swap(free_);
    size_ = 0;
  }
  // Connections close here, outside the lock.
}

void ConnectionPool::Release(std::unique_ptr<SqliteConnection> conn) {
  absl::MutexLock lock(&mu_);
  free_.push_back(std::move(conn));
}

}  // namespace sessions
