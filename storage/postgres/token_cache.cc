#include "storage/postgres/token_cache.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace sessions {
namespace {

absl::string_view View(std::string_view v) { return absl::string_view(v.data(), v.size()); }

}  // namespace

TokenCache::TokenCache(Options options)
    : ttl_(options.ttl),
      max_entries_(options.max_entries),
      clock_(options.clock ? std::move(options.clock)
                           : std::function<absl::Time()>([] { return absl::Now(); })) {}

std::optional<TokenRecord> TokenCache::Find(std::string_view secret_sha256, uint64_t* generation) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  *generation = generation_;
  auto it = entries_.find(View(secret_sha256));
  if (it == entries_.end()) return std::nullopt;
  if (now - it->second.read_at >= ttl_) {
    entries_.erase(it);
    return std::nullopt;
  }
  ++hits_;
  return it->second.record;
}

void TokenCache::Insert(std::string_view secret_sha256, const TokenRecord& record,
                        uint64_t generation) {
  if (ttl_ <= absl::ZeroDuration() || max_entries_ == 0) return;
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  if (generation != generation_) return;  // read before a change this cache was told of
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_.insert_or_assign(std::string(secret_sha256), Entry{record, now});
}

void TokenCache::Invalidate() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  entries_.clear();
}

void TokenCache::NoteUse(std::string_view id, absl::Time when) {
  absl::MutexLock lock(&mu_);
  for (auto& [hash, entry] : entries_) {
    if (entry.record.id == id)
      entry.record.last_used_at = std::max(entry.record.last_used_at, when);
  }
}

int64_t TokenCache::hits() const {
  absl::MutexLock lock(&mu_);
  return hits_;
}

}  // namespace sessions
