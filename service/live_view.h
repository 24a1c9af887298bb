// The live view: every active session of every tenant in memory, at a known
// store revision, indexed for the portal's filters (account; customer
// subtree through the breadcrumb; date_created order). It is filled by one
// consistent listing of the store at start-up and then fed by tailing the
// store's change feed after its revision: on a timer (so writes of other
// processes on the same database, e.g. `sessionsctl import`, show up within
// `poll_interval`), at once when this process asks (WhenApplied, after its
// own writes), and at once when the store hints that another process wrote
// (SessionStore::SetChangeListener: PostgreSQL's NOTIFY between replicas). Reads never touch the
// store.
//
// The model is the Kubernetes API server's watch cache: the store is the
// truth, revisions order every change, and the view is a cache of the
// store at one revision that readers can wait for.
//
//   ASSIGN_OR_RETURN(auto view, LiveView::Start(store, {}));
//   ASSIGN_OR_RETURN(int64_t revision, view->List(query, response.mutable_sessions()));
//
// Thread-safe. Reads share a lock; the tail thread takes it exclusively
// only to swap index entries it prepared (parsed) outside the lock.
#ifndef SERVICE_LIVE_VIEW_H_
#define SERVICE_LIVE_VIEW_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/worker_thread.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "service/live_view_entry.h"
#include "service/watch.h"
#include "service/watch_registry.h"
#include "storage/session_store.h"

namespace sessions {

// Counters of a LiveView.
struct LiveViewStats {
  int64_t revision = 0;               // the revision the view reflects
  int64_t store_revision = 0;         // the store's, as of the last read of the feed
  int64_t sessions = 0;               // active sessions held
  int64_t data_bytes = 0;             // their serialized size
  int64_t changes_applied = 0;        // feed entries applied since start
  int64_t feed_errors = 0;            // failed reads of the feed (retried)
  bool feed_failing = false;          // the last read of the feed failed (readiness)
  int64_t unreadable = 0;             // feed entries that did not parse (left out of the view)
  int64_t relists = 0;                // full re-reads (the view fell below the horizon)
  int64_t watches = 0;                // open watch streams
  int64_t rendering_cache_bytes = 0;  // renderings cached (RenderingBudget)
  int64_t renders = 0;                // renderings made (cache misses)
  int64_t renders_uncached = 0;       // of them, not kept (budget full)
};

struct LiveViewOptions {
  // How often the tail thread reads the feed without being asked: the bound
  // on how late a write of another process appears.
  absl::Duration poll_interval = absl::Milliseconds(250);
  // Most feed entries read per store call.
  int read_batch = 1000;
  // A watch resume reads the store's changes (of every account) since its
  // start_revision, on the caller's thread; past this many the resume is
  // refused with OUT_OF_RANGE ("list again"), as a Kubernetes watch too
  // old for the watch cache is: a listing costs the view's memory, not a
  // scan of hours of every tenant's changes.
  int64_t max_resume_changes = 100000;
  // Memory for the sessions' cached renderings (REST JSON / JSV); past it
  // sessions are rendered on every read.
  int64_t rendering_cache_bytes = int64_t{256} << 20;
};

class LiveView {
 public:
  using Options = LiveViewOptions;

  // Lists the store's active sessions and starts the tail thread. `store`
  // is not owned and must outlive the view.
  static absl::StatusOr<std::unique_ptr<LiveView>> Start(SessionStore* store,
                                                         const Options& options);

  // Calls Stop().
  ~LiveView();

  LiveView(const LiveView&) = delete;
  LiveView& operator=(const LiveView&) = delete;

  // Stops the tail thread; waiting callers are released (WhenApplied
  // callbacks run, AwaitRevision returns false). Idempotent.
  void Stop();

  // Appends the active sessions matching `query` to `out`, exactly as
  // SessionStore::ListActiveSessions does at the same revision (order,
  // filters, keyset paging, limit), and returns that revision.
  // INVALID_ARGUMENT without an account, INTERNAL if an entry does not parse.
  absl::StatusOr<int64_t> List(const ActiveSessionsQuery& query,
                               google::protobuf::RepeatedPtrField<SessionInfo>* out) const;

  // As List(), but appends the entries themselves (their stored bytes and
  // cached renderings): nothing is parsed. INVALID_ARGUMENT without an
  // account.
  absl::StatusOr<int64_t> ListEntries(const ActiveSessionsQuery& query,
                                      std::vector<ViewEntryPtr>* out) const;

  // The revision the view reflects.
  int64_t revision() const;

  // Runs `then(true)` once the view reflects `revision`: at once (inline)
  // when it already does, else on the tail thread, which is woken to read
  // the feed now. Runs `then(false)` instead when `deadline` passes first
  // (noticed within poll_interval) or the view stops. `then` must be quick.
  void WhenApplied(int64_t revision, absl::Time deadline, std::function<void(bool reached)> then);

  // Blocks until WhenApplied() would call back; returns `reached`. For
  // callers that may block (tests, tools).
  bool AwaitRevision(int64_t revision, absl::Time deadline);

  LiveViewStats stats() const;

  // Starts a watch (WatchActiveSessions) of the sessions `filter` matches.
  // With `start_revision` 0 it begins with a snapshot of them now;
  // otherwise it resumes after `start_revision` from the store's change
  // feed (this blocks for that read). OUT_OF_RANGE naming the horizon when
  // `start_revision` is older than it, or when more than
  // max_resume_changes changes followed it; UNAVAILABLE after Stop().
  absl::StatusOr<std::shared_ptr<Watch>> StartWatch(WatchFilter filter, int64_t start_revision,
                                                    const WatchOptions& options);

  // Ends every open watch with `status` and refuses new ones (UNAVAILABLE)
  // from then on: shutdown, where clients resume elsewhere with their last
  // revision.
  void EndWatches(const absl::Status& status);

  // Counters of every watch of this view.
  const WatchCounters& watch_counters() const { return watches_.counters(); }

 private:
  // (date_created, id): the portal's order. `id` points into the entry.
  struct OrderKey {
    int64_t created_us;
    absl::string_view id;
    bool operator<(const OrderKey& o) const {
      return created_us != o.created_us ? created_us < o.created_us : id < o.id;
    }
  };
  using OrderedEntries = absl::btree_map<OrderKey, const ViewEntry*>;
  struct AccountSessions {
    absl::flat_hash_map<absl::string_view, ViewEntryPtr> by_id;  // keys point into entries
    OrderedEntries all;
    absl::flat_hash_map<std::string, OrderedEntries> by_customer;
  };
  // A feed entry parsed outside the lock: the new entry, or none when the
  // session ended.
  struct PreparedChange {
    std::string account_id;
    std::string session_id;
    int64_t revision = 0;
    ViewEntryPtr entry;
  };

  LiveView(SessionStore* store, const Options& options);

  // Reads the feed until caught up with the store and applies it.
  void CatchUp();
  // Replaces the whole view with a fresh listing: at start-up, and after
  // OUT_OF_RANGE (which also ends every open watch: "list again").
  absl::Status Relist();
  // Applies `changes` (telling the watches, if `notify_watches`); returns
  // the watches to wake.
  std::vector<std::shared_ptr<Watch>> Apply(const std::vector<PreparedChange>& changes,
                                            int64_t revision, bool notify_watches)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Bookmarks due, finished watches dropped.
  void TickWatches();
  // Reads the feed after `start_revision` into a resuming watch.
  absl::Status ReplayInto(Watch& watch, int64_t start_revision);
  // The entries of `account_id` (of `customer_id`'s subtree when it is set)
  // in the portal's order, and their account; null when there are none.
  const OrderedEntries* Ordered(const std::string& account_id, const std::string& customer_id,
                                const AccountSessions** account) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void Insert(ViewEntryPtr entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Erase(const ViewEntry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunReadyWaiters();
  void TailLoop();
  // Makes the tail thread read the feed now.
  void WakeTail();

  SessionStore* const store_;
  Options options_;  // read_batch, max_resume_changes clamped to >= 1; then constant
  const std::shared_ptr<RenderingBudget> rendering_budget_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, AccountSessions> accounts_ ABSL_GUARDED_BY(mu_);
  int64_t revision_ ABSL_GUARDED_BY(mu_) = 0;
  LiveViewStats stats_ ABSL_GUARDED_BY(mu_);
  struct Waiter {
    absl::Time deadline;
    std::function<void(bool reached)> then;
  };
  std::multimap<int64_t, Waiter> waiters_ ABSL_GUARDED_BY(mu_);  // by revision
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;  // EndWatches(): no new watches

  // Its lock is taken inside mu_ (Apply) or alone; never the other way round.
  WatchRegistry watches_;

  // Separate from mu_: waking the tail thread never waits for readers.
  std::atomic<bool> listener_removed_{false};
  absl::Mutex wake_mu_;
  bool wake_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(wake_mu_) = false;

  std::optional<WorkerThread> tail_thread_;
};

}  // namespace sessions

#endif  // SERVICE_LIVE_VIEW_H_
