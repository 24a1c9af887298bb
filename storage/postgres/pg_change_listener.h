// LISTEN on a channel, on a connection of its own, and call back when a
// notification arrives: how a replica's live view learns within
// milliseconds that another replica wrote (kChangesChannel, NOTIFYd by every
// committed write, pg_transactions.h) instead of at its next poll, and how
// its token cache learns of a revocation (kTokenChangesChannel,
// pg_schema.h). Notifications are lost while the connection is down: the
// callback runs again once it is back, and listening() says whether the
// callbacks are complete right now.
#ifndef STORAGE_POSTGRES_PG_CHANGE_LISTENER_H_
#define STORAGE_POSTGRES_PG_CHANGE_LISTENER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/worker_thread.h"
#include "storage/postgres/pg_connection.h"

namespace sessions {

// Thread-safe. `on_change` runs on the listener's thread: it must be quick.
class PgChangeListener {
 public:
  // Starts the thread; it connects (and reconnects, every
  // `reconnect_interval` while the database is unreachable) by itself.
  PgChangeListener(std::string dsn, std::string channel, std::function<void()> on_change,
                   absl::Duration reconnect_interval = absl::Seconds(1));
  // Calls Stop().
  ~PgChangeListener();

  PgChangeListener(const PgChangeListener&) = delete;
  PgChangeListener& operator=(const PgChangeListener&) = delete;

  // Stops and joins the thread (within about 200 ms). Idempotent.
  void Stop();

  // True from the callback that follows a successful LISTEN until the
  // connection is found broken: while true, every notification committed
  // after that callback started is delivered (within the time it takes to
  // notice a dead connection: its socket's error, or TCP keepalive).
  bool listening() const;

  // Notifications received, and connections (re)established.
  int64_t notifications() const;
  int64_t connects() const;

 private:
  void Loop();
  // Connects and LISTENs; nullptr when that failed.
  std::unique_ptr<PgConnection> Connect();
  bool stopping() const;

  const std::string dsn_;
  const std::string channel_;
  const std::function<void()> on_change_;
  const absl::Duration reconnect_interval_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool listening_ ABSL_GUARDED_BY(mu_) = false;
  int64_t notifications_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t connects_ ABSL_GUARDED_BY(mu_) = 0;

  std::optional<WorkerThread> thread_;
};

}  // namespace sessions

#endif  // STORAGE_POSTGRES_PG_CHANGE_LISTENER_H_
