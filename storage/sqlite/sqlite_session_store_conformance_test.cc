// The SessionStore conformance suite on SQLite: a database file per test.
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/session_store_conformance.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using testutil::SessionStoreConformanceTest;

testutil::SessionStoreEngine SqliteEngine() {
  return {"Sqlite", [] { return testutil::NewDatabasePath("conformance"); },
          [](const std::string& path,
             const RetentionOptions& retention) -> absl::StatusOr<std::unique_ptr<SessionStore>> {
            SqliteStoreOptions options;
            options.retention = retention;
            absl::StatusOr<std::unique_ptr<SqliteSessionStore>> store =
                SqliteSessionStore::Open(path, options);
            if (!store.ok()) return store.status();
            return std::unique_ptr<SessionStore>(*std::move(store));
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SessionStoreConformanceTest, ::testing::Values(SqliteEngine()),
                         testutil::SessionEngineName);

}  // namespace
}  // namespace sessions
