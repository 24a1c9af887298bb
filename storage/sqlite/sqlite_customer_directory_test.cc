// The customer directory of SqliteSessionStore: account-level writes state
// the tree, operators set entries, and customer-restricted writes are
// checked against it inside the write (SessionStore::UpsertAuthority).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::testing::ElementsAre;
using testutil::MakeSession;

class CustomerDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteSessionStore::Open(testutil::NewDatabasePath("directory"), {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::unique_ptr<SqliteSessionStore> store_;
};

// Upserts `sessions` for `authority` and waits for the outcome.
absl::StatusOr<UpsertResult> UpsertAs(SqliteSessionStore& store, std::vector<SessionInfo> sessions,
                                      const SessionStore::UpsertAuthority& authority) {
  absl::Notification done;
  absl::StatusOr<UpsertResult> result;
  store.UpsertSessionsAsync(std::move(sessions), authority, [&](absl::StatusOr<UpsertResult> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

SessionStore::UpsertAuthority RestrictedTo(const std::string& customer) {
  SessionStore::UpsertAuthority authority;
  authority.restricted_to_customer = customer;
  return authority;
}

TEST_F(CustomerDirectoryTest, AccountLevelWritesStateTheCustomerTree) {
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1, "support", {"root", "hq"})}).ok());
  // The breadcrumb may end with the session's own customer: the same path.
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s2", 2, "sales", {"root", "sales"})}).ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("root", "hq", "support"));
  EXPECT_THAT(*store_->CustomerPath("a", "hq"), ElementsAre("root", "hq"));
  EXPECT_THAT(*store_->CustomerPath("a", "sales"), ElementsAre("root", "sales"));
  EXPECT_EQ(store_->CustomerPath("a", "ghost").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->CustomerPath("b", "hq").status().code(), absl::StatusCode::kNotFound);
  // The tree changes when account-level writers say so.
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s3", 3, "hq", {"group"})}).ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("group", "hq", "support"));
  // A stale write is an older state of the tree: it teaches nothing.
  SessionInfo stale = MakeSession("a", "s3", 3, "hq", {"elsewhere"});
  stale.set_date_last_modified("2026-11-25T09:00:00Z");
  ASSERT_EQ(store_->UpsertSessions({stale})->stale, 1);
  EXPECT_THAT(*store_->CustomerPath("a", "hq"), ElementsAre("group", "hq"));
  // A path naming a customer twice is no tree path: it teaches nothing.
  ASSERT_TRUE(
      store_->UpsertSessions({MakeSession("a", "s4", 4, "x", {"hq", "support", "hq"})}).ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("group", "hq", "support"));
  EXPECT_EQ(store_->CustomerPath("a", "x").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CustomerDirectoryTest, TheDirectoryCanBeStatedEntryByEntry) {
  ASSERT_TRUE(store_->SetCustomerParent("a", "root", "").ok());
  ASSERT_TRUE(store_->SetCustomerParent("a", "hq", "root").ok());
  ASSERT_TRUE(store_->SetCustomerParent("a", "support", "hq").ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("root", "hq", "support"));
  // A restricted writer may now use it, with no session written before.
  EXPECT_TRUE(
      UpsertAs(*store_, {MakeSession("a", "s1", 1, "support", {"root", "hq"})}, RestrictedTo("hq"))
          .ok());
  // Cycles and nonsense are refused, naming the field; nothing changes.
  absl::Status cycle = store_->SetCustomerParent("a", "root", "support");
  EXPECT_EQ(cycle.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(cycle.message().find("parent_id"), std::string::npos);
  EXPECT_EQ(store_->SetCustomerParent("a", "hq", "hq").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetCustomerParent("a", "", "hq").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("root", "hq", "support"));
  // Moving a subtree.
  ASSERT_TRUE(store_->SetCustomerParent("a", "hq", "").ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("hq", "support"));
}

// The attack of a restricted writer claiming a sibling's customer with its
// own breadcrumb, and its variants: refused inside the write, the whole
// batch with it; unknown and foreign customers get the same answer.
TEST_F(CustomerDirectoryTest, RestrictedWritesMustSitInTheirSubtreePerTheDirectory) {
  ASSERT_TRUE(store_
                  ->UpsertSessions({MakeSession("a", "t1", 1, "support", {"root", "hq"}),
                                    MakeSession("a", "t2", 2, "sales", {"root"})})
                  .ok());
  const SessionStore::UpsertAuthority hq = RestrictedTo("hq");
  EXPECT_TRUE(UpsertAs(*store_, {MakeSession("a", "s1", 1, "support", {"root", "hq"})}, hq).ok());
  EXPECT_TRUE(UpsertAs(*store_, {MakeSession("a", "s2", 1, "hq", {"root"})}, hq).ok());

  const SessionInfo forged = MakeSession("a", "s3", 1, "sales", {"hq"});
  const SessionInfo ghost = MakeSession("a", "s4", 1, "ghost", {"root", "hq"});
  const SessionInfo above = MakeSession("a", "s5", 1, "root", {});
  absl::StatusOr<UpsertResult> refused = UpsertAs(*store_, {forged}, hq);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.status().message(),
            "customer_id: outside the customer this token is restricted to");
  for (const SessionInfo& session : {ghost, above}) {
    EXPECT_EQ(UpsertAs(*store_, {session}, hq).status(), refused.status()) << session.id();
  }
  // Its own customer with a made-up breadcrumb: the directory's path is expected.
  absl::StatusOr<UpsertResult> wrong_path =
      UpsertAs(*store_, {MakeSession("a", "s6", 1, "support", {"hq"})}, hq);
  EXPECT_EQ(wrong_path.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_path.status().message().find("customer_breadcrumb"), std::string::npos);
  EXPECT_NE(wrong_path.status().message().find("expected root, hq"), std::string::npos);
  // One bad session refuses the batch: nothing of it is written.
  EXPECT_FALSE(
      UpsertAs(*store_, {MakeSession("a", "s7", 1, "support", {"root", "hq"}), forged}, hq).ok());
  for (const char* id : {"s3", "s4", "s5", "s6", "s7"}) {
    EXPECT_EQ(store_->GetSession("a", id).status().code(), absl::StatusCode::kNotFound) << id;
  }
  // Restricted writes teach nothing.
  EXPECT_EQ(UpsertAs(*store_, {MakeSession("a", "s8", 1, "new-team", {"root", "hq"})}, hq)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->CustomerPath("a", "new-team").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sessions
