// The TokenStore conformance suite: every behaviour the TokenStore
// interface promises, run against each engine (SQLite, PostgreSQL) by
// instantiating it with that engine's TokenStoreEngine:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, TokenStoreConformanceTest,
//                            ::testing::Values(SqliteTokenEngine()), EngineName);
//
// An engine's test binary links :token_store_conformance (alwayslink).
#ifndef STORAGE_TESTING_TOKEN_STORE_CONFORMANCE_H_
#define STORAGE_TESTING_TOKEN_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "storage/token_store.h"

namespace sessions {
namespace testutil {

// How the suite gets stores of one engine.
struct TokenStoreEngine {
  std::string name;
  // A fresh, empty database (a path, a DSN) for one test.
  std::function<std::string()> new_database;
  // Opens a store on a database new_database() returned; two stores on one
  // database stand for two processes (the server and sessionsctl, or two
  // replicas).
  std::function<absl::StatusOr<std::unique_ptr<TokenStore>>(const std::string& database)> open;
};

// A fixed instant `seconds` after 2026-11-18 (test data).
absl::Time TokenTime(int seconds);

// A token of account "acct-1" with scopes read+write whose hash is 32 bytes
// of `hash_byte` after a NUL (raw bytes, not text), created TokenTime(created).
TokenRecord TestToken(const std::string& id, char hash_byte, int created);

// For INSTANTIATE_TEST_SUITE_P's name generator.
std::string EngineName(const ::testing::TestParamInfo<TokenStoreEngine>& info);

class TokenStoreConformanceTest : public ::testing::TestWithParam<TokenStoreEngine> {
 protected:
  void SetUp() override;

  std::string database_;
  std::unique_ptr<TokenStore> store_;
};

}  // namespace testutil
}  // namespace sessions

#endif  // STORAGE_TESTING_TOKEN_STORE_CONFORMANCE_H_
