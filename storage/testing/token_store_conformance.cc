#include "storage/testing/token_store_conformance.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace sessions {
namespace testutil {
namespace {

absl::Time T(int seconds) { return TokenTime(seconds); }
TokenRecord Token(const std::string& id, char hash_byte, int created) {
  return TestToken(id, hash_byte, created);
}

}  // namespace

absl::Time TokenTime(int seconds) { return absl::FromUnixSeconds(1795000000 + seconds); }

TokenRecord TestToken(const std::string& id, char hash_byte, int created) {
  TokenRecord token;
  token.id = id;
  token.secret_sha256 = std::string(32, hash_byte);
  token.secret_sha256[0] = '\0';  // raw bytes, not text
  token.account_id = "acct-1";
  token.name = "token " + id;
  token.scopes = 3;
  token.created_at = TokenTime(created);
  return token;
}

std::string EngineName(const ::testing::TestParamInfo<TokenStoreEngine>& info) {
  return info.param.name;
}

void TokenStoreConformanceTest::SetUp() {
  database_ = GetParam().new_database();
  absl::StatusOr<std::unique_ptr<TokenStore>> store = GetParam().open(database_);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
}

TEST_P(TokenStoreConformanceTest, CreateFindListRevoke) {
  TokenRecord a = Token("tok_a", 'a', 2);
  a.customer_id = "cust-1";
  a.expires_at = T(1000);
  ASSERT_TRUE(store_->CreateToken(a).ok());
  ASSERT_TRUE(store_->CreateToken(Token("tok_b", 'b', 1)).ok());

  absl::StatusOr<TokenRecord> found = store_->FindTokenByHash(a.secret_sha256);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, "tok_a");
  EXPECT_EQ(found->secret_sha256, a.secret_sha256);
  EXPECT_EQ(found->account_id, "acct-1");
  EXPECT_EQ(found->customer_id, "cust-1");
  EXPECT_EQ(found->name, "token tok_a");
  EXPECT_EQ(found->scopes, 3u);
  EXPECT_EQ(found->created_at, T(2));
  EXPECT_EQ(found->expires_at, T(1000));
  EXPECT_EQ(found->last_used_at, absl::InfinitePast());
  EXPECT_FALSE(found->revoked);

  absl::StatusOr<TokenRecord> b = store_->FindTokenByHash(Token("", 'b', 0).secret_sha256);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->expires_at, absl::InfiniteFuture());

  absl::StatusOr<std::vector<TokenRecord>> all = store_->ListTokens();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "tok_b");  // created first
  EXPECT_EQ((*all)[1].id, "tok_a");

  ASSERT_TRUE(store_->RevokeToken("tok_a").ok());
  ASSERT_TRUE(store_->RevokeToken("tok_a").ok());  // idempotent
  EXPECT_TRUE(store_->FindTokenByHash(a.secret_sha256)->revoked);
}

TEST_P(TokenStoreConformanceTest, Errors) {
  ASSERT_TRUE(store_->CreateToken(Token("tok_a", 'a', 1)).ok());
  EXPECT_EQ(store_->CreateToken(Token("tok_a", 'z', 1)).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateToken(Token("tok_z", 'a', 1)).code(), absl::StatusCode::kAlreadyExists);
  TokenRecord short_hash = Token("tok_s", 's', 1);
  short_hash.secret_sha256 = "abc";
  EXPECT_EQ(store_->CreateToken(short_hash).code(), absl::StatusCode::kInvalidArgument);
  TokenRecord no_account = Token("tok_n", 'n', 1);
  no_account.account_id.clear();
  EXPECT_EQ(store_->CreateToken(no_account).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->FindTokenByHash(std::string(32, 'q')).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokeToken("tok_nope").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RecordTokenUse("tok_nope", T(5)).code(), absl::StatusCode::kNotFound);
  // The failed creates stored nothing.
  EXPECT_EQ(store_->ListTokens()->size(), 1u);
}

TEST_P(TokenStoreConformanceTest, RecordTokenUseIsCoarse) {
  TokenRecord a = Token("tok_a", 'a', 0);
  ASSERT_TRUE(store_->CreateToken(a).ok());
  ASSERT_TRUE(store_->RecordTokenUse("tok_a", T(100)).ok());
  EXPECT_EQ(store_->FindTokenByHash(a.secret_sha256)->last_used_at, T(100));
  ASSERT_TRUE(store_->RecordTokenUse("tok_a", T(130)).ok());  // within a minute
  EXPECT_EQ(store_->FindTokenByHash(a.secret_sha256)->last_used_at, T(100));
  ASSERT_TRUE(store_->RecordTokenUse("tok_a", T(160)).ok());
  EXPECT_EQ(store_->FindTokenByHash(a.secret_sha256)->last_used_at, T(160));
}

TEST_P(TokenStoreConformanceTest, AnotherProcessSeesEveryWrite) {
  absl::StatusOr<std::unique_ptr<TokenStore>> other = GetParam().open(database_);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE((*other)->CreateToken(Token("tok_cli", 'c', 1)).ok());
  EXPECT_EQ(store_->FindTokenByHash(Token("", 'c', 0).secret_sha256)->id, "tok_cli");
  ASSERT_TRUE(store_->RevokeToken("tok_cli").ok());
  EXPECT_TRUE((*other)->ListTokens()->at(0).revoked);
}

TEST_P(TokenStoreConformanceTest, ConcurrentLookupsAndUses) {
  constexpr int kTokens = 8;
  for (int i = 0; i < kTokens; ++i) {
    ASSERT_TRUE(
        store_->CreateToken(Token(absl::StrCat("tok_", i), static_cast<char>('a' + i), i)).ok());
  }
  std::vector<std::thread> threads;
  std::vector<int> failures(kTokens, 0);
  for (int i = 0; i < kTokens; ++i) {
    threads.emplace_back([&, i] {
      const std::string hash = Token("", static_cast<char>('a' + i), 0).secret_sha256;
      for (int n = 0; n < 50; ++n) {
        absl::StatusOr<TokenRecord> found = store_->FindTokenByHash(hash);
        if (!found.ok() || found->id != absl::StrCat("tok_", i)) ++failures[i];
        if (!store_->RecordTokenUse(found.ok() ? found->id : "", T(100 + n * 60)).ok()) {
          ++failures[i];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kTokens; ++i) EXPECT_EQ(failures[i], 0) << "token " << i;
  const absl::StatusOr<std::vector<TokenRecord>> tokens = store_->ListTokens();
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), static_cast<size_t>(kTokens));
  for (const TokenRecord& token : *tokens) {
    EXPECT_EQ(token.last_used_at, T(100 + 49 * 60)) << token.id;
  }
}

}  // namespace testutil
}  // namespace sessions
