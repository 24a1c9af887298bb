// The set of open HTTP connections of one gateway: bounds their number (in
// all and per peer address, so one client cannot take every slot), drains and closes them at
// shutdown, and relays completions of handlers that finish on other threads back to the
// connection's strand.
//
// Held by shared_ptr: a handler may complete after the gateway is gone
// (e.g. a durable write committed while the store shuts down); Post() then
// drops the task instead of touching a destroyed io_context.
//
// Thread-safety: all methods are thread-safe.
#ifndef GATEWAY_HTTP_CONNECTION_REGISTRY_H_
#define GATEWAY_HTTP_CONNECTION_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sessions::gateway {

class HttpConnection;

class ConnectionRegistry : public std::enable_shared_from_this<ConnectionRegistry> {
 public:
  ConnectionRegistry(int max_connections, int max_connections_per_peer)
      : max_connections_(max_connections), max_connections_per_peer_(max_connections_per_peer) {}

  // Takes a strong reference to `connection`. Returns false (and keeps
  // nothing) when the registry is full, `connection`'s peer address has
  // its maximum, or the registry is draining or closed.
  bool Add(std::shared_ptr<HttpConnection> connection);
  // Drops the reference; called by the connection when it closes.
  void Remove(HttpConnection* connection);

  // Runs `task` on the connection's strand if both are still alive.
  void Post(const std::weak_ptr<HttpConnection>& connection, std::function<void()> task);

  bool draining() const;
  // Refuses new connections and asks each open one to close when idle.
  void BeginDrain();
  // Waits until no connection is open or `deadline` passes; returns
  // whether all closed.
  bool WaitEmpty(absl::Time deadline);
  // Closes every open socket now.
  void ForceCloseAll();
  // Stops relaying and drops every reference. Call after the io_context
  // stopped and before it is destroyed.
  void Close();

 private:
  const int max_connections_;
  const int max_connections_per_peer_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<HttpConnection*, std::shared_ptr<HttpConnection>> open_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> open_per_peer_ ABSL_GUARDED_BY(mu_);
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_CONNECTION_REGISTRY_H_
