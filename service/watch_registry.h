// The open watches of a live view, by account: where the view's applied
// changes fan out, where shutdown and re-lists end them, and where
// bookmarks are scheduled. The registry never wakes a transport itself: it
// returns the watches to wake, which the caller wakes after releasing its
// own locks.
//
// Thread-safe. LiveView calls OnChange() while holding its own lock, so
// this lock always comes after the view's.
#ifndef SERVICE_WATCH_REGISTRY_H_
#define SERVICE_WATCH_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/live_view_entry.h"
#include "service/watch.h"

namespace sessions {

class WatchRegistry {
 public:
  using WatchList = std::vector<std::shared_ptr<Watch>>;

  void Add(std::shared_ptr<Watch> watch);

  // Tells the watches of `account_id` that a session changed from `before`
  // to `after` (either may be null) at `revision`; appends to `wake` those
  // that have become ready.
  void OnChange(const std::string& account_id, int64_t revision, absl::string_view session_id,
                const ViewEntry* before, const ViewEntryPtr& after, WatchList* wake);

  // Ends every watch with `status`; returns the watches to wake.
  WatchList EndAll(const absl::Status& status);

  // Drops finished watches and tells the others the view is at `revision`
  // (bookmarks, lifetimes); returns the watches to wake and sets `*open`.
  WatchList Tick(int64_t revision, absl::Time now, int64_t* open);

  // Shared by every watch of the registry.
  WatchCounters* counters() { return &counters_; }
  const WatchCounters& counters() const { return counters_; }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, WatchList> by_account_ ABSL_GUARDED_BY(mu_);
  WatchCounters counters_;
};

}  // namespace sessions

#endif  // SERVICE_WATCH_REGISTRY_H_
