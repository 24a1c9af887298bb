#include "storage/factory/store_factory.h"

#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/testing/postgres_instance.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string WriteFile(const std::string& name, const std::string& contents) {
  const std::string path = testutil::NewDatabasePath(name);
  std::ofstream(path) << contents;
  return path;
}

TEST(StoreFactoryTest, ParsesEngineNames) {
  EXPECT_EQ(*ParseStoreEngine("sqlite", "--store"), StoreEngine::kSqlite);
  EXPECT_EQ(*ParseStoreEngine("postgres", "--store"), StoreEngine::kPostgres);
  absl::StatusOr<StoreEngine> bad = ParseStoreEngine("mysql", "--store");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "--store: must be sqlite or postgres");
}

TEST(StoreFactoryTest, DsnFileIsTrimmedAndNeverEchoed) {
  EXPECT_EQ(*ReadDsnFile(WriteFile("dsn", "host=db password=hunter2\n\n")),
            "host=db password=hunter2");
  absl::StatusOr<std::string> empty = ReadDsnFile(WriteFile("empty", " \n"));
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> missing = ReadDsnFile("/nonexistent/dsn");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("/nonexistent/dsn"));
}

TEST(StoreFactoryTest, DescriptionsLeaveOutCredentials) {
  StoreConfig config;
  config.sqlite_path = "/data/sessions.db";
  EXPECT_EQ(DescribeStore(config), "sqlite:/data/sessions.db");
  config.engine = StoreEngine::kPostgres;
  config.postgres_dsn = "host=db.internal port=5433 dbname=sessions user=svc password=hunter2";
  EXPECT_EQ(DescribeStore(config), "postgres:db.internal:5433/sessions");
  config.postgres_dsn = "postgresql://svc:hunter2@db.internal/sessions";
  EXPECT_EQ(DescribeStore(config), "postgres:db.internal/sessions");
  config.postgres_dsn = "host='unterminated password=hunter2";
  EXPECT_THAT(DescribeStore(config), Not(HasSubstr("hunter2")));
}

// Each engine's stores share one database: a token created through one
// store object is found through another, sessions likewise.
void ExpectStoresWork(const StoreConfig& config) {
  absl::StatusOr<std::unique_ptr<SessionStore>> sessions = OpenSessionStore(config);
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  ASSERT_TRUE((*sessions)->UpsertSessions({testutil::MakeSession("a", "s1", 1)}).ok());
  absl::StatusOr<std::unique_ptr<SessionStore>> again = OpenSessionStore(config);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->GetSession("a", "s1").ok());
  absl::StatusOr<std::unique_ptr<TokenStore>> tokens = OpenTokenStore(config);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  TokenRecord token;
  token.id = "tok_1";
  token.secret_sha256 = std::string(32, 'x');
  token.account_id = "a";
  token.created_at = absl::FromUnixSeconds(1795000000);
  ASSERT_TRUE((*tokens)->CreateToken(token).ok());
  absl::StatusOr<std::unique_ptr<TokenStore>> other_tokens = OpenTokenStore(config);
  ASSERT_TRUE(other_tokens.ok()) << other_tokens.status();
  EXPECT_TRUE((*other_tokens)->FindTokenByHash(token.secret_sha256).ok());
}

TEST(StoreFactoryTest, OpensSqliteStores) {
  StoreConfig config;
  config.sqlite_path = testutil::NewDatabasePath("factory");
  ExpectStoresWork(config);
}

TEST(StoreFactoryTest, OpensPostgresStores) {
  absl::StatusOr<std::unique_ptr<testutil::PostgresInstance>> server =
      testutil::PostgresInstance::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  StoreConfig config;
  config.engine = StoreEngine::kPostgres;
  absl::StatusOr<std::string> dsn = (*server)->CreateDatabase();
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  config.postgres_dsn = *dsn;
  ExpectStoresWork(config);
}

}  // namespace
}  // namespace sessions
