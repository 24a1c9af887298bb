#include "storage/postgres/pg_connection.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "storage/testing/postgres_instance.h"

namespace sessions {
namespace {

using testutil::PostgresInstance;

class PgConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<PostgresInstance>> pg = PostgresInstance::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = pg->release();
  }
  static void TearDownTestSuite() { delete pg_; }

  std::unique_ptr<PgConnection> Connect() {
    absl::StatusOr<std::unique_ptr<PgConnection>> conn = PgConnection::Open(pg_->dsn());
    EXPECT_TRUE(conn.ok()) << conn.status();
    return conn.ok() ? *std::move(conn) : nullptr;
  }

  static PostgresInstance* pg_;
};
PostgresInstance* PgConnectionTest::pg_ = nullptr;

TEST_F(PgConnectionTest, BindsTextAndBytesAndReadsBothFormats) {
  std::unique_ptr<PgConnection> conn = Connect();
  ASSERT_TRUE(
      conn->ExecScript("setup", "CREATE TABLE t1 (k text, v bigint, b bytea, f boolean)").ok());
  const std::string bytes("a\0b\xff", 4);
  const std::string key = "it's; DROP TABLE t1";  // a value, never SQL
  ASSERT_TRUE(conn->Exec("insert", "INSERT INTO t1 VALUES ($1, $2, $3, true)",
                         {PgParam::Text(key), PgParam::Text("-9000000000"), PgParam::Bytes(bytes)})
                  .ok());
  for (PgResultFormat format : {PgResultFormat::kText, PgResultFormat::kBinary}) {
    absl::StatusOr<PgResult> r =
        conn->Exec("select", "SELECT k, v, b, f, NULL::bigint FROM t1 WHERE k = $1",
                   {PgParam::Text(key)}, format);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->rows(), 1);
    EXPECT_EQ(r->Value(0, 0), key);
    EXPECT_EQ(r->Int64(0, 1), -9000000000);
    EXPECT_TRUE(r->Bool(0, 3));
    EXPECT_TRUE(r->IsNull(0, 4));
    if (format == PgResultFormat::kBinary) {
      EXPECT_EQ(r->Value(0, 2), bytes);
    }
  }
  absl::StatusOr<PgResult> updated =
      conn->Exec("update", "UPDATE t1 SET v = v + 1 WHERE k = $1", {PgParam::Text(key)});
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->Affected(), 1);
}

// Statements are prepared once per connection and then run by name; a
// transaction rolled back does not lose them; a text value holding a NUL is
// refused, never cut short.
TEST_F(PgConnectionTest, PreparesEachStatementOnceAndRefusesNulInText) {
  std::unique_ptr<PgConnection> conn = Connect();
  constexpr const char kAdd[] = "SELECT $1::bigint + 1";
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<PgResult> r = conn->Exec("add", kAdd, {PgParam::Text(std::to_string(i))});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->Int64(0, 0), i + 1);
    ASSERT_TRUE(conn->ExecScript("txn", "BEGIN; ROLLBACK").ok());
  }
  absl::StatusOr<PgResult> prepared =
      conn->Exec("count", "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
                 {PgParam::Text(kAdd)});
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared->Int64(0, 0), 1);
  absl::StatusOr<PgResult> nul =
      conn->Exec("echo", "SELECT $1::text", {PgParam::Text(std::string("a\0b", 3))});
  EXPECT_EQ(nul.status().code(), absl::StatusCode::kInvalidArgument) << nul.status();
}

TEST_F(PgConnectionTest, ErrorsNameTheOperationNeverTheSqlOrValues) {
  std::unique_ptr<PgConnection> conn = Connect();
  ASSERT_TRUE(conn->ExecScript("setup", "CREATE TABLE t2 (k text PRIMARY KEY)").ok());
  ASSERT_TRUE(conn->Exec("insert", "INSERT INTO t2 VALUES ($1)", {PgParam::Text("secret-k")}).ok());
  absl::StatusOr<PgResult> dup =
      conn->Exec("create token", "INSERT INTO t2 VALUES ($1)", {PgParam::Text("secret-k")});
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "storage: create token: already exists");

  absl::Status bad = conn->ExecScript("list sessions", "SELEC nonsense FROM t2");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(bad.message(), "storage: list sessions failed");
  // The connection is still usable after a failed statement.
  EXPECT_TRUE(conn->Exec("select", "SELECT 1").ok());
}

TEST_F(PgConnectionTest, UnreachableServerIsUnavailableWithoutTheDsn) {
  absl::StatusOr<std::unique_ptr<PgConnection>> conn =
      PgConnection::Open("host=/nonexistent/secret-dir user=secret-user connect_timeout=5");
  ASSERT_EQ(conn.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(conn.status().message().find("secret"), std::string::npos) << conn.status();
}

TEST_F(PgConnectionTest, ServerCrashMakesTheConnectionUnavailable) {
  std::unique_ptr<PgConnection> conn = Connect();
  ASSERT_TRUE(conn->Exec("select", "SELECT 1").ok());
  ASSERT_TRUE(pg_->Restart().ok());
  absl::StatusOr<PgResult> r = conn->Exec("get session", "SELECT 1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_FALSE(conn->ok());
  EXPECT_TRUE(Connect()->Exec("select", "SELECT 1").ok());
}

}  // namespace
}  // namespace sessions
