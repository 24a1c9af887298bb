#include "service/handlers/ingest_handler.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/field_error.h"
#include "common/iso_time.h"
#include "common/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "service/auth/authorization.h"

namespace sessions {
namespace {

namespace v1 = ::voice::api::sessions::v1;

const google::protobuf::MethodDescriptor* IngestMethod(const char* name) {
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
      absl::StrCat("voice.api.sessions.v1.SessionIngestService.", name));
}

}  // namespace

SessionStore::UpsertAuthority IngestHandler::AuthorityOf(const Principal& principal) {
  SessionStore::UpsertAuthority authority;
  if (principal.customer_id.empty()) return authority;
  authority.restricted_to_customer = principal.customer_id;
  authority.check_stored = [principal](const SessionInfo& stored) {
    return auth::CheckWriteAccess(principal, stored);
  };
  return authority;
}

IngestHandler::IngestHandler(SessionStore* store, LiveView* view, std::function<absl::Time()> clock,
                             IngestLimits limits)
    : store_(store), view_(view), clock_(std::move(clock)), validator_(limits) {}

void IngestHandler::ReplyWhenVisible(int64_t revision, absl::Time deadline, DoneCallback done) {
  // Past the deadline the reply goes anyway: the write is durable, only this
  // process's view is late (sessions_live_view_lag_revisions shows it), and
  // an error would make clients retry writes that are not idempotent
  // (log entries).
  view_->WhenApplied(revision, std::min(deadline, absl::Now() + kMaxVisibilityWait),
                     [done = std::move(done)](bool) { done(absl::OkStatus()); });
}

template <typename Response>
SessionStore::RevisionCallback IngestHandler::ReplyWithRevision(const CallContext& ctx,
                                                                Response* response,
                                                                DoneCallback done) {
  return [this, deadline = ctx.deadline, response,
          done = std::move(done)](absl::StatusOr<int64_t> revision) mutable {
    if (!revision.ok()) return done(revision.status());
    response->set_revision(*revision);
    ReplyWhenVisible(*revision, deadline, std::move(done));
  };
}

absl::Status IngestHandler::CheckSession(const CallContext& ctx, const std::string& path,
                                         const SessionInfo& session) const {
  RETURN_IF_ERROR(validator_.ValidateSession(session, path, clock_()));
  return auth::CheckWriteAccess(ctx.principal, session);
}

bool IngestHandler::NeedsDefaults(const SessionInfo& session) {
  return session.account_id().empty() || session.date_last_modified().empty() ||
         (session.ended() && session.date_completed().empty());
}

absl::Status IngestHandler::PrepareSession(const CallContext& ctx, const std::string& path,
                                           SessionInfo* session) const {
  if (session->account_id().empty()) session->set_account_id(ctx.principal.account_id);
  RETURN_IF_ERROR(CheckSession(ctx, path, *session));
  if (session->date_last_modified().empty()) {
    session->set_date_last_modified(FormatIsoTime(clock_()));
  }
  if (!session->ended()) return absl::OkStatus();
  if (session->date_completed().empty()) session->set_date_completed(session->date_last_modified());
  return absl::OkStatus();
}

void IngestHandler::UpsertSession(const CallContext& ctx, const v1::UpsertSessionRequest& req,
                                  v1::UpsertSessionResponse* resp, DoneCallback done) {
  if (!req.has_session()) return done(FieldError("session", "required"));
  // The usual request needs no server-side defaults: then the store reads
  // the session straight from the request (alive until `done` runs, see
  // MethodTable::Invoke), without a copy. Otherwise a filled-in copy lives
  // until the write completes.
  std::shared_ptr<SessionInfo> filled;
  const SessionInfo* session = &req.session();
  if (NeedsDefaults(*session)) {
    filled = std::make_shared<SessionInfo>(*session);
    if (absl::Status s = PrepareSession(ctx, "session", filled.get()); !s.ok()) return done(s);
    session = filled.get();
  } else if (absl::Status s = CheckSession(ctx, "session", *session); !s.ok()) {
    return done(s);
  }
  store_->UpsertSessionAsync(*session, AuthorityOf(ctx.principal),
                             [this, resp, deadline = ctx.deadline, filled = std::move(filled),
                              done = std::move(done)](absl::StatusOr<UpsertResult> result) mutable {
                               if (!result.ok()) return done(result.status());
                               resp->set_applied(result->applied == 1);
                               resp->set_revision(result->revision);
                               ReplyWhenVisible(result->revision, deadline, std::move(done));
                             });
}

void IngestHandler::BatchUpsertSessions(const CallContext& ctx,
                                        const v1::BatchUpsertSessionsRequest& req,
                                        v1::BatchUpsertSessionsResponse* resp, DoneCallback done) {
  const int max = validator_.limits().max_batch_sessions;
  if (req.sessions_size() == 0) return done(FieldError("sessions", "empty batch"));
  if (req.sessions_size() > max) {
    return done(FieldError("sessions", absl::StrCat("more than ", max, " entries")));
  }
  std::vector<SessionInfo> batch(req.sessions().begin(), req.sessions().end());
  for (size_t i = 0; i < batch.size(); ++i) {
    const std::string path = absl::StrCat("sessions[", i, "]");
    if (absl::Status s = PrepareSession(ctx, path, &batch[i]); !s.ok()) return done(s);
  }
  store_->UpsertSessionsAsync(std::move(batch), AuthorityOf(ctx.principal),
                              [this, resp, deadline = ctx.deadline, done = std::move(done)](
                                  absl::StatusOr<UpsertResult> result) mutable {
                                if (!result.ok()) return done(result.status());
                                resp->set_applied_count(result->applied);
                                resp->set_stale_count(result->stale);
                                resp->set_revision(result->revision);
                                ReplyWhenVisible(result->revision, deadline, std::move(done));
                              });
}

void IngestHandler::Mutate(const CallContext& ctx, const std::string& account_id,
                           const std::string& session_id, SessionStore::MutateFn mutate,
                           SessionStore::RevisionCallback done) {
  absl::StatusOr<std::string> account = auth::ResolveAccount(ctx.principal, account_id);
  if (!account.ok()) return done(account.status());
  if (absl::Status s = validator_.ValidateId(session_id, "session_id"); !s.ok()) return done(s);
  const Principal principal = ctx.principal;
  const std::string now = FormatIsoTime(clock_());
  store_->UpdateSessionAsync(
      *std::move(account), session_id,
      [this, principal, now, mutate = std::move(mutate)](SessionInfo* session) {
        RETURN_IF_ERROR(auth::CheckWriteAccess(principal, *session));
        RETURN_IF_ERROR(mutate(session));
        session->set_date_last_modified(now);
        session->set_last_modified_by(principal.token_name);
        return validator_.ValidateMergedSize(*session);
      },
      std::move(done));
}

void IngestHandler::EndSession(const CallContext& ctx, const v1::EndSessionRequest& req,
                               SessionStore::RevisionCallback done) {
  if (absl::Status s = SessionValidator::ValidateDate(req.date_completed(), "date_completed");
      !s.ok()) {
    return done(s);
  }
  if (req.outcome().size() > validator_.limits().max_string_bytes) {
    return done(FieldError(
        "outcome", absl::StrCat("longer than ", validator_.limits().max_string_bytes, " bytes")));
  }
  const std::string completed =
      req.date_completed().empty() ? FormatIsoTime(clock_()) : req.date_completed();
  Mutate(
      ctx, req.account_id(), req.session_id(),
      [completed, outcome = req.outcome()](SessionInfo* session) {
        session->set_ended(true);
        session->set_date_completed(completed);
        if (!outcome.empty()) session->set_outcome(outcome);
        return absl::OkStatus();
      },
      std::move(done));
}

void IngestHandler::AppendSessionLog(const CallContext& ctx, const v1::AppendSessionLogRequest& req,
                                     SessionStore::RevisionCallback done) {
  if (!req.has_entry()) return done(FieldError("entry", "required"));
  if (absl::Status s = validator_.ValidateMessage(req.entry(), "entry"); !s.ok()) return done(s);
  v1::SessionLogInfo entry = req.entry();
  if (entry.date().empty()) entry.set_date(FormatIsoTime(clock_()));
  const int max = validator_.limits().max_log_entries;
  Mutate(
      ctx, req.account_id(), req.session_id(),
      [entry = std::move(entry), max](SessionInfo* session) {
        if (session->log_size() >= max) {
          return absl::ResourceExhaustedError(
              absl::StrCat("log: the session already has ", max, " entries"));
        }
        *session->add_log() = entry;
        return absl::OkStatus();
      },
      std::move(done));
}

void IngestHandler::UpsertSessionMember(const CallContext& ctx,
                                        const v1::UpsertSessionMemberRequest& req,
                                        SessionStore::RevisionCallback done) {
  if (!req.has_member()) return done(FieldError("member", "required"));
  if (absl::Status s = validator_.ValidateId(req.member().identity(), "member.identity"); !s.ok()) {
    return done(s);
  }
  if (absl::Status s = validator_.ValidateMessage(req.member(), "member"); !s.ok()) return done(s);
  const int max = validator_.limits().max_members;
  Mutate(
      ctx, req.account_id(), req.session_id(),
      [member = req.member(), max](SessionInfo* session) {
        for (auto& existing : *session->mutable_members()) {
          if (existing.identity() == member.identity()) {
            existing = member;
            return absl::OkStatus();
          }
        }
        if (session->members_size() >= max) {
          return absl::ResourceExhaustedError(
              absl::StrCat("members: the session already has ", max, " members"));
        }
        *session->add_members() = member;
        return absl::OkStatus();
      },
      std::move(done));
}

void IngestHandler::RemoveSessionMember(const CallContext& ctx,
                                        const v1::RemoveSessionMemberRequest& req,
                                        SessionStore::RevisionCallback done) {
  if (absl::Status s = validator_.ValidateId(req.identity(), "identity"); !s.ok()) return done(s);
  Mutate(
      ctx, req.account_id(), req.session_id(),
      [identity = req.identity()](SessionInfo* session) {
        auto* members = session->mutable_members();
        members->erase(std::remove_if(members->begin(), members->end(),
                                      [&](const auto& m) { return m.identity() == identity; }),
                       members->end());
        return absl::OkStatus();
      },
      std::move(done));
}

void IngestHandler::RegisterIn(MethodTable* table) {
  const Scope write = Scope::kSessionsWrite;
  table->RegisterAsync<v1::UpsertSessionRequest, v1::UpsertSessionResponse>(
      IngestMethod("UpsertSession"), write,
      [this](const CallContext& c, const auto& q, auto* r, DoneCallback d) {
        UpsertSession(c, q, r, std::move(d));
      });
  table->RegisterAsync<v1::BatchUpsertSessionsRequest, v1::BatchUpsertSessionsResponse>(
      IngestMethod("BatchUpsertSessions"), write,
      [this](const CallContext& c, const auto& q, auto* r, DoneCallback d) {
        BatchUpsertSessions(c, q, r, std::move(d));
      });
  table->RegisterAsync<v1::EndSessionRequest, v1::EndSessionResponse>(
      IngestMethod("EndSession"), write,
      [this](const CallContext& c, const auto& q, auto* r, DoneCallback d) {
        EndSession(c, q, ReplyWithRevision(c, r, std::move(d)));
      });
  table->RegisterAsync<v1::AppendSessionLogRequest, v1::AppendSessionLogResponse>(
      IngestMethod("AppendSessionLog"), write,
      [this](const CallContext& c, const auto& q, auto* r, DoneCallback d) {
        AppendSessionLog(c, q, ReplyWithRevision(c, r, std::move(d)));
      });
  table->RegisterAsync<v1::UpsertSessionMemberRequest, v1::UpsertSessionMemberResponse>(
      IngestMethod("UpsertSessionMember"), write,
      [this](const CallContext& c, const auto& q, auto* r, DoneCallback d) {
        UpsertSessionMember(c, q, ReplyWithRevision(c, r, std::move(d)));
      });
  table->RegisterAsync<v1::RemoveSessionMemberRequest, v1::RemoveSessionMemberResponse>(
      IngestMethod("RemoveSessionMember"), write,
      [this](const CallContext& c, const auto& q, auto* r, DoneCallback d) {
        RemoveSessionMember(c, q, ReplyWithRevision(c, r, std::move(d)));
      });
}

}  // namespace sessions
