#include "storage/testing/postgres_instance.h"

#include <postgresql/libpq-fe.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace sessions {
namespace testutil {
namespace {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

Conn Connect(const PostgresInstance& pg) { return Conn(PQconnectdb(pg.dsn().c_str())); }

// The single value of a one-row query, or the error message.
std::string Scalar(PGconn* conn, const char* sql) {
  Result r(PQexec(conn, sql));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return PQresultErrorMessage(r.get());
  return PQntuples(r.get()) == 1 ? PQgetvalue(r.get(), 0, 0) : "no single row";
}

bool Exec(PGconn* conn, const char* sql) {
  Result r(PQexec(conn, sql));
  return PQresultStatus(r.get()) == PGRES_COMMAND_OK;
}

TEST(PostgresInstanceTest, ServesPostgres15OnItsPrivateSocketOnly) {
  absl::StatusOr<std::unique_ptr<PostgresInstance>> pg = PostgresInstance::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  Conn conn = Connect(**pg);
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  EXPECT_EQ(Scalar(conn.get(), "SHOW server_version_num").substr(0, 2), "15");
  EXPECT_EQ(Scalar(conn.get(), "SHOW listen_addresses"), "");
  EXPECT_EQ(Scalar(conn.get(), "SHOW unix_socket_directories"), (*pg)->dir());
  EXPECT_EQ(Scalar(conn.get(), "SHOW fsync"), "on");
  EXPECT_EQ(Scalar(conn.get(), "SHOW synchronous_commit"), "on");
}

TEST(PostgresInstanceTest, CommittedRowsSurviveACrashRestart) {
  absl::StatusOr<std::unique_ptr<PostgresInstance>> pg = PostgresInstance::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  {
    Conn conn = Connect(**pg);
    ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
    ASSERT_TRUE(Exec(conn.get(), "CREATE TABLE t (v int); INSERT INTO t VALUES (7)"));
  }
  ASSERT_TRUE((*pg)->Restart().ok());
  Conn conn = Connect(**pg);
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  EXPECT_EQ(Scalar(conn.get(), "SELECT v FROM t"), "7");
}

TEST(PostgresInstanceTest, TwoInstancesAreIndependentAndLeaveNothingBehind) {
  absl::StatusOr<std::unique_ptr<PostgresInstance>> a = PostgresInstance::Start();
  absl::StatusOr<std::unique_ptr<PostgresInstance>> b = PostgresInstance::Start();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  {
    Conn on_a = Connect(**a);
    ASSERT_TRUE(Exec(on_a.get(), "CREATE TABLE only_on_a (v int)"));
    Conn on_b = Connect(**b);
    EXPECT_EQ(Scalar(on_b.get(), "SELECT count(*) FROM pg_tables WHERE tablename = 'only_on_a'"),
              "0");
  }
  const std::string dir = (*a)->dir();
  const std::string dsn = (*a)->dsn();
  a->reset();
  EXPECT_FALSE(std::filesystem::exists(dir));
  Conn after(PQconnectdb(dsn.c_str()));
  EXPECT_NE(PQstatus(after.get()), CONNECTION_OK);
}

TEST(PostgresInstanceTest, MissingServerProgramsNameThePackage) {
  absl::StatusOr<std::unique_ptr<PostgresInstance>> pg =
      PostgresInstance::Start("/nonexistent/bin");
  ASSERT_FALSE(pg.ok());
  EXPECT_NE(pg.status().message().find("postgresql-15"), std::string::npos) << pg.status();
}

}  // namespace
}  // namespace testutil
}  // namespace sessions
