// One WatchActiveSessions stream's state between the live view (which
// pushes changes into it, never waiting) and the transport (which pulls
// messages at its client's pace): the snapshot still to send, the SYNCED
// marker, the changes not yet sent, bookmarks.
//
// Changes not yet sent are kept as the latest state per session, in
// revision order: a session changed again before its previous change was
// sent is sent once, with its newest state, at its newest revision (so a
// client that resumes from the last revision it got misses nothing). Past
// `max_pending` sessions waiting, the stream ends with RESOURCE_EXHAUSTED:
// the client reads too slowly to keep up and should resume or re-list.
//
// Thread-safe.
#ifndef SERVICE_WATCH_H_
#define SERVICE_WATCH_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/event_stream.h"
#include "service/live_view_entry.h"

namespace sessions {

// Which sessions a watch sees: the portal's filters plus the token's
// customer restriction (both must hold, so a restricted token never sees,
// or learns of, a session outside its subtree).
struct WatchFilter {
  std::string account_id;
  std::string customer_id;  // empty: the whole account
  std::string restrict_to;  // the token's customer; empty: none
  int64_t created_from_us = std::numeric_limits<int64_t>::min();

  bool Matches(const ViewEntry* entry) const;
  // Whether a session whose last state is `entry` (ended or not matching)
  // may be announced as removed without knowing whether the client had it:
  // when the token may see it (its account, inside the token's customer
  // restriction if any). Used on resume, where the state the client last
  // saw is unknown. A session that left a restricted token's subtree while
  // the client was away is therefore not announced (the client keeps it
  // until it re-lists): telling would reveal a session outside the subtree.
  bool MayAnnounceRemoval(const ViewEntry& entry) const;
};

struct WatchOptions {
  // Sessions per SNAPSHOT message.
  int snapshot_chunk = 100;
  // Sessions with a change waiting to be sent, past which the stream ends.
  int max_pending = 10000;
  // An idle stream gets a BOOKMARK this often.
  absl::Duration bookmark_interval = absl::Seconds(10);
  // A stream ends (UNAVAILABLE) after this long, so that long-lived clients
  // spread over replicas again as they reconnect (as the Kubernetes API
  // server's watch timeout does); they resume from their last revision.
  absl::Duration max_lifetime = absl::Minutes(30);
};

// Counters shared by every watch of a view.
struct WatchCounters {
  std::atomic<int64_t> events_sent{0};  // messages popped by transports
  std::atomic<int64_t> coalesced{0};    // changes replaced by a newer one unsent
  std::atomic<int64_t> overflowed{0};   // streams ended RESOURCE_EXHAUSTED
  std::atomic<int64_t> bookmarks_sent{0};
};

class Watch final : public EventStream {
 public:
  // A watch that starts with `snapshot` (the matching sessions at
  // `revision`, in order), or, with `resume`, without one: the changes after
  // `revision` come first through Replay(), then FinishReplay().
  Watch(WatchFilter filter, WatchOptions options, WatchCounters* counters,
        std::vector<ViewEntryPtr> snapshot, int64_t revision, bool resume, absl::Time now);

  // EventStream. Pop() fills a voice.api.app.portal.v1.WatchActiveSessionsResponse;
  // PopSerialized() writes the same message's wire form without parsing the
  // sessions (what the gRPC transport sends).
  Next Pop(google::protobuf::Message* out, absl::Status* end) override;
  Next PopSerialized(std::string* out, absl::Status* end) override;
  void SetWakeup(std::function<void()> wake) override;
  void Cancel() override;

  // The view's side; each returns whether the transport must be woken
  // (call Wake() then, outside the view's lock).
  //
  // A change the view applied: the session before and after (null: absent).
  bool OnChange(int64_t revision, absl::string_view session_id, const ViewEntry* before,
                const ViewEntryPtr& after);
  // The view reached `revision` (every change up to it was passed to
  // OnChange); a bookmark is due when the stream was idle long enough, the
  // end when the stream is older than max_lifetime.
  bool OnRevision(int64_t revision, absl::Time now);
  // Ends the stream with `status` (e.g. UNAVAILABLE at shutdown).
  bool End(absl::Status status);

  // Resume: one feed entry after the start revision, as its latest state
  // `entry` (null: ended) at `revision`.
  void Replay(int64_t revision, absl::string_view session_id, const ViewEntryPtr& entry,
              bool ended_or_unmatched_may_announce);
  // Resume: the replay reached `revision`; SYNCED follows what it queued.
  bool FinishReplay(int64_t revision);

  // Runs the transport's wake-up (no locks of the caller may be held that
  // the transport's Pop() path takes: it takes only this watch's).
  void Wake();

  // Whether the transport is gone or the stream ended (the view drops it).
  bool Finished() const;

  const WatchFilter& filter() const { return filter_; }

 private:
  // The next message, before it is rendered (Pop) or encoded (PopSerialized).
  struct Event {
    int type = 0;  // voice.api.app.portal.v1.WatchEventType
    int64_t revision = 0;
    std::vector<ViewEntryPtr> sessions;
    std::string session_id;
  };
  Next Take(Event* event, absl::Status* end);

  // A change waiting to be sent: the session's newest state (null: removed).
  struct Pending {
    int64_t revision = 0;
    ViewEntryPtr entry;
  };

  // Queues (or coalesces) a change; false if the stream overflowed.
  bool Enqueue(absl::string_view session_id, int64_t revision, ViewEntryPtr entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether Pop() has something: used to decide wake-ups.
  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends the stream with `status`, dropping everything unsent.
  void EndLocked(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool BecameReady(bool was_ready) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const WatchFilter filter_;
  const WatchOptions options_;
  WatchCounters* const counters_;
  const absl::Time started_;

  mutable absl::Mutex mu_;
  std::vector<ViewEntryPtr> snapshot_ ABSL_GUARDED_BY(mu_);
  size_t snapshot_sent_ ABSL_GUARDED_BY(mu_) = 0;
  // Changes at or below it are covered by the snapshot or the replay.
  int64_t floor_ ABSL_GUARDED_BY(mu_);
  bool replaying_ ABSL_GUARDED_BY(mu_);
  bool synced_sent_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, Pending> pending_ ABSL_GUARDED_BY(mu_);
  // (revision, session) of every pending change: the send order. Keyed by
  // both, since a re-list may announce several removals at one revision.
  absl::btree_set<std::pair<int64_t, std::string>> order_ ABSL_GUARDED_BY(mu_);
  int64_t latest_revision_ ABSL_GUARDED_BY(mu_);
  int64_t last_sent_revision_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sent_ ABSL_GUARDED_BY(mu_);
  bool bookmark_due_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status end_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;

  // Separate from mu_ so that Wake() never runs under it.
  absl::Mutex wake_mu_;
  std::function<void()> wake_ ABSL_GUARDED_BY(wake_mu_);
};

}  // namespace sessions

#endif  // SERVICE_WATCH_H_
