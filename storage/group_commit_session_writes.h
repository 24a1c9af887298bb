// The write methods of a SessionStore (blocking and asynchronous upserts,
// read-modify-write, directory entries) over a group-commit writer, for
// every engine: the engine supplies its transaction policy and its row
// primitives (a SessionWriteTarget constructible from the policy's
// connection), and its store's overrides delegate here. One implementation
// of how a write is prepared on the caller's thread, run on the writer
// thread and completed after the commit.
#ifndef STORAGE_GROUP_COMMIT_SESSION_WRITES_H_
#define STORAGE_GROUP_COMMIT_SESSION_WRITES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/status_macros.h"
#include "storage/group_commit_writer.h"
#include "storage/session_store.h"
#include "storage/session_writes.h"

namespace sessions {

// Thread-safe (as the writer). `writer` is not owned and must outlive this.
template <typename Policy, typename Rows>
class GroupCommitSessionWrites {
 public:
  using Writer = GroupCommitWriter<Policy>;
  using Connection = typename Policy::Connection;

  explicit GroupCommitSessionWrites(Writer* writer) : writer_(writer) {}

  absl::StatusOr<UpsertResult> UpsertSessions(absl::Span<const SessionInfo> sessions) {
    ASSIGN_OR_RETURN(const std::vector<SessionRow> rows, PrepareRows(sessions));
    // The caller blocks until done, so the op may refer to its arguments.
    UpsertResult result;
    RETURN_IF_ERROR(writer_->Run([&](Connection& conn) -> absl::Status {
      Rows target(conn);
      ASSIGN_OR_RETURN(result, UpsertRows(target, rows, {}));
      return absl::OkStatus();
    }));
    return result;
  }

  void UpsertSessionsAsync(std::vector<SessionInfo> sessions,
                           SessionStore::UpsertAuthority authority,
                           SessionStore::UpsertCallback done) {
    auto upsert = std::make_shared<PendingUpsert>();
    upsert->authority = std::move(authority);
    upsert->sessions = std::move(sessions);
    absl::StatusOr<std::vector<SessionRow>> rows = PrepareRows(upsert->sessions);
    if (!rows.ok()) return done(rows.status());
    upsert->rows = *std::move(rows);
    upsert->done = std::move(done);
    Submit(std::move(upsert));
  }

  void UpsertSessionAsync(const SessionInfo& session, SessionStore::UpsertAuthority authority,
                          SessionStore::UpsertCallback done) {
    // `session` outlives the write (the caller's contract): no copy of it.
    auto upsert = std::make_shared<PendingUpsert>();
    upsert->authority = std::move(authority);
    absl::StatusOr<std::vector<SessionRow>> rows = PrepareRows(absl::MakeConstSpan(&session, 1));
    if (!rows.ok()) return done(rows.status());
    upsert->rows = *std::move(rows);
    upsert->done = std::move(done);
    Submit(std::move(upsert));
  }

  absl::StatusOr<int64_t> UpdateSession(const std::string& account_id,
                                        const std::string& session_id,
                                        const std::function<absl::Status(SessionInfo*)>& mutate) {
    int64_t revision = 0;
    RETURN_IF_ERROR(writer_->Run([&](Connection& conn) -> absl::Status {
      Rows target(conn);
      ASSIGN_OR_RETURN(revision, UpdateRow(target, account_id, session_id, mutate));
      return absl::OkStatus();
    }));
    return revision;
  }

  void UpdateSessionAsync(std::string account_id, std::string session_id,
                          SessionStore::MutateFn mutate, SessionStore::RevisionCallback done) {
    // Written by the op on the writer thread, read by `done` after the commit.
    auto revision = std::make_shared<int64_t>(0);
    writer_->Submit(
        [account_id = std::move(account_id), session_id = std::move(session_id),
         mutate = std::move(mutate), revision](Connection& conn) -> absl::Status {
          Rows target(conn);
          ASSIGN_OR_RETURN(*revision, UpdateRow(target, account_id, session_id, mutate));
          return absl::OkStatus();
        },
        [revision, done = std::move(done)](absl::Status status) {
          if (status.ok()) {
            done(*revision);
          } else {
            done(std::move(status));
          }
        });
  }

  absl::Status SetCustomerParent(const std::string& account_id, const std::string& customer_id,
                                 const std::string& parent_id) {
    return writer_->Run([&](Connection& conn) {
      Rows target(conn);
      return SetCustomerParentEntry(target, account_id, customer_id, parent_id);
    });
  }

 private:
  // An async upsert between Submit and completion: the rows (prepared on
  // the caller's thread), the sessions they point into when the store owns
  // them, the writer's result and the caller's callback.
  struct PendingUpsert {
    std::vector<SessionInfo> sessions;
    std::vector<SessionRow> rows;
    SessionStore::UpsertAuthority authority;
    UpsertResult result;
    SessionStore::UpsertCallback done;
  };

  void Submit(std::shared_ptr<PendingUpsert> upsert) {
    writer_->Submit(
        [upsert](Connection& conn) -> absl::Status {
          Rows target(conn);
          ASSIGN_OR_RETURN(upsert->result, UpsertRows(target, upsert->rows, upsert->authority));
          return absl::OkStatus();
        },
        [upsert](absl::Status status) {
          if (status.ok()) {
            upsert->done(upsert->result);
          } else {
            upsert->done(std::move(status));
          }
        });
  }

  Writer* const writer_;
};

}  // namespace sessions

#endif  // STORAGE_GROUP_COMMIT_SESSION_WRITES_H_
