// The SQLite migration that adds revisions to an existing database (the
// change feed itself: the conformance suite).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using testutil::MakeSession;
using testutil::NewDatabasePath;

SqliteStoreOptions NoBackgroundPurge() {
  SqliteStoreOptions options;
  options.retention.purge_interval = absl::ZeroDuration();
  return options;
}

TEST(SqliteChangeFeedMigrationTest, ExistingRowsGetDistinctRevisions) {
  const std::string path = NewDatabasePath("migrate");
  {
    // The database as the binary before revisions left it (schema 2).
    auto conn = SqliteConnection::Open(path, {});
    ASSERT_TRUE(conn.ok()) << conn.status();
    ASSERT_TRUE(Schema::MigrateTo(**conn, 2).ok());
    SQLite::Database& db = (*conn)->db();
    for (const auto& [id, ended] :
         std::vector<std::pair<std::string, int>>{{"s1", 0}, {"s2", 1}, {"s3", 0}}) {
      SessionInfo s = MakeSession("a", id, 1);
      s.set_ended(ended != 0);
      SQLite::Statement insert(db,
                               "INSERT INTO sessions (account_id, id, created_us, modified_us, "
                               "ended, data) VALUES ('a', ?1, 0, 0, ?2, ?3)");
      insert.bind(1, id);
      insert.bind(2, ended);
      const std::string data = s.SerializeAsString();
      insert.bind(3, data.data(), static_cast<int>(data.size()));
      insert.exec();
    }
  }
  auto store = SqliteSessionStore::Open(path, NoBackgroundPurge());
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<int64_t> changes;
  auto position = (*store)->ChangesAfter(0, 0, [&](const SessionChange& change) {
    changes.push_back(change.revision);
    return absl::OkStatus();
  });
  ASSERT_TRUE(position.ok()) << position.status();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_LT(changes[0], changes[1]);
  EXPECT_LT(changes[1], changes[2]);
  EXPECT_EQ(position->revision, changes[2]);
  EXPECT_EQ(position->horizon, 0);
  auto next = (*store)->UpsertSessions({MakeSession("a", "s4", 4)});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->revision, changes[2] + 1);
}

}  // namespace
}  // namespace sessions
