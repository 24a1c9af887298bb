#include "service/watch_registry.h"

#include <algorithm>
#include <utility>

namespace sessions {

void WatchRegistry::Add(std::shared_ptr<Watch> watch) {
  absl::MutexLock lock(&mu_);
  by_account_[watch->filter().account_id].push_back(std::move(watch));
}

void WatchRegistry::OnChange(const std::string& account_id, int64_t revision,
                             absl::string_view session_id, const ViewEntry* before,
                             const ViewEntryPtr& after, WatchList* wake) {
  absl::MutexLock lock(&mu_);
  auto watches = by_account_.find(account_id);
  if (watches == by_account_.end()) return;
  for (const auto& watch : watches->second) {
    if (watch->OnChange(revision, session_id, before, after)) wake->push_back(watch);
  }
}

WatchRegistry::WatchList WatchRegistry::EndAll(const absl::Status& status) {
  WatchList wake;
  absl::MutexLock lock(&mu_);
  for (const auto& [account, watches] : by_account_) {
    for (const auto& watch : watches) {
      if (watch->End(status)) wake.push_back(watch);
    }
  }
  return wake;
}

WatchRegistry::WatchList WatchRegistry::Tick(int64_t revision, absl::Time now, int64_t* open) {
  WatchList wake;
  *open = 0;
  absl::MutexLock lock(&mu_);
  for (auto account = by_account_.begin(); account != by_account_.end();) {
    WatchList& watches = account->second;
    watches.erase(std::remove_if(watches.begin(), watches.end(),
                                 [](const auto& watch) { return watch->Finished(); }),
                  watches.end());
    for (const auto& watch : watches) {
      if (watch->OnRevision(revision, now)) wake.push_back(watch);
    }
    *open += static_cast<int64_t>(watches.size());
    if (watches.empty()) {
      by_account_.erase(account++);
    } else {
      ++account;
    }
  }
  return wake;
}

}  // namespace sessions
