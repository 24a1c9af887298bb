#include "storage/sqlite/sqlite_connection.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/sqlite/schema.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SqliteConnectionTest, ConfiguresDurableWal) {
  auto conn = SqliteConnection::Open(testutil::NewDatabasePath("conn"), {});
  ASSERT_TRUE(conn.ok()) << conn.status();
  SQLite::Database& db = (*conn)->db();
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(db.execAndGet("PRAGMA synchronous").getInt(), 2);  // FULL
  EXPECT_EQ(db.execAndGet("PRAGMA foreign_keys").getInt(), 1);
  EXPECT_EQ(db.execAndGet("PRAGMA busy_timeout").getInt(), 5000);
}

TEST(SqliteConnectionTest, ReadOnlyConnectionCannotWrite) {
  const std::string path = testutil::NewDatabasePath("conn");
  auto writer = SqliteConnection::Open(path, {});
  ASSERT_TRUE(writer.ok());
  (*writer)->db().exec("CREATE TABLE t (x)");
  ConnectionOptions options;
  options.read_only = true;
  auto reader = SqliteConnection::Open(path, options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::Status status = CatchSqlite("write", [&]() -> absl::Status {
    (*reader)->db().exec("INSERT INTO t VALUES (1)");
    return absl::OkStatus();
  });
  EXPECT_FALSE(status.ok());
}

TEST(SqliteConnectionTest, ErrorsHideSqlAndPaths) {
  auto conn = SqliteConnection::Open(testutil::NewDatabasePath("conn"), {});
  ASSERT_TRUE(conn.ok());
  absl::Status status = CatchSqlite("list things", [&]() -> absl::Status {
    (*conn)->Prepare("SELECT secret_column FROM no_such_table");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(), "storage: list things failed");
  EXPECT_THAT(status.message(), Not(HasSubstr("no_such_table")));
}

TEST(SqliteConnectionTest, CachesStatements) {
  auto conn = SqliteConnection::Open(testutil::NewDatabasePath("conn"), {});
  ASSERT_TRUE(conn.ok());
  SQLite::Statement& a = (*conn)->Prepare("SELECT ?1");
  a.bind(1, 7);
  ASSERT_TRUE(a.executeStep());
  EXPECT_EQ(a.getColumn(0).getInt(), 7);
  SQLite::Statement& b = (*conn)->Prepare("SELECT ?1");
  EXPECT_EQ(&a, &b);  // same object, reset with cleared bindings
}

// The cache is keyed by the SQL text, not by where the text is: the same
// text in another buffer finds the statement, and a buffer reused for other
// SQL gets that SQL's statement.
TEST(SqliteConnectionTest, CacheIsKeyedBySqlText) {
  auto conn = SqliteConnection::Open(testutil::NewDatabasePath("conn"), {});
  ASSERT_TRUE(conn.ok());
  char sql[] = "SELECT 1";
  SQLite::Statement& one = (*conn)->Prepare(sql);
  const std::string copy = sql;
  EXPECT_EQ(&(*conn)->Prepare(copy), &one);
  sql[7] = '2';  // same buffer, other SQL
  SQLite::Statement& two = (*conn)->Prepare(sql);
  EXPECT_NE(&two, &one);
  ASSERT_TRUE(two.executeStep());
  EXPECT_EQ(two.getColumn(0).getInt(), 2);
}

TEST(SqliteConnectionTest, UnopenablePathIsFailedPrecondition) {
  auto conn = SqliteConnection::Open("/nonexistent-dir/x/sessions.db", {});
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(conn.status().message(), HasSubstr("cannot open database"));
}

TEST(SchemaTest, MigratesOnceAndIsIdempotent) {
  const std::string path = testutil::NewDatabasePath("schema");
  for (int i = 0; i < 3; ++i) {
    auto conn = SqliteConnection::Open(path, {});
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(Schema::Migrate(**conn).ok());
    ASSERT_TRUE(Schema::Migrate(**conn).ok());
    EXPECT_EQ(*Schema::CurrentVersion(**conn), Schema::LatestVersion());
    if (i == 0) {
      (*conn)->db().exec(
          "INSERT INTO sessions (account_id, id, created_us, modified_us, data) "
          "VALUES ('a', 'x', 1, 1, x'')");
    }
    EXPECT_EQ((*conn)->db().execAndGet("SELECT count(*) FROM sessions").getInt(), 1);
  }
}

TEST(SchemaTest, RefusesNewerDatabase) {
  auto conn = SqliteConnection::Open(testutil::NewDatabasePath("schema"), {});
  ASSERT_TRUE(conn.ok());
  (*conn)->db().exec("PRAGMA user_version = 999");
  absl::Status status = Schema::Migrate(**conn);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace sessions
