// An in-memory TokenStore for tests: the same contract as the SQLite store
// (ALREADY_EXISTS on a duplicate id or hash, NOT_FOUND on unknown hashes or
// ids), plus knobs to inject failures and to count last-use writes.
//
// Thread-safety: thread-safe.
#ifndef STORAGE_TESTING_FAKE_TOKEN_STORE_H_
#define STORAGE_TESTING_FAKE_TOKEN_STORE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/token_store.h"

namespace sessions {

class FakeTokenStore final : public TokenStore {
 public:
  absl::Status CreateToken(const TokenRecord& record) override {
    absl::MutexLock lock(&mu_);
    if (!fail_with_.ok()) return fail_with_;
    for (const TokenRecord& r : records_) {
      if (r.id == record.id || r.secret_sha256 == record.secret_sha256) {
        return absl::AlreadyExistsError("token exists");
      }
    }
    records_.push_back(record);
    return absl::OkStatus();
  }

  absl::StatusOr<TokenRecord> FindTokenByHash(std::string_view secret_sha256) override {
    absl::MutexLock lock(&mu_);
    ++find_calls_;
    if (!fail_with_.ok()) return fail_with_;
    for (const TokenRecord& r : records_) {
      if (r.secret_sha256 == secret_sha256) return r;
    }
    return absl::NotFoundError("no such token");
  }

  absl::StatusOr<std::vector<TokenRecord>> ListTokens() override {
    absl::MutexLock lock(&mu_);
    if (!fail_with_.ok()) return fail_with_;
    return records_;
  }

  absl::Status RevokeToken(std::string_view id) override {
    absl::MutexLock lock(&mu_);
    if (!fail_with_.ok()) return fail_with_;
    for (TokenRecord& r : records_) {
      if (r.id == id) {
        r.revoked = true;
        return absl::OkStatus();
      }
    }
    return absl::NotFoundError("no such token");
  }

  absl::Status RecordTokenUse(std::string_view id, absl::Time when) override {
    absl::MutexLock lock(&mu_);
    ++record_use_calls_;
    if (!fail_with_.ok()) return fail_with_;
    if (!fail_record_use_with_.ok()) return fail_record_use_with_;
    for (TokenRecord& r : records_) {
      if (r.id == id) {
        r.last_used_at = when;
        return absl::OkStatus();
      }
    }
    return absl::NotFoundError("no such token");
  }

  // Makes every method return `status` (OK restores normal behaviour).
  void FailWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_with_ = std::move(status);
  }

  // Makes only RecordTokenUse return `status`.
  void FailRecordUseWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_record_use_with_ = std::move(status);
  }

  int record_use_calls() const {
    absl::MutexLock lock(&mu_);
    return record_use_calls_;
  }

  int find_calls() const {
    absl::MutexLock lock(&mu_);
    return find_calls_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<TokenRecord> records_ ABSL_GUARDED_BY(mu_);
  absl::Status fail_with_ ABSL_GUARDED_BY(mu_);
  absl::Status fail_record_use_with_ ABSL_GUARDED_BY(mu_);
  int record_use_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int find_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sessions

#endif  // STORAGE_TESTING_FAKE_TOKEN_STORE_H_
