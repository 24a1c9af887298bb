#include "storage/postgres/pg_change_listener.h"

#include <poll.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sessions {
namespace {

// How long one wait for the socket lasts: the bound on how late Stop() is
// noticed.
constexpr int kPollMillis = 200;

}  // namespace

PgChangeListener::PgChangeListener(std::string dsn, std::string channel,
                                   std::function<void()> on_change,
                                   absl::Duration reconnect_interval)
    : dsn_(std::move(dsn)),
      channel_(std::move(channel)),
      on_change_(std::move(on_change)),
      reconnect_interval_(reconnect_interval) {
  thread_.emplace("store-listen", [this] { Loop(); });
}

PgChangeListener::~PgChangeListener() { Stop(); }

void PgChangeListener::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_->Join();
}

bool PgChangeListener::listening() const {
  absl::MutexLock lock(&mu_);
  return listening_;
}

int64_t PgChangeListener::notifications() const {
  absl::MutexLock lock(&mu_);
  return notifications_;
}

int64_t PgChangeListener::connects() const {
  absl::MutexLock lock(&mu_);
  return connects_;
}

bool PgChangeListener::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

std::unique_ptr<PgConnection> PgChangeListener::Connect() {
  absl::StatusOr<std::unique_ptr<PgConnection>> conn = PgConnection::Open(dsn_);
  if (!conn.ok()) return nullptr;
  const std::string listen = absl::StrCat("LISTEN ", channel_);
  if (!(*conn)->ExecScript("listen for changes", listen.c_str()).ok()) return nullptr;
  absl::MutexLock lock(&mu_);
  ++connects_;
  return *std::move(conn);
}

void PgChangeListener::Loop() {
  std::unique_ptr<PgConnection> conn;
  while (!stopping()) {
    if (conn == nullptr) {
      conn = Connect();
      if (conn == nullptr) {
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stopping_), reconnect_interval_);
        continue;
      }
      // Whatever was committed while no connection listened.
      on_change_();
      absl::MutexLock lock(&mu_);
      listening_ = true;
    }
    pollfd fd{PQsocket(conn->raw()), POLLIN, 0};
    const int ready = ::poll(&fd, 1, kPollMillis);
    if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
    if (ready < 0 || PQconsumeInput(conn->raw()) == 0) {
      {
        absl::MutexLock lock(&mu_);
        listening_ = false;
      }
      conn.reset();  // reconnect at the next turn
      continue;
    }
    int received = 0;
    while (PGnotify* notify = PQnotifies(conn->raw())) {
      PQfreemem(notify);
      ++received;
    }
    if (received == 0) continue;
    {
      absl::MutexLock lock(&mu_);
      notifications_ += received;
    }
    on_change_();
  }
}

}  // namespace sessions
