#include "storage/postgres/pg_connection_pool.h"

#include <utility>

namespace sessions {

PgConnectionPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

PgConnectionPool::PgConnectionPool(std::string dsn, int size, absl::Duration max_wait)
    : dsn_(std::move(dsn)), size_(size < 1 ? 1 : size), max_wait_(max_wait) {}

absl::StatusOr<PgConnectionPool::Lease> PgConnectionPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    auto can_proceed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return closed_ || !free_.empty() || open_ < size_;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&can_proceed), max_wait_)) {
      return absl::UnavailableError("storage: no database connection came free in time");
    }
    if (closed_) return absl::UnavailableError("storage: closing");
    while (!free_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(free_.back());
      free_.pop_back();
      if (conn->StillConnected()) return Lease(this, std::move(conn));
      --open_;  // the server closed it while it was idle: replaced below
    }
    ++open_;  // reserved: connect outside the lock
  }
  absl::StatusOr<std::unique_ptr<PgConnection>> conn = PgConnection::Open(dsn_);
  if (!conn.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return conn.status();
  }
  return Lease(this, *std::move(conn));
}

void PgConnectionPool::Release(std::unique_ptr<PgConnection> conn) {
  absl::MutexLock lock(&mu_);
  if (closed_ || !conn->ok()) {
    --open_;
    return;  // `conn` closes as it goes out of scope
  }
  free_.push_back(std::move(conn));
}

void PgConnectionPool::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  open_ -= static_cast<int>(free_.size());
  free_.clear();
  auto all_returned = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return open_ == 0; };
  mu_.Await(absl::Condition(&all_returned));
}

}  // namespace sessions
