#include "tools/token_commands.h"

#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/auth/token_codec.h"
#include "storage/testing/fake_token_store.h"
#include "tools/command.h"

namespace sessions::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);  // 2027-01-15T08:00:00Z

class TokenCommandsTest : public ::testing::Test {
 protected:
  TokenCommandsTest() : registry_("sessionsctl") {
    registry_.Register(std::make_unique<TokenCreateCommand>());
    registry_.Register(std::make_unique<TokenListCommand>());
    registry_.Register(std::make_unique<TokenRevokeCommand>());
    registry_.Register(std::make_unique<TokenSecretCommand>());
    context_.out = &out_;
    context_.err = &err_;
    context_.clock = [] { return kNow; };
    context_.token_store = [this](OpenMode mode) -> absl::StatusOr<TokenStore*> {
      ++opens_;
      last_mode_ = mode;
      return &store_;
    };
  }

  int Run(const std::vector<std::string>& args, const std::set<std::string>& flags = {}) {
    out_.str("");
    err_.str("");
    return registry_.Run(args, flags, context_);
  }

  void SetCreateFlags(const std::string& account, const std::string& scopes,
                      const std::string& name) {
    absl::SetFlag(&FLAGS_account, account);
    absl::SetFlag(&FLAGS_scopes, scopes);
    absl::SetFlag(&FLAGS_name, name);
  }

  // Creates a token through the command and returns its secret.
  std::string CreateQuiet(const std::string& name) {
    SetCreateFlags("acc-1", "sessions:read", name);
    absl::SetFlag(&FLAGS_quiet, true);
    EXPECT_EQ(Run({"token", "create"}), kExitOk) << err_.str();
    absl::SetFlag(&FLAGS_quiet, false);
    std::string secret = out_.str();
    if (!secret.empty() && secret.back() == '\n') secret.pop_back();
    return secret;
  }

  absl::FlagSaver flag_saver_;
  FakeTokenStore store_;
  CommandRegistry registry_;
  std::ostringstream out_;
  std::ostringstream err_;
  CommandContext context_;
  int opens_ = 0;
  OpenMode last_mode_ = OpenMode::kMustExist;
};

TEST_F(TokenCommandsTest, CreatePrintsSecretOnceAndStoresOnlyItsHash) {
  SetCreateFlags("acc-1", "sessions:read,sessions:write", "dashboard");
  absl::SetFlag(&FLAGS_customer, "cust-7");
  ASSERT_EQ(Run({"token", "create"}), kExitOk) << err_.str();
  EXPECT_EQ(last_mode_, OpenMode::kCreateIfMissing);

  std::vector<std::string> secrets;
  for (absl::string_view line : absl::StrSplit(out_.str(), '\n')) {
    if (auth::IsWellFormedTokenSecret(std::string(line))) secrets.emplace_back(line);
  }
  ASSERT_EQ(secrets.size(), 1u) << out_.str();
  const std::vector<TokenRecord> tokens = *store_.ListTokens();
  ASSERT_EQ(tokens.size(), 1u);
  const TokenRecord& t = tokens[0];
  EXPECT_EQ(t.secret_sha256, *auth::HashTokenSecret(secrets[0]));
  EXPECT_TRUE(auth::IsWellFormedTokenId(t.id));
  EXPECT_EQ(t.account_id, "acc-1");
  EXPECT_EQ(t.customer_id, "cust-7");
  EXPECT_EQ(t.name, "dashboard");
  EXPECT_EQ(auth::FormatScopes(t.scopes), "sessions:read,sessions:write");
  EXPECT_EQ(t.created_at, kNow);
  EXPECT_EQ(t.expires_at, kNow + absl::Hours(720));
  EXPECT_FALSE(t.revoked);
  EXPECT_THAT(out_.str(), HasSubstr(t.id));
  EXPECT_THAT(out_.str(), HasSubstr("2027-02-14T08:00:00Z"));
  EXPECT_THAT(out_.str(), Not(HasSubstr(absl::BytesToHexString(t.secret_sha256))));
}

TEST_F(TokenCommandsTest, CreateQuietPrintsOnlyTheSecret) {
  const std::string secret = CreateQuiet("ci");
  EXPECT_TRUE(auth::IsWellFormedTokenSecret(secret)) << secret;
}

TEST_F(TokenCommandsTest, CreateWithInfiniteTtlNeverExpires) {
  SetCreateFlags("acc-1", "admin", "ops");
  absl::SetFlag(&FLAGS_ttl, absl::InfiniteDuration());
  ASSERT_EQ(Run({"token", "create"}), kExitOk) << err_.str();
  EXPECT_EQ((*store_.ListTokens())[0].expires_at, absl::InfiniteFuture());
  EXPECT_THAT(out_.str(), HasSubstr("expires:  never"));
}

TEST_F(TokenCommandsTest, CreateRejectsBadUsageWithoutTouchingTheStore) {
  struct Case {
    std::string account, customer, scopes, name;
    absl::Duration ttl;
    std::vector<std::string> extra;
    std::string expected;
  };
  const absl::Duration d = absl::Hours(1);
  const std::vector<Case> cases = {
      {"", "", "sessions:read", "n", d, {}, "--account is required"},
      {"acc 1", "", "sessions:read", "n", d, {}, "--account"},
      {"acc-1", "c\x01", "sessions:read", "n", d, {}, "--customer"},
      {"acc-1", "", "", "n", d, {}, "--scopes is required"},
      {"acc-1", "", "sessions:delete", "n", d, {}, "unknown scope"},
      {"acc-1", "", "sessions:read", "", d, {}, "--name is required"},
      {"acc-1", "", "sessions:read", "a\nb", d, {}, "--name"},
      {"acc-1", "", "sessions:read", std::string(200, 'n'), d, {}, "--name"},
      {"acc-1", "", "sessions:read", "n", absl::ZeroDuration(), {}, "--ttl"},
      {"acc-1", "", "sessions:read", "n", -d, {}, "--ttl"},
      {"acc-1", "", "sessions:read", "n", d, {"ast_pasted-by-mistake"}, "unexpected"},
  };
  for (const Case& c : cases) {
    SetCreateFlags(c.account, c.scopes, c.name);
    absl::SetFlag(&FLAGS_customer, c.customer);
    absl::SetFlag(&FLAGS_ttl, c.ttl);
    std::vector<std::string> args = {"token", "create"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    EXPECT_EQ(Run(args), kExitUsage) << c.expected;
    EXPECT_THAT(err_.str(), HasSubstr(c.expected));
    EXPECT_THAT(err_.str(), HasSubstr("usage: sessionsctl token create"));
    EXPECT_THAT(err_.str(), Not(HasSubstr("pasted-by-mistake")));
    EXPECT_EQ(out_.str(), "");
  }
  EXPECT_EQ(opens_, 0);
  EXPECT_TRUE(store_.ListTokens()->empty());
}

TEST_F(TokenCommandsTest, ListShowsEveryTokenButNoSecretOrHash) {
  const std::string active = CreateQuiet("active-one");
  const std::string revoked = CreateQuiet("revoked-one");
  std::vector<TokenRecord> tokens = *store_.ListTokens();
  ASSERT_TRUE(store_.RevokeToken(tokens[1].id).ok());
  ASSERT_TRUE(store_.RecordTokenUse(tokens[0].id, kNow + absl::Minutes(5)).ok());
  context_.clock = [] { return kNow + absl::Hours(24 * 365); };
  const std::string expired = CreateQuiet("fresh");             // created a year later
  context_.clock = [] { return kNow + absl::Hours(24 * 31); };  // first two expired

  ASSERT_EQ(Run({"token", "list"}), kExitOk) << err_.str();
  const std::string out = out_.str();
  EXPECT_EQ(last_mode_, OpenMode::kMustExist);
  EXPECT_THAT(out, HasSubstr("ID"));
  EXPECT_THAT(out, HasSubstr("LAST_USED"));
  const std::vector<TokenRecord> all = *store_.ListTokens();
  ASSERT_EQ(all.size(), 3u);
  for (const TokenRecord& t : all) {
    EXPECT_THAT(out, HasSubstr(t.id));
    EXPECT_THAT(out, Not(HasSubstr(absl::BytesToHexString(t.secret_sha256))));
    EXPECT_THAT(out, Not(HasSubstr(absl::Base64Escape(t.secret_sha256))));
    EXPECT_THAT(out, Not(HasSubstr(t.secret_sha256)));
  }
  for (const std::string& secret : {active, revoked, expired}) {
    EXPECT_THAT(out, Not(HasSubstr(secret.substr(4))));
  }
  EXPECT_THAT(out, HasSubstr("revoked-one"));
  EXPECT_THAT(out, HasSubstr("revoked"));
  EXPECT_THAT(out, HasSubstr("expired"));
  EXPECT_THAT(out, HasSubstr("active"));
  EXPECT_THAT(out, HasSubstr("2027-01-15T08:05:00Z"));  // last use
  EXPECT_THAT(out, HasSubstr("never"));                 // unused tokens
  EXPECT_THAT(out, HasSubstr("sessions:read"));
}

TEST_F(TokenCommandsTest, RevokeMarksTheTokenRevoked) {
  CreateQuiet("x");
  const std::string id = (*store_.ListTokens())[0].id;
  ASSERT_EQ(Run({"token", "revoke", id}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("Revoked token " + id));
  EXPECT_TRUE((*store_.ListTokens())[0].revoked);
  EXPECT_EQ(last_mode_, OpenMode::kMustExist);
  // Idempotent.
  EXPECT_EQ(Run({"token", "revoke", id}), kExitOk);
}

TEST_F(TokenCommandsTest, RevokeErrors) {
  EXPECT_EQ(Run({"token", "revoke"}), kExitUsage);
  EXPECT_EQ(Run({"token", "revoke", "tok_0000000000000001", "tok_0000000000000002"}), kExitUsage);
  const std::string secret = *auth::GenerateTokenSecret();
  EXPECT_EQ(Run({"token", "revoke", secret}), kExitUsage);
  EXPECT_THAT(err_.str(), Not(HasSubstr(secret.substr(4))));
  EXPECT_EQ(Run({"token", "revoke", "tok_00000000000000ff"}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("no token tok_00000000000000ff"));
}

TEST_F(TokenCommandsTest, StoreErrorsExitOne) {
  store_.FailWith(absl::UnavailableError("database is locked"));
  EXPECT_EQ(Run({"token", "list"}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("database is locked"));
  SetCreateFlags("acc-1", "sessions:read", "n");
  EXPECT_EQ(Run({"token", "create"}), kExitError);
  EXPECT_THAT(out_.str(), Not(HasSubstr("ast_")));  // no secret for a token not stored
}

TEST_F(TokenCommandsTest, SecretPrintsAFreshUnstoredSecret) {
  ASSERT_EQ(Run({"token", "secret"}), kExitOk);
  std::string secret = out_.str();
  ASSERT_FALSE(secret.empty());
  secret.pop_back();
  EXPECT_TRUE(auth::IsWellFormedTokenSecret(secret));
  EXPECT_EQ(opens_, 0);
}

TEST_F(TokenCommandsTest, DispatchAndUsage) {
  EXPECT_EQ(Run({}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("token create"));
  EXPECT_EQ(Run({"help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("token revoke TOKEN_ID"));
  EXPECT_EQ(Run({"token"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("unknown command 'token'"));
  EXPECT_THAT(err_.str(), HasSubstr("token list"));
  EXPECT_EQ(Run({"token", "delete"}), kExitUsage);
  EXPECT_EQ(Run({"frobnicate"}), kExitUsage);
  EXPECT_EQ(Run({"token", "list", "extra"}), kExitUsage);
}

TEST_F(TokenCommandsTest, RejectsFlagsOfOtherCommands) {
  EXPECT_EQ(Run({"token", "list"}, {"db_path", "account"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--account is not an option of 'token list'"));
  EXPECT_EQ(opens_, 0);
  EXPECT_EQ(Run({"token", "list"}, {"db_path"}), kExitOk);
}

TEST(FlagsOnCommandLineTest, FindsFlagNames) {
  std::vector<std::string> args = {"sessionsctl", "--db_path=x", "token", "create",  "-account",
                                   "a",           "--noquiet",   "--",    "--name=n"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  EXPECT_EQ(FlagsOnCommandLine(static_cast<int>(argv.size()), argv.data()),
            (std::set<std::string>{"db_path", "account", "noquiet", "quiet"}));
}

}  // namespace
}  // namespace sessions::tools
