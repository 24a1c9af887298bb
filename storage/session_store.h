// The storage boundary of the Active Sessions service: what the service
// needs from a database, independent of the engine. Engines:
// storage/sqlite/ (one file, one process) and storage/postgres/ (stateless
// replicas on a shared database).
#ifndef STORAGE_SESSION_STORE_H_
#define STORAGE_SESSION_STORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "storage/store_stats.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions {

using ::voice::api::sessions::v1::SessionInfo;

// Filters of an active-sessions listing. Active means `ended == false`.
struct ActiveSessionsQuery {
  // Required: the tenant whose sessions are listed.
  std::string account_id;
  // Optional: keeps sessions of this customer or with it in their
  // customer_breadcrumb (sub-customers). Empty: no filter.
  std::string customer_id;
  // Optional: also keeps only sessions of this customer's subtree (a
  // customer-restricted token's restriction). Applied together with
  // `customer_id`, a customer outside it answers nothing, exactly as a
  // customer that does not exist: the answer never tells which.
  std::string within_customer_id;
  // Optional: keeps sessions with date_created >= this instant.
  absl::Time created_at_or_after = absl::InfinitePast();
  // Keyset paging: when `after_id` is set, returns only sessions ordered
  // after (after_created, after_id).
  absl::Time after_created = absl::InfinitePast();
  std::string after_id;
  // Maximum number of sessions to return; 0 means no limit.
  int limit = 0;

  // The listing's keyset bounds for SQL engines, in Unix microseconds: rows
  // after (cursor_us, after_id) with created_us >= lower_us. Without a
  // cursor, (INT64_MIN, "") precedes every row (ids are non-empty). Rows
  // after the cursor have created_us >= cursor_us, so lower_us is the
  // larger of the two lower bounds: an index range then starts at the right
  // place whichever bound the planner uses.
  struct MicrosBounds {
    int64_t lower_us;
    int64_t cursor_us;
  };
  MicrosBounds Bounds() const;

  // The customer whose subtree the listing reads: customer_id, else
  // within_customer_id (empty: the whole account).
  const std::string& listed_customer() const {
    return customer_id.empty() ? within_customer_id : customer_id;
  }
  // The customer whose subtree further bounds it; nullptr when the bound
  // adds nothing.
  const std::string* bounding_customer() const {
    return within_customer_id.empty() || within_customer_id == listed_customer()
               ? nullptr
               : &within_customer_id;
  }
};

// Result of one upsert batch.
struct UpsertResult {
  int applied = 0;
  // Writes ignored because their date_last_modified was older than the
  // stored session's.
  int stale = 0;
  // The revision of the last applied session (0 when none was applied).
  int64_t revision = 0;
};

// One entry of the change feed: a session as of its last change. Every
// committed change of a session (upsert, end, log entry, member change)
// gives it a new store-wide revision; revisions strictly increase in commit
// order, so "everything after R" is all a reader needs to catch up from R.
// Views point into the store's buffers: valid only during the visit.
struct SessionChange {
  int64_t revision = 0;
  absl::string_view account_id;
  absl::string_view session_id;
  bool ended = false;
  // The serialized SessionInfo (ended sessions included).
  absl::string_view data;
};

// Where a read of the change feed left off.
struct FeedPosition {
  // Every change at or below this revision is reflected in what was read.
  int64_t revision = 0;
  // The compaction horizon: ended sessions up to this revision may have been
  // purged, so changes after R are complete only for R >= horizon.
  int64_t horizon = 0;
};

// Storage of sessions. Implementations are thread-safe: any number of
// concurrent readers and writers.
//
// Every write is atomic (all of it or nothing) and durable once it returns
// OK (or its callback gets OK). Writes are visible to every read that starts
// after they return.
//
// Write errors: INVALID_ARGUMENT (a session without account_id/id or with an
// unparsable date_created/date_last_modified), NOT_FOUND, the mutate
// callback's own error, UNAVAILABLE (database locked past busy_timeout, or
// the store is closing), INTERNAL (message free of SQL and paths).
class SessionStore {
 public:
  using UpsertCallback = std::function<void(absl::StatusOr<UpsertResult>)>;
  using MutateFn = std::function<absl::Status(SessionInfo*)>;
  // Gets the revision of the write, or its error.
  using RevisionCallback = std::function<void(absl::StatusOr<int64_t>)>;
  using ChangeVisitor = std::function<absl::Status(const SessionChange&)>;
  // Inspects the stored version of a session a write is about to replace,
  // inside the write's transaction (so nothing can change it between the
  // check and the write); an error refuses the whole write. Runs on the
  // store's writer thread: quick and self-contained.
  using StoredCheck = std::function<absl::Status(const SessionInfo& stored)>;

  // Whom an upsert is written for, as the store enforces it inside the
  // write's transaction.
  //
  // The store keeps a customer directory per account (customer -> parent).
  // A session's customer path is its breadcrumb ids, root first, then its
  // customer_id (when not already the last breadcrumb entry).
  struct UpsertAuthority {
    // Empty: an account-level (or admin) writer, trusted on the customer
    // tree: the path of every session it writes is recorded in the
    // directory (each entry's parent is the entry before it).
    //
    // Set: the customer a restricted writer is limited to. Every session it
    // writes must end its path with a customer the directory knows, that
    // customer's directory path must contain this one (else
    // PERMISSION_DENIED "customer_id: outside the customer this token is
    // restricted to", whether the customer is unknown or another's), and
    // its own path must be the directory's (else INVALID_ARGUMENT naming
    // customer_breadcrumb and the expected path). Its writes teach nothing.
    std::string restricted_to_customer;
    // May be empty; see StoredCheck.
    StoredCheck check_stored;
  };

  virtual ~SessionStore() = default;

  // Appends the active sessions matching `query` to `out`, ordered by
  // date_created ascending, then id. Returns INTERNAL on database errors
  // (message free of SQL and paths).
  virtual absl::Status ListActiveSessions(const ActiveSessionsQuery& query,
                                          google::protobuf::RepeatedPtrField<SessionInfo>* out) = 0;

  // Returns the session (active or ended), or NOT_FOUND.
  virtual absl::StatusOr<SessionInfo> GetSession(const std::string& account_id,
                                                 const std::string& session_id) = 0;

  // Creates or replaces every session in one transaction, keyed by
  // (account_id, id). A session whose date_last_modified is older than the
  // stored one is skipped and counted as stale; an equal or newer one
  // replaces it. The caller has validated the sessions (ids, dates). Written
  // with an account-level UpsertAuthority (tools, demo data, imports).
  virtual absl::StatusOr<UpsertResult> UpsertSessions(absl::Span<const SessionInfo> sessions) = 0;

  // Reads the session, lets `mutate` change it, and writes it back, all in
  // one transaction; returns the write's revision. If `mutate` returns an
  // error, nothing is written and that error is returned. NOT_FOUND if the
  // session does not exist.
  virtual absl::StatusOr<int64_t> UpdateSession(
      const std::string& account_id, const std::string& session_id,
      const std::function<absl::Status(SessionInfo*)>& mutate) = 0;

  // Asynchronous UpsertSessions for the callback-API service layer: returns
  // at once; `done` is called exactly once with the result. Implementations
  // may call `done` on an internal thread (the SQLite store: its completion
  // thread, after the commit), so `done` must be quick and must not make
  // blocking writes to this store. `authority` is enforced on every
  // session; its first error is the write's, and nothing of the batch is
  // written.
  virtual void UpsertSessionsAsync(std::vector<SessionInfo> sessions, UpsertAuthority authority,
                                   UpsertCallback done) = 0;

  // Asynchronous upsert of one session that the caller keeps alive and
  // unchanged until `done` runs (e.g. a field of an RPC request): the store
  // reads it in place instead of taking a copy. Same contract as
  // UpsertSessionsAsync.
  virtual void UpsertSessionAsync(const SessionInfo& session, UpsertAuthority authority,
                                  UpsertCallback done) = 0;

  // The customer's path in the account's directory, root first, ending with
  // the customer itself; NOT_FOUND if the directory does not know it.
  virtual absl::StatusOr<std::vector<std::string>> CustomerPath(const std::string& account_id,
                                                                const std::string& customer_id) = 0;

  // States one entry of the account's directory, as an account-level writer
  // would: `customer_id`'s parent is `parent_id` ("" for a root). For
  // deployments whose only writers are customer-restricted (their sessions
  // teach nothing). INVALID_ARGUMENT naming the field for an empty or equal
  // id, or a parent below the customer (a cycle).
  virtual absl::Status SetCustomerParent(const std::string& account_id,
                                         const std::string& customer_id,
                                         const std::string& parent_id) = 0;

  // Asynchronous UpdateSession; same contract for `done` as above. `mutate`
  // may run on an internal thread too; it must be quick and self-contained.
  virtual void UpdateSessionAsync(std::string account_id, std::string session_id, MutateFn mutate,
                                  RevisionCallback done) {
    done(UpdateSession(account_id, session_id, mutate));
  }

  // Calls `visit` for every stored session (all accounts, ended ones too),
  // in (account_id, date_created, id) order. Stops at the first error.
  virtual absl::Status ForEachSession(
      const std::function<absl::Status(const SessionInfo&)>& visit) = 0;

  // The change feed.
  //
  // Calls `visit` for every active session of every account, in
  // (account_id, date_created, id) order, all from one consistent snapshot,
  // and returns the revision that snapshot reflects. Stops at the first
  // error of `visit` and returns it.
  virtual absl::StatusOr<FeedPosition> ListActiveChanges(const ChangeVisitor& visit) = 0;

  // Calls `visit` for every session (ended ones too) whose last change has a
  // revision after `after_revision`, in revision order, at most `limit` of
  // them, from one consistent snapshot. The returned revision is where the
  // next call continues: the store's current revision when everything was
  // visited, the last visited revision when `limit` cut the read short.
  // OUT_OF_RANGE (naming the horizon) if `after_revision` is below the
  // compaction horizon: purged sessions are missing from the answer.
  virtual absl::StatusOr<FeedPosition> ChangesAfter(int64_t after_revision, int limit,
                                                    const ChangeVisitor& visit) = 0;

  // Retention: deletes up to one batch of the ended sessions whose last
  // change is older than the store's retention window, oldest first, in one
  // write transaction, and raises the compaction horizon to the newest
  // deleted revision. Returns how many it deleted. A background purge calls
  // this; so may tests and operators.
  virtual absl::StatusOr<int> PurgeExpired() = 0;

  // Calls `wake` soon after another process (a replica, sessionsctl)
  // committed changes, so a tailer reads them now rather than at its next
  // poll. A hint only: a notification can be lost, so tailers still poll.
  // `wake` runs on a store thread and must be quick. Replaces the previous
  // listener; nullptr removes it, and returns only once no call of the old
  // one is running. Default: no hints (the reader's poll is all there is).
  virtual void SetChangeListener(std::function<void()> wake) { (void)wake; }

  // Group-commit counters (commits vs operations).
  virtual WriterStats stats() const = 0;
  // Retention purge counters (zero when the background purge is off).
  virtual PurgeStats purge_stats() const = 0;
};

}  // namespace sessions

#endif  // STORAGE_SESSION_STORE_H_
