// Core handlers of voice.api.sessions.v1.SessionIngestService: the write
// path. Each method validates (SessionValidator), checks tenant rules
// (auth::CheckWriteAccess, also against the stored session), and hands one
// atomic write to the store's group commit; the reply is sent only after the
// write is on disk and in the live view (a client reads its own writes),
// without holding a transport thread while waiting.
#ifndef SERVICE_HANDLERS_INGEST_HANDLER_H_
#define SERVICE_HANDLERS_INGEST_HANDLER_H_

#include <functional>

#include "absl/time/time.h"
#include "service/live_view.h"
#include "service/method_table.h"
#include "service/session_validator.h"
#include "storage/session_store.h"
#include "voice/api/sessions/v1/ingest.pb.h"

namespace sessions {

// Thread-safe; holds no per-call state.
class IngestHandler {
 public:
  // Longest a reply waits for the live view to show its write.
  static constexpr absl::Duration kMaxVisibilityWait = absl::Seconds(30);

  // `store` and `view` (the view fed by `store`) are not owned and must
  // outlive the handler. `clock` supplies the server-side time for
  // defaulted dates.
  IngestHandler(SessionStore* store, LiveView* view, std::function<absl::Time()> clock,
                IngestLimits limits = {});

  // Registers every SessionIngestService method (scope sessions:write).
  void RegisterIn(MethodTable* table);

 private:
  void UpsertSession(const CallContext& ctx,
                     const voice::api::sessions::v1::UpsertSessionRequest& req,
                     voice::api::sessions::v1::UpsertSessionResponse* resp, DoneCallback done);
  void BatchUpsertSessions(const CallContext& ctx,
                           const voice::api::sessions::v1::BatchUpsertSessionsRequest& req,
                           voice::api::sessions::v1::BatchUpsertSessionsResponse* resp,
                           DoneCallback done);
  // The partial writes: `done` gets the write's revision.
  void EndSession(const CallContext& ctx, const voice::api::sessions::v1::EndSessionRequest& req,
                  SessionStore::RevisionCallback done);
  void AppendSessionLog(const CallContext& ctx,
                        const voice::api::sessions::v1::AppendSessionLogRequest& req,
                        SessionStore::RevisionCallback done);
  void UpsertSessionMember(const CallContext& ctx,
                           const voice::api::sessions::v1::UpsertSessionMemberRequest& req,
                           SessionStore::RevisionCallback done);
  void RemoveSessionMember(const CallContext& ctx,
                           const voice::api::sessions::v1::RemoveSessionMemberRequest& req,
                           SessionStore::RevisionCallback done);

  // Validates a whole session and checks write access (no defaults filled).
  absl::Status CheckSession(const CallContext& ctx, const std::string& path,
                            const voice::api::sessions::v1::SessionInfo& session) const;
  // What the store enforces, inside the write's transaction, on an upsert
  // by `principal`: an account-level writer states the customer tree; a
  // customer-restricted writer's sessions must sit in its subtree per the
  // account's customer directory, and the stored version of each session
  // it replaces must be in its subtree too (so it can neither touch a
  // session outside it nor move one out).
  static SessionStore::UpsertAuthority AuthorityOf(const Principal& principal);
  // Whether PrepareSession would fill in a default (account_id, dates).
  static bool NeedsDefaults(const voice::api::sessions::v1::SessionInfo& session);
  // Validates a whole session, fills defaulted dates, checks write access.
  absl::Status PrepareSession(const CallContext& ctx, const std::string& path,
                              voice::api::sessions::v1::SessionInfo* session) const;
  // Resolves the account and session id of a partial write and runs
  // `mutate` on the stored session in one transaction (with the tenant
  // check against the stored session first).
  void Mutate(const CallContext& ctx, const std::string& account_id, const std::string& session_id,
              SessionStore::MutateFn mutate, SessionStore::RevisionCallback done);
  // Replies OK once the view reflects `revision` (at once for 0: nothing
  // was written), or at `deadline` (capped at kMaxVisibilityWait).
  void ReplyWhenVisible(int64_t revision, absl::Time deadline, DoneCallback done);
  // Adapts a partial write's result to the method table: sets the
  // response's revision and replies once the view has it.
  template <typename Response>
  SessionStore::RevisionCallback ReplyWithRevision(const CallContext& ctx, Response* response,
                                                   DoneCallback done);

  SessionStore* store_;
  LiveView* view_;
  std::function<absl::Time()> clock_;
  SessionValidator validator_;
};

}  // namespace sessions

#endif  // SERVICE_HANDLERS_INGEST_HANDLER_H_
