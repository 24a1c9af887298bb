#include "service/auth/token_authenticator.h"

#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/auth/token_codec.h"
#include "service/call_context.h"
#include "service/principal.h"
#include "storage/testing/fake_token_store.h"

namespace sessions {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint32_t kRead = static_cast<uint32_t>(Scope::kSessionsRead);
constexpr uint32_t kWrite = static_cast<uint32_t>(Scope::kSessionsWrite);
constexpr uint32_t kAdmin = static_cast<uint32_t>(Scope::kAdmin);

class MapMetadata final : public MetadataView {
 public:
  MapMetadata() = default;
  explicit MapMetadata(std::string authorization) {
    values_["authorization"] = std::move(authorization);
  }
  std::optional<std::string_view> Get(std::string_view key) const override {
    auto it = values_.find(std::string(key));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }

 private:
  absl::flat_hash_map<std::string, std::string> values_;
};

// A clock the test moves by hand.
class ManualClock {
 public:
  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1'800'000'000);
};

class TokenAuthenticatorTest : public ::testing::Test {
 protected:
  TokenAuthenticatorTest()
      : authenticator_(&store_, TokenAuthenticator::Options{[this] { return clock_.Now(); },
                                                            absl::Minutes(1)}) {}

  // Stores a token for `secret` and returns its record.
  TokenRecord AddToken(const std::string& secret, uint32_t scopes = kRead,
                       std::string customer = "") {
    TokenRecord record;
    record.id = *auth::GenerateTokenId();
    record.secret_sha256 = *auth::HashTokenSecret(secret);
    record.account_id = "acc-1";
    record.customer_id = std::move(customer);
    record.name = "dashboard";
    record.scopes = scopes;
    record.created_at = clock_.Now() - absl::Hours(1);
    EXPECT_TRUE(store_.CreateToken(record).ok());
    return record;
  }

  absl::StatusOr<Principal> AuthWithSecret(const std::string& secret) {
    MapMetadata metadata("Bearer " + secret);
    return authenticator_.Authenticate(&metadata);
  }

  // Expects the one UNAUTHENTICATED status, free of `secret`.
  static void ExpectUnauthenticated(const absl::StatusOr<Principal>& result,
                                    const std::string& secret) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(std::string(result.status().message()), TokenAuthenticator::kUnauthenticatedMessage);
    EXPECT_THAT(result.status().ToString(), Not(HasSubstr(secret.substr(4))));
  }

  const std::string secret_ = *auth::GenerateTokenSecret();
  ManualClock clock_;
  FakeTokenStore store_;
  TokenAuthenticator authenticator_;
};

TEST_F(TokenAuthenticatorTest, ValidTokenGivesPrincipal) {
  const TokenRecord record = AddToken(secret_, kRead | kWrite, "cust-9");
  absl::StatusOr<Principal> principal = AuthWithSecret(secret_);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->token_id, record.id);
  EXPECT_EQ(principal->token_name, "dashboard");
  EXPECT_EQ(principal->account_id, "acc-1");
  EXPECT_EQ(principal->customer_id, "cust-9");
  EXPECT_EQ(principal->scopes, kRead | kWrite);
  EXPECT_FALSE(principal->IsAdmin());
}

TEST_F(TokenAuthenticatorTest, SchemeIsCaseInsensitive) {
  AddToken(secret_);
  MapMetadata metadata("bearer " + secret_);
  EXPECT_TRUE(authenticator_.Authenticate(&metadata).ok());
}

TEST_F(TokenAuthenticatorTest, NoMetadataOrHeaderIsUnauthenticated) {
  AddToken(secret_);
  ExpectUnauthenticated(authenticator_.Authenticate(nullptr), secret_);
  MapMetadata empty;
  ExpectUnauthenticated(authenticator_.Authenticate(&empty), secret_);
}

TEST_F(TokenAuthenticatorTest, MalformedHeadersAreUnauthenticatedWithoutLookup) {
  AddToken(secret_);
  for (const std::string& value : std::vector<std::string>{
           "", "Basic " + secret_, "Bearer", "Bearer  ", secret_, "Bearer " + secret_ + "x",
           "Bearer xst_" + secret_.substr(4), "Bearer " + secret_.substr(0, 46) + "\xff",
           "Bearer " + std::string(5000, 'a')}) {
    MapMetadata metadata(value);
    ExpectUnauthenticated(authenticator_.Authenticate(&metadata), secret_);
  }
  EXPECT_EQ(store_.find_calls(), 0);
}

TEST_F(TokenAuthenticatorTest, UnknownTokenIsUnauthenticated) {
  AddToken(secret_);
  const std::string other = *auth::GenerateTokenSecret();
  ExpectUnauthenticated(AuthWithSecret(other), other);
}

TEST_F(TokenAuthenticatorTest, ExpiredTokenIsUnauthenticated) {
  TokenRecord record;
  record.id = "tok_00000000000000aa";
  record.secret_sha256 = *auth::HashTokenSecret(secret_);
  record.account_id = "acc-1";
  record.scopes = kRead;
  record.expires_at = clock_.Now() + absl::Seconds(10);
  ASSERT_TRUE(store_.CreateToken(record).ok());

  EXPECT_TRUE(AuthWithSecret(secret_).ok());
  clock_.Advance(absl::Seconds(9));
  EXPECT_TRUE(AuthWithSecret(secret_).ok());
  clock_.Advance(absl::Seconds(1));  // now == expires_at: expired
  ExpectUnauthenticated(AuthWithSecret(secret_), secret_);
}

TEST_F(TokenAuthenticatorTest, RevocationTakesEffectOnNextCall) {
  const TokenRecord record = AddToken(secret_);
  ASSERT_TRUE(AuthWithSecret(secret_).ok());
  ASSERT_TRUE(store_.RevokeToken(record.id).ok());
  ExpectUnauthenticated(AuthWithSecret(secret_), secret_);
}

TEST_F(TokenAuthenticatorTest, AllRejectionsShareOneMessage) {
  const std::string revoked = *auth::GenerateTokenSecret();
  ASSERT_TRUE(store_.RevokeToken(AddToken(revoked).id).ok());
  const std::string expired = *auth::GenerateTokenSecret();
  TokenRecord record = AddToken(expired);  // re-added below with an expiry
  MapMetadata none;
  std::vector<absl::Status> statuses = {
      authenticator_.Authenticate(nullptr).status(),
      authenticator_.Authenticate(&none).status(),
      AuthWithSecret("not-a-token").status(),
      AuthWithSecret(*auth::GenerateTokenSecret()).status(),
      AuthWithSecret(revoked).status(),
  };
  clock_.Advance(absl::Hours(1));
  FakeTokenStore expiring_store;
  record.expires_at = clock_.Now() - absl::Seconds(1);
  ASSERT_TRUE(expiring_store.CreateToken(record).ok());
  TokenAuthenticator expiring(&expiring_store,
                              TokenAuthenticator::Options{[this] { return clock_.Now(); }});
  MapMetadata expired_md("Bearer " + expired);
  statuses.push_back(expiring.Authenticate(&expired_md).status());

  for (const absl::Status& status : statuses) {
    EXPECT_EQ(status, absl::UnauthenticatedError("missing or invalid bearer token"));
  }
}

TEST_F(TokenAuthenticatorTest, StoreErrorIsUnavailableAndRevealsNothing) {
  AddToken(secret_);
  store_.FailWith(absl::InternalError("database is locked: SELECT ... WHERE hash=x'ab'"));
  absl::StatusOr<Principal> result = AuthWithSecret(secret_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(std::string(result.status().message()), TokenAuthenticator::kUnavailableMessage);
  EXPECT_THAT(result.status().ToString(), Not(HasSubstr(secret_.substr(4))));
  EXPECT_THAT(result.status().ToString(), Not(HasSubstr("SELECT")));
  // Unknown tokens get the same answer while the store is down: a caller
  // cannot use the outage to tell tokens apart.
  EXPECT_EQ(AuthWithSecret(*auth::GenerateTokenSecret()).status(), result.status());
  // A malformed header is still the caller's fault.
  MapMetadata bad("Basic x");
  EXPECT_EQ(authenticator_.Authenticate(&bad).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(TokenAuthenticatorTest, LastUseIsRecordedAtMostOncePerMinute) {
  const TokenRecord record = AddToken(secret_);
  ASSERT_TRUE(AuthWithSecret(secret_).ok());
  EXPECT_EQ(store_.record_use_calls(), 1);
  EXPECT_EQ(store_.FindTokenByHash(record.secret_sha256)->last_used_at, clock_.Now());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(AuthWithSecret(secret_).ok());
  EXPECT_EQ(store_.record_use_calls(), 1);
  clock_.Advance(absl::Seconds(59));
  ASSERT_TRUE(AuthWithSecret(secret_).ok());
  EXPECT_EQ(store_.record_use_calls(), 1);
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(AuthWithSecret(secret_).ok());
  EXPECT_EQ(store_.record_use_calls(), 2);
  EXPECT_EQ(store_.FindTokenByHash(record.secret_sha256)->last_used_at, clock_.Now());
}

TEST_F(TokenAuthenticatorTest, ThrottleIsPerToken) {
  const std::string other = *auth::GenerateTokenSecret();
  AddToken(secret_);
  AddToken(other);
  ASSERT_TRUE(AuthWithSecret(secret_).ok());
  ASSERT_TRUE(AuthWithSecret(other).ok());
  ASSERT_TRUE(AuthWithSecret(other).ok());
  EXPECT_EQ(store_.record_use_calls(), 2);
}

TEST_F(TokenAuthenticatorTest, RecentStoredLastUseSkipsWrite) {
  // Another replica (or this process before a restart) wrote it 10 s ago.
  TokenRecord record = AddToken(secret_);
  ASSERT_TRUE(store_.RecordTokenUse(record.id, clock_.Now() - absl::Seconds(10)).ok());
  ASSERT_TRUE(AuthWithSecret(secret_).ok());
  EXPECT_EQ(store_.record_use_calls(), 1);  // only the setup write
}

TEST_F(TokenAuthenticatorTest, FailedLastUseWriteDoesNotFailTheCall) {
  AddToken(secret_);
  store_.FailRecordUseWith(absl::UnavailableError("disk full"));
  EXPECT_TRUE(AuthWithSecret(secret_).ok());
  EXPECT_EQ(store_.record_use_calls(), 1);
}

TEST_F(TokenAuthenticatorTest, ConcurrentCallsRecordOnce) {
  AddToken(secret_);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(AuthWithSecret(secret_).ok());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(store_.record_use_calls(), 1);
}

TEST(EnsureBootstrapTokenTest, CreatesAdminTokenOnceAndIsIdempotent) {
  FakeTokenStore store;
  const std::string secret = *auth::GenerateTokenSecret();
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  ASSERT_TRUE(EnsureBootstrapToken(&store, secret + "\n", "acc-1", "bootstrap", now).ok());
  ASSERT_TRUE(EnsureBootstrapToken(&store, secret, "acc-1", "bootstrap", now).ok());
  ASSERT_TRUE(EnsureBootstrapToken(&store, secret, "acc-2", "other", now).ok());

  absl::StatusOr<std::vector<TokenRecord>> tokens = store.ListTokens();
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 1u);
  const TokenRecord& record = (*tokens)[0];
  EXPECT_TRUE(auth::IsWellFormedTokenId(record.id));
  EXPECT_EQ(record.secret_sha256, *auth::HashTokenSecret(secret));
  EXPECT_EQ(record.account_id, "acc-1");
  EXPECT_EQ(record.name, "bootstrap");
  EXPECT_TRUE(record.customer_id.empty());
  EXPECT_EQ(record.scopes, kRead | kWrite | kAdmin);
  EXPECT_EQ(record.created_at, now);
  EXPECT_EQ(record.expires_at, absl::InfiniteFuture());
  EXPECT_FALSE(record.revoked);

  TokenAuthenticator authenticator(&store);
  MapMetadata metadata("Bearer " + secret);
  absl::StatusOr<Principal> principal = authenticator.Authenticate(&metadata);
  ASSERT_TRUE(principal.ok());
  EXPECT_TRUE(principal->IsAdmin());
  EXPECT_EQ(principal->account_id, "acc-1");
}

TEST(EnsureBootstrapTokenTest, RevokedBootstrapTokenStaysRevoked) {
  FakeTokenStore store;
  const std::string secret = *auth::GenerateTokenSecret();
  ASSERT_TRUE(EnsureBootstrapToken(&store, secret, "acc-1", "bootstrap").ok());
  ASSERT_TRUE(store.RevokeToken((*store.ListTokens())[0].id).ok());
  ASSERT_TRUE(EnsureBootstrapToken(&store, secret, "acc-1", "bootstrap").ok());
  ASSERT_EQ(store.ListTokens()->size(), 1u);
  EXPECT_TRUE((*store.ListTokens())[0].revoked);
}

TEST(EnsureBootstrapTokenTest, RejectsBadInputWithoutEchoingTheSecret) {
  FakeTokenStore store;
  const std::string weak = "hunter2-hunter2-hunter2";
  absl::Status status = EnsureBootstrapToken(&store, weak, "acc-1", "bootstrap");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), Not(HasSubstr("hunter2")));
  const std::string secret = *auth::GenerateTokenSecret();
  EXPECT_EQ(EnsureBootstrapToken(&store, secret, "", "bootstrap").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EnsureBootstrapToken(&store, secret, "acc-1", "").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EnsureBootstrapToken(nullptr, secret, "acc-1", "bootstrap").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store.ListTokens()->empty());
}

TEST(EnsureBootstrapTokenTest, PropagatesStoreErrors) {
  FakeTokenStore store;
  store.FailWith(absl::UnavailableError("database is locked"));
  EXPECT_EQ(EnsureBootstrapToken(&store, *auth::GenerateTokenSecret(), "acc-1", "bootstrap").code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sessions
