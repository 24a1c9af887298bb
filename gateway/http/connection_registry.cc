#include "gateway/http/connection_registry.h"

#include <utility>
#include <vector>

#include "gateway/http/http_connection.h"

namespace sessions::gateway {

bool ConnectionRegistry::Add(std::shared_ptr<HttpConnection> connection) {
  absl::MutexLock lock(&mu_);
  if (closed_ || draining_ || static_cast<int>(open_.size()) >= max_connections_) return false;
  int& from_peer = open_per_peer_[connection->peer_address()];
  if (from_peer >= max_connections_per_peer_) {
    if (from_peer == 0) open_per_peer_.erase(connection->peer_address());
    return false;
  }
  ++from_peer;
  HttpConnection* key = connection.get();
  open_.emplace(key, std::move(connection));
  return true;
}

void ConnectionRegistry::Remove(HttpConnection* connection) {
  std::shared_ptr<HttpConnection> last_ref;  // released outside the lock
  absl::MutexLock lock(&mu_);
  auto it = open_.find(connection);
  if (it == open_.end()) return;
  last_ref = std::move(it->second);
  open_.erase(it);
  auto peer = open_per_peer_.find(last_ref->peer_address());
  if (peer != open_per_peer_.end() && --peer->second <= 0) open_per_peer_.erase(peer);
}

void ConnectionRegistry::Post(const std::weak_ptr<HttpConnection>& connection,
                              std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  std::shared_ptr<HttpConnection> live = connection.lock();
  if (live != nullptr) live->Post(std::move(task));
}

bool ConnectionRegistry::draining() const {
  absl::MutexLock lock(&mu_);
  return draining_;
}

void ConnectionRegistry::BeginDrain() {
  std::vector<std::shared_ptr<HttpConnection>> open;
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    for (auto& [key, connection] : open_) open.push_back(connection);
  }
  for (auto& connection : open) connection->BeginDrain();
}

bool ConnectionRegistry::WaitEmpty(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto empty = [this]() { return open_.empty(); };
  return mu_.AwaitWithDeadline(absl::Condition(&empty), deadline);
}

void ConnectionRegistry::ForceCloseAll() {
  std::vector<std::shared_ptr<HttpConnection>> open;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [key, connection] : open_) open.push_back(connection);
  }
  for (auto& connection : open) connection->ForceClose();
}

void ConnectionRegistry::Close() {
  absl::flat_hash_map<HttpConnection*, std::shared_ptr<HttpConnection>> dropped;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    dropped.swap(open_);
    open_per_peer_.clear();
  }
}

}  // namespace sessions::gateway
