// The SessionStore conformance suite: every behaviour the SessionStore
// interface promises (listings, writes and the staleness rule, the customer
// directory, revisions and the change feed, retention, several stores on
// one database), run against each engine by instantiating it with that
// engine's SessionStoreEngine:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, SessionStoreConformanceTest,
//                            ::testing::Values(SqliteEngine()), SessionEngineName);
//
// An engine's test binary links :session_store_conformance (alwayslink).
#ifndef STORAGE_TESTING_SESSION_STORE_CONFORMANCE_H_
#define STORAGE_TESTING_SESSION_STORE_CONFORMANCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "storage/retention_purger.h"
#include "storage/session_store.h"

namespace sessions {
namespace testutil {

// How the suite gets stores of one engine.
struct SessionStoreEngine {
  std::string name;
  // A fresh, empty database (a path, a DSN) for one test.
  std::function<std::string()> new_database;
  // Opens a store on a database new_database() returned, with `retention`;
  // two stores on one database stand for two processes (the server and
  // sessionsctl, or two replicas).
  std::function<absl::StatusOr<std::unique_ptr<SessionStore>>(const std::string& database,
                                                              const RetentionOptions& retention)>
      open;
};

// For INSTANTIATE_TEST_SUITE_P's name generator.
std::string SessionEngineName(const ::testing::TestParamInfo<SessionStoreEngine>& info);

// Retention without the background purge (tests call PurgeExpired()).
RetentionOptions ManualPurge();

class SessionStoreConformanceTest : public ::testing::TestWithParam<SessionStoreEngine> {
 protected:
  void SetUp() override;

  // (Re)opens store_ on database_ with `retention`.
  void Open(const RetentionOptions& retention = ManualPurge());
  // Another store on database_ (another process).
  std::unique_ptr<SessionStore> OpenAnother();

  // The listing fixture: account a with customers root > east > east-1 and
  // root > west (s0 ended), account b with one session.
  void WriteListingFixture();

  std::vector<std::string> List(const ActiveSessionsQuery& query);
  std::vector<std::string> Active(const std::string& account, const std::string& customer = "");
  static ActiveSessionsQuery Query(const std::string& account, const std::string& customer = "");

  // One upsert; returns its revision (-1 on failure, which is reported).
  int64_t Upsert(const SessionInfo& session);
  int64_t Rename(const std::string& account, const std::string& id, const std::string& name);
  int64_t End(const std::string& account, const std::string& id);
  absl::StatusOr<UpsertResult> UpsertAs(std::vector<SessionInfo> sessions,
                                        const SessionStore::UpsertAuthority& authority);

  // Blocks the writer (an UpdateSessionAsync whose mutate waits) until the
  // returned notification fires.
  std::shared_ptr<absl::Notification> BlockWriter();

  std::string database_;
  std::unique_ptr<SessionStore> store_;
};

}  // namespace testutil
}  // namespace sessions

#endif  // STORAGE_TESTING_SESSION_STORE_CONFORMANCE_H_
