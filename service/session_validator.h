// Validation of everything the ingest API accepts, before it reaches the
// store: required ids, ISO-8601 dates, known enum numbers, no control
// characters but TAB, CR and LF in strings, no fields this
// server's schema does not know (they would bypass every limit below and
// reach every reader), a date_last_modified not ahead of the server's
// clock (one far in the future would make every later write stale), and
// the size limits below. Errors are INVALID_ARGUMENT whose message starts with the
// offending field's path ("session.members[2].application_data: ..."), which
// the REST gateway turns into a ServiceStack field error.
//
// Limits (documented in README "Write API"): one session, as sent or as
// log and member updates grow it, stays within max_session_bytes, so that
// any page of GetActiveSessions fits a gRPC message (4 MiB by default).
#ifndef SERVICE_SESSION_VALIDATOR_H_
#define SERVICE_SESSION_VALIDATOR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions {

struct IngestLimits {
  size_t max_id_bytes = 128;              // id, account_id, customer ids, identity
  size_t max_string_bytes = 1024;         // any other string field
  size_t max_console_data_bytes = 16384;  // SessionInfo.console_data
  size_t max_log_message_bytes = 4096;    // SessionLogInfo.message
  int max_log_entries = 500;              // per session
  int max_members = 64;                   // per session
  int max_breadcrumb_depth = 32;
  int max_application_data_entries = 32;   // per member
  int max_batch_sessions = 500;            // BatchUpsertSessions
  size_t max_session_bytes = 1024 * 1024;  // serialized, after any update
  // How far date_last_modified may be ahead of the server's clock.
  absl::Duration max_clock_skew = absl::Minutes(5);
};

// Stateless; thread-safe.
class SessionValidator {
 public:
  explicit SessionValidator(IngestLimits limits = {}) : limits_(limits) {}

  const IngestLimits& limits() const { return limits_; }

  // Checks a whole session for upsert: id, account_id and date_created
  // present; every date parses and date_last_modified is at most
  // max_clock_skew after `now`; every enum number is known; no unknown
  // field; every size limit holds. `path` prefixes field names ("session",
  // "sessions[3]").
  absl::Status ValidateSession(const voice::api::sessions::v1::SessionInfo& session,
                               absl::string_view path, absl::Time now) const;

  // Checks the size of a session an update produced. Errors:
  // RESOURCE_EXHAUSTED naming the limit.
  absl::Status ValidateMergedSize(const voice::api::sessions::v1::SessionInfo& session) const;

  // Checks one message generically (enums, string sizes, repeated counts,
  // dates in fields named date*, unknown fields). Used for log entries and
  // members.
  absl::Status ValidateMessage(const google::protobuf::Message& message,
                               absl::string_view path) const;

  // Checks a required identifier field (non-empty, <= max_id_bytes).
  absl::Status ValidateId(absl::string_view value, absl::string_view path) const;

  // Checks an optional ISO-8601 date field.
  static absl::Status ValidateDate(absl::string_view value, absl::string_view path);

 private:
  absl::Status ValidateField(const google::protobuf::Message& message,
                             const google::protobuf::FieldDescriptor& field,
                             const std::string& path) const;
  absl::Status ValidateString(const google::protobuf::FieldDescriptor& field,
                              const std::string& value, const std::string& path) const;
  int MaxRepeated(const google::protobuf::FieldDescriptor& field) const;

  IngestLimits limits_;
};

}  // namespace sessions

#endif  // SERVICE_SESSION_VALIDATOR_H_
