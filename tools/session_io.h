// Moving sessions in and out of the service as JSON files in the original
// API's response shape (`{"sessions":[...]}`, camelCase, enums by their C#
// names): what `sessionsctl import` and `sessionsctl export` use. Import
// goes through the ingest API of a running server (so validation, auth and
// durability are the server's); export reads the database file.
#ifndef TOOLS_SESSION_IO_H_
#define TOOLS_SESSION_IO_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/session_store.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

namespace sessions::tools {

// Parses a `{"sessions":[...]}` document. INVALID_ARGUMENT with the parse
// error's offset or the offending field.
absl::StatusOr<std::vector<SessionInfo>> ParseSessionsJson(absl::string_view json);

// Writes sessions in the same shape (the REST API's JSON dialect).
std::string SessionsToJson(const std::vector<SessionInfo>& sessions);

struct ImportResult {
  int applied = 0;
  int stale = 0;
};

// Gets the number of sessions done so far.
using ProgressFn = std::function<void(int64_t done)>;

// Sends `sessions` with BatchUpsertSessions in batches of `batch_size`,
// authenticated with `token`, calling `progress` (if set) after each batch.
// Stops at the first failed batch (earlier batches stay written: each batch
// is atomic on its own).
absl::StatusOr<ImportResult> ImportSessions(
    const std::vector<SessionInfo>& sessions,
    voice::api::sessions::v1::SessionIngestService::StubInterface* stub, const std::string& token,
    const ProgressFn& progress = nullptr, int batch_size = 500);

// Returns every stored session (ended ones too) in store order, calling
// `progress` (if set) as they are read.
absl::StatusOr<std::vector<SessionInfo>> ExportSessions(SessionStore* store,
                                                        const ProgressFn& progress = nullptr);

}  // namespace sessions::tools

#endif  // TOOLS_SESSION_IO_H_
