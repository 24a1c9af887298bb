// sessionsctl against a database a "server" holds open: the server-side
// TokenAuthenticator accepts a token the CLI just created and rejects it on
// the first call after the CLI revoked it (nothing cached, WAL sharing).
#include <stdio.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "service/auth/token_authenticator.h"
#include "service/call_context.h"
#include "storage/sqlite/sqlite_token_store.h"

namespace sessions {
namespace {

class OneHeader final : public MetadataView {
 public:
  explicit OneHeader(std::string value) : value_(std::move(value)) {}
  std::optional<std::string_view> Get(std::string_view key) const override {
    if (key == "authorization") return std::string_view(value_);
    return std::nullopt;
  }

 private:
  std::string value_;
};

std::string BinaryPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    return absl::StrCat(srcdir, "/", workspace, "/tools/sessionsctl");
  }
  return "tools/sessionsctl";
}

// Runs sessionsctl with `args` (shell words, trusted test input); returns
// its stdout, or nullopt if it exited non-zero.
std::optional<std::string> RunCtl(const std::string& args) {
  const std::string command = absl::StrCat(BinaryPath(), " ", args, " 2>&1");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  const int rc = ::pclose(pipe);
  if (rc != 0) {
    ADD_FAILURE() << "sessionsctl " << args << " failed (" << rc << "): " << out;
    return std::nullopt;
  }
  return out;
}

TEST(SessionsctlLiveTest, ServerSeesCreatedAndRevokedTokensImmediately) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  const std::string db = absl::StrCat(tmp, "/live.db");
  const std::string db_flag = absl::StrCat("--db_path='", db, "'");

  // The "server": its own store and authenticator, open for the whole test.
  absl::StatusOr<std::unique_ptr<SqliteTokenStore>> store = SqliteTokenStore::Open(db, {});
  ASSERT_TRUE(store.ok()) << store.status();
  TokenAuthenticator authenticator(store->get());

  std::optional<std::string> secret = RunCtl(absl::StrCat(
      db_flag, " token create --account=acct-7 --customer=cust-1 --scopes=sessions:read",
      " --name=live --quiet"));
  ASSERT_TRUE(secret.has_value());
  const std::string token(absl::StripAsciiWhitespace(*secret));

  OneHeader header("Bearer " + token);
  absl::StatusOr<Principal> principal = authenticator.Authenticate(&header);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->account_id, "acct-7");
  EXPECT_EQ(principal->customer_id, "cust-1");
  EXPECT_EQ(principal->token_name, "live");
  EXPECT_TRUE(principal->Has(Scope::kSessionsRead));
  EXPECT_FALSE(principal->Has(Scope::kSessionsWrite));

  // The first use was recorded; the CLI sees it while the server runs.
  std::optional<std::string> listed = RunCtl(absl::StrCat(db_flag, " token list"));
  ASSERT_TRUE(listed.has_value());
  EXPECT_NE(listed->find(principal->token_id), std::string::npos);
  EXPECT_EQ(listed->find(token.substr(4)), std::string::npos);

  ASSERT_TRUE(RunCtl(absl::StrCat(db_flag, " token revoke ", principal->token_id)).has_value());
  absl::StatusOr<Principal> after = authenticator.Authenticate(&header);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace sessions
