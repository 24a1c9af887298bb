#include "tools/session_io.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "gateway/codec/field_index.h"
#include "gateway/codec/json_body_parser.h"
#include "gateway/codec/json_writer.h"
#include "grpcpp/client_context.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions::tools {
namespace {
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;
}  // namespace

absl::StatusOr<std::vector<SessionInfo>> ParseSessionsJson(absl::string_view json) {
  static const auto* index = new gateway::FieldIndex(GetActiveSessionsResponse::descriptor());
  GetActiveSessionsResponse document;
  absl::Status parsed = gateway::MergeJsonBody(json, "*", *index, &document);
  if (!parsed.ok()) return parsed;
  return std::vector<SessionInfo>(document.sessions().begin(), document.sessions().end());
}

std::string SessionsToJson(const std::vector<SessionInfo>& sessions) {
  GetActiveSessionsResponse document;
  for (const SessionInfo& session : sessions) *document.add_sessions() = session;
  std::string out;
  gateway::JsonWriter::Write(document, &out);
  out += "\n";
  return out;
}

absl::StatusOr<ImportResult> ImportSessions(
    const std::vector<SessionInfo>& sessions,
    voice::api::sessions::v1::SessionIngestService::StubInterface* stub, const std::string& token,
    const ProgressFn& progress, int batch_size) {
  ImportResult result;
  for (size_t begin = 0; begin < sessions.size(); begin += batch_size) {
    const size_t end = std::min(sessions.size(), begin + batch_size);
    voice::api::sessions::v1::BatchUpsertSessionsRequest request;
    for (size_t i = begin; i < end; ++i) *request.add_sessions() = sessions[i];
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    voice::api::sessions::v1::BatchUpsertSessionsResponse response;
    grpc::Status status = stub->BatchUpsertSessions(&context, request, &response);
    if (!status.ok()) {
      return absl::Status(
          static_cast<absl::StatusCode>(status.error_code()),
          absl::StrCat("sessions ", begin, "..", end - 1, ": ", status.error_message()));
    }
    result.applied += response.applied_count();
    result.stale += response.stale_count();
    if (progress) progress(static_cast<int64_t>(end));
  }
  return result;
}

absl::StatusOr<std::vector<SessionInfo>> ExportSessions(SessionStore* store,
                                                        const ProgressFn& progress) {
  std::vector<SessionInfo> sessions;
  absl::Status status = store->ForEachSession([&](const SessionInfo& session) {
    sessions.push_back(session);
    if (progress) progress(static_cast<int64_t>(sessions.size()));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return sessions;
}

}  // namespace sessions::tools
