// Thin RAII wrappers over libpq for storage/postgres/: one connection, one
// result, parameterised statements, and the one place that turns a libpq
// or server error into absl::Status. Internal to storage/: libpq types
// never appear in the store interfaces, and nothing here throws.
#ifndef STORAGE_POSTGRES_PG_CONNECTION_H_
#define STORAGE_POSTGRES_PG_CONNECTION_H_

#include <postgresql/libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sessions {

// One statement parameter. Text unless `binary` (bytea: the bytes as they
// are, no hex round trip); `null` sends SQL NULL.
struct PgParam {
  absl::string_view value;
  bool binary = false;
  bool null = false;

  static PgParam Text(absl::string_view v) { return PgParam{v, false, false}; }
  static PgParam Bytes(absl::string_view v) { return PgParam{v, true, false}; }
  static PgParam Null() { return PgParam{{}, false, true}; }
};

// Which format result columns come back in: text (the default), or binary
// for rows carrying bytea (integers then arrive in network byte order;
// Int64() reads either).
enum class PgResultFormat { kText = 0, kBinary = 1 };

// A query's result. Move-only; values point into it.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result) {}

  int rows() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  // The raw value (text, or binary bytes in a binary-format result).
  absl::string_view Value(int row, int col) const;
  // An int2/int4/int8 (or boolean) column, text or binary; 0 when NULL.
  int64_t Int64(int row, int col) const;
  // A boolean column, text or binary.
  bool Bool(int row, int col) const;
  // Rows changed by INSERT/UPDATE/DELETE.
  int64_t Affected() const;
  const PGresult* raw() const { return result_.get(); }

 private:
  struct Deleter {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Deleter> result_;
};

// One libpq connection.
//
// Thread-compatible: use from one thread at a time (a pool hands it out).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Open(dsn));
//   ASSIGN_OR_RETURN(PgResult r, conn->Exec("get session", kSql, {PgParam::Text(id)}));
class PgConnection {
 public:
  // Connects with the libpq connection string `dsn`. UNAVAILABLE
  // "cannot connect to PostgreSQL" (the server's reason is logged, never
  // returned: it may quote the DSN's host or user).
  static absl::StatusOr<std::unique_ptr<PgConnection>> Open(const std::string& dsn);

  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one parameterised statement ($1, $2, ... bound to `params`) for
  // the operation `what` (a fixed phrase such as "get session"). Errors:
  // see PgErrorToStatus. The statement is prepared on this connection the
  // first time (one extra round trip) and executed by name from then on:
  // the server parses and plans it once per connection instead of on every
  // call (up to kMaxPrepared distinct statements; past that they run
  // unprepared). Measured in bench/RESULTS.md "Replicas on PostgreSQL".
  absl::StatusOr<PgResult> Exec(absl::string_view what, const char* sql,
                                const std::vector<PgParam>& params = {},
                                PgResultFormat format = PgResultFormat::kText);

  // Runs statements without parameters (several, separated by `;`): DDL,
  // BEGIN / COMMIT. Same errors.
  absl::Status ExecScript(absl::string_view what, const char* sql);

  // Whether the connection is still usable (a pool drops broken ones):
  // false once a statement failed with UNAVAILABLE, since libpq may not
  // notice a dead server until it next reads from the socket.
  bool ok() const { return !broken_ && PQstatus(conn_.get()) == CONNECTION_OK; }

  // ok(), and nothing arrived on the connection while it sat idle: a
  // restarted or failed-over server says goodbye and closes its sockets,
  // which shows as readable input here at no round trip's cost. What a pool checks
  // before it lends out an idle connection, so that the first calls after a
  // database restart do not fail on dead connections.
  bool StillConnected();

  PGconn* raw() { return conn_.get(); }

 private:
  struct Deleter {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  // OK for a successful result, else PgErrorToStatus for this connection
  // (remembering an UNAVAILABLE).
  absl::Status Check(const PGresult* result, absl::string_view what);

  static constexpr size_t kMaxPrepared = 64;

  std::unique_ptr<PGconn, Deleter> conn_;
  bool broken_ = false;
  // SQL text -> the name it is prepared under on this connection.
  absl::flat_hash_map<std::string, std::string> prepared_;
};

// Converts a failed result (or a lost connection: `result` null) of the
// operation `what` to a Status. Logs the server's primary message (never
// DETAIL, which may quote values) to stderr; the
// returned message names only `what`, never SQL, values or the DSN:
// unique violation (23505) -> ALREADY_EXISTS, serialization failure or
// deadlock (40001, 40P01) -> ABORTED, connection failures (08xxx, admin
// shutdown 57P01, or no result) -> UNAVAILABLE, disk full (53100) ->
// RESOURCE_EXHAUSTED, anything else -> INTERNAL.
absl::Status PgErrorToStatus(PGconn* conn, const PGresult* result, absl::string_view what);

}  // namespace sessions

#endif  // STORAGE_POSTGRES_PG_CONNECTION_H_
