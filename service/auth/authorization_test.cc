#include "service/auth/authorization.h"

#include <initializer_list>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/principal.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::voice::api::sessions::v1::SessionInfo;

constexpr uint32_t kRead = static_cast<uint32_t>(Scope::kSessionsRead);
constexpr uint32_t kWrite = static_cast<uint32_t>(Scope::kSessionsWrite);
constexpr uint32_t kAdmin = static_cast<uint32_t>(Scope::kAdmin);

Principal MakePrincipal(uint32_t scopes, std::string customer = "") {
  Principal p;
  p.token_id = "tok_0000000000000001";
  p.account_id = "acc-1";
  p.customer_id = std::move(customer);
  p.scopes = scopes;
  return p;
}

// Customer tree of acc-1 used below:  top -> mid -> leaf,  top -> other.
SessionInfo MakeSession(std::string account, std::string customer,
                        std::initializer_list<const char*> breadcrumb) {
  SessionInfo s;
  s.set_id("s-1");
  s.set_account_id(std::move(account));
  s.set_customer_id(std::move(customer));
  for (const char* id : breadcrumb) s.add_customer_breadcrumb()->set_id(id);
  return s;
}

TEST(ResolveAccountTest, EmptyMeansOwnAccount) {
  EXPECT_EQ(*ResolveAccount(MakePrincipal(kRead), ""), "acc-1");
  EXPECT_EQ(*ResolveAccount(MakePrincipal(kAdmin), ""), "acc-1");
}

TEST(ResolveAccountTest, OwnAccountIsAllowed) {
  EXPECT_EQ(*ResolveAccount(MakePrincipal(kRead), "acc-1"), "acc-1");
}

TEST(ResolveAccountTest, OtherAccountIsDeniedUnlessAdmin) {
  absl::StatusOr<std::string> denied = ResolveAccount(MakePrincipal(kRead | kWrite), "acc-2");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.status().message(), HasSubstr("account_id"));
  EXPECT_THAT(denied.status().message(), Not(HasSubstr("acc-2")));
  EXPECT_EQ(*ResolveAccount(MakePrincipal(kAdmin), "acc-2"), "acc-2");
}

TEST(ResolveAccountTest, ComparisonIsExact) {
  EXPECT_EQ(ResolveAccount(MakePrincipal(kRead), "ACC-1").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ResolveAccount(MakePrincipal(kRead), "acc-1 ").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(ResolveAccountTest, PrincipalWithoutAccountIsDenied) {
  Principal nobody;
  EXPECT_EQ(ResolveAccount(nobody, "").status().code(), absl::StatusCode::kPermissionDenied);
  nobody.scopes = kAdmin;
  EXPECT_EQ(ResolveAccount(nobody, "acc-1").status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(InCustomerSubtreeTest, MatchesOwnCustomerAndBreadcrumb) {
  const SessionInfo leaf = MakeSession("acc-1", "leaf", {"top", "mid", "leaf"});
  EXPECT_TRUE(InCustomerSubtree(leaf, ""));
  EXPECT_TRUE(InCustomerSubtree(leaf, "leaf"));
  EXPECT_TRUE(InCustomerSubtree(leaf, "mid"));
  EXPECT_TRUE(InCustomerSubtree(leaf, "top"));
  EXPECT_FALSE(InCustomerSubtree(leaf, "other"));
  EXPECT_FALSE(InCustomerSubtree(leaf, "mi"));
  // A breadcrumb without the session's own customer still matches it.
  EXPECT_TRUE(InCustomerSubtree(MakeSession("acc-1", "leaf", {"top", "mid"}), "leaf"));
  // No customer at all: only the empty filter matches.
  const SessionInfo bare = MakeSession("acc-1", "", {});
  EXPECT_TRUE(InCustomerSubtree(bare, ""));
  EXPECT_FALSE(InCustomerSubtree(bare, "top"));
}

TEST(CheckWriteAccessTest, NeedsWriteScope) {
  const SessionInfo s = MakeSession("acc-1", "leaf", {"top", "mid"});
  absl::Status status = CheckWriteAccess(MakePrincipal(kRead), s);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(), HasSubstr("sessions:write"));
  EXPECT_EQ(CheckWriteAccess(MakePrincipal(0), s).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckWriteAccess(MakePrincipal(kWrite), s).ok());
  EXPECT_TRUE(CheckWriteAccess(MakePrincipal(kAdmin), s).ok());
}

TEST(CheckWriteAccessTest, AccountMustMatchUnlessAdmin) {
  const SessionInfo foreign = MakeSession("acc-2", "x", {});
  absl::Status status = CheckWriteAccess(MakePrincipal(kRead | kWrite), foreign);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(), HasSubstr("account_id"));
  EXPECT_THAT(status.message(), Not(HasSubstr("acc-2")));
  EXPECT_TRUE(CheckWriteAccess(MakePrincipal(kAdmin), foreign).ok());
}

TEST(CheckWriteAccessTest, EmptyAccountIsInvalid) {
  EXPECT_EQ(CheckWriteAccess(MakePrincipal(kWrite), MakeSession("", "x", {})).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CheckWriteAccessTest, RestrictedTokenWritesOnlyInsideItsSubtree) {
  const Principal p = MakePrincipal(kWrite, "mid");
  EXPECT_TRUE(CheckWriteAccess(p, MakeSession("acc-1", "mid", {"top", "mid"})).ok());
  EXPECT_TRUE(CheckWriteAccess(p, MakeSession("acc-1", "leaf", {"top", "mid", "leaf"})).ok());
  for (const SessionInfo& s :
       {MakeSession("acc-1", "top", {"top"}), MakeSession("acc-1", "other", {"top", "other"}),
        MakeSession("acc-1", "", {})}) {
    absl::Status status = CheckWriteAccess(p, s);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << s.customer_id();
    EXPECT_THAT(status.message(), HasSubstr("customer_id"));
    EXPECT_THAT(status.message(), Not(HasSubstr("other")));
  }
  // The restriction binds admin tokens too.
  EXPECT_EQ(CheckWriteAccess(MakePrincipal(kAdmin, "mid"), MakeSession("acc-1", "top", {})).code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace sessions::auth
