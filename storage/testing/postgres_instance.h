// A real PostgreSQL 15 server for tests, started from Debian's
// postgresql-15 binaries: initdb into a fresh directory under /tmp, a Unix
// socket in that directory and no TCP listener (no port to collide on),
// stopped and deleted by the destructor. PostgreSQL refuses to run as root,
// so as root every server command runs as the `postgres` user (Debian's
// package creates it).
//
//   ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresInstance> pg, PostgresInstance::Start());
//   PGconn* conn = PQconnectdb(pg->dsn().c_str());
//
// Thread-compatible: one owner; dsn() may be read from any thread.
#ifndef STORAGE_TESTING_POSTGRES_INSTANCE_H_
#define STORAGE_TESTING_POSTGRES_INSTANCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sessions {
namespace testutil {

class PostgresInstance {
 public:
  // Where Debian's postgresql-15 installs its server programs.
  static constexpr const char kDefaultBinDir[] = "/usr/lib/postgresql/15/bin";

  // initdb + pg_ctl start (waits at most 120 s for readiness). The error
  // names the missing package or quotes the server's log.
  static absl::StatusOr<std::unique_ptr<PostgresInstance>> Start(
      const std::string& bin_dir = kDefaultBinDir);

  // Stops the server (fast shutdown) and deletes its directory.
  ~PostgresInstance();

  PostgresInstance(const PostgresInstance&) = delete;
  PostgresInstance& operator=(const PostgresInstance&) = delete;

  // A libpq connection string for the `postgres` database as the
  // superuser `postgres` over the private socket.
  const std::string& dsn() const { return dsn_; }
  // Creates an empty database with a fresh name and returns its
  // connection string: one per test keeps tests apart on one server.
  absl::StatusOr<std::string> CreateDatabase();

  // The directory holding the data directory, the socket and the log.
  const std::string& dir() const { return dir_; }

  // Stops the server now (immediate mode: like a crash, no checkpoint) and
  // starts it again on the same data, for tests of reconnection and
  // recovery. Waits for readiness as Start() does.
  absl::Status Restart();
  // The two halves of Restart(), for tests that need the database down for
  // a while: Crash() stops it in immediate mode, Resume() starts it again.
  absl::Status Crash();
  absl::Status Resume();

 private:
  PostgresInstance(std::string bin_dir, std::string dir);

  // Runs `program` from bin_dir_ with `args` (as `postgres` when root), its
  // output appended to the log; INTERNAL quoting the log's tail unless it
  // exits 0.
  absl::Status Run(const std::string& program, const std::vector<std::string>& args) const;
  absl::Status StartServer() const;

  const std::string bin_dir_;
  const std::string dir_;
  const std::string dsn_;
  bool running_ = false;
  int databases_ = 0;
};

// One server for the whole test binary, started on first use and stopped
// when the binary exits; tests take a database each (CreateDatabase()).
// Aborts the binary, after reporting why, if the server cannot start.
PostgresInstance& SharedPostgresInstance();

}  // namespace testutil
}  // namespace sessions

#endif  // STORAGE_TESTING_POSTGRES_INSTANCE_H_
