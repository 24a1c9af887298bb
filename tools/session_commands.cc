#include "tools/session_commands.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/progress_meter.h"
#include "tools/session_io.h"

ABSL_FLAG(std::string, server, "", "import, watch: gRPC address of the running server (HOST:PORT)");
ABSL_FLAG(std::string, token_file, "",
          "import, watch: file holding a bearer token (sessions:write to import, sessions:read "
          "to watch; else env SESSIONS_TOKEN)");
ABSL_FLAG(std::string, output, "", "export: write to this file instead of stdout");
ABSL_FLAG(std::string, progress, "auto",
          "import/export: show progress (count, rate, ETA) on stderr: auto (when stderr is a "
          "terminal), always, never");

namespace sessions::tools {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<bool> ProgressWanted() {
  const std::string mode = absl::GetFlag(FLAGS_progress);
  if (mode == "auto") return ProgressMeter::StderrIsTerminal();
  if (mode == "always") return true;
  if (mode == "never") return false;
  return absl::InvalidArgumentError("--progress: must be auto, always or never");
}

}  // namespace

absl::StatusOr<std::string> ServerToken(absl::string_view command) {
  const std::string file = absl::GetFlag(FLAGS_token_file);
  if (!file.empty()) {
    absl::StatusOr<std::string> token = ReadFile(file);
    if (!token.ok()) return token.status();
    return std::string(absl::StripAsciiWhitespace(*token));
  }
  if (const char* env = std::getenv("SESSIONS_TOKEN"); env != nullptr && *env != '\0') return env;
  return absl::InvalidArgumentError(
      absl::StrCat(command, " needs a token: --token_file=FILE or SESSIONS_TOKEN"));
}

std::string ImportCommand::Summary() const {
  return "load sessions from a JSON file ({\"sessions\":[...]}) through the ingest API";
}

absl::Status ImportCommand::Run(const std::vector<std::string>& args,
                                const CommandContext& context) {
  if (args.size() != 1) return absl::InvalidArgumentError("import takes exactly one FILE");
  const std::string server = absl::GetFlag(FLAGS_server);
  if (server.empty()) return absl::InvalidArgumentError("import needs --server=HOST:PORT");
  absl::StatusOr<std::string> token = ServerToken("import");
  if (!token.ok()) return token.status();
  absl::StatusOr<std::string> json = ReadFile(args[0]);
  if (!json.ok()) return json.status();
  absl::StatusOr<std::vector<SessionInfo>> sessions = ParseSessionsJson(*json);
  if (!sessions.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(args[0], ": ", sessions.status().message()));
  }
  auto stub = voice::api::sessions::v1::SessionIngestService::NewStub(
      grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));
  absl::StatusOr<bool> show = ProgressWanted();
  if (!show.ok()) return show.status();
  ProgressMeter meter("import", static_cast<int64_t>(sessions->size()), context.err, *show);
  absl::StatusOr<ImportResult> result =
      ImportSessions(*sessions, stub.get(), *token, [&meter](int64_t done) { meter.Update(done); });
  meter.Finish(result.ok() ? static_cast<int64_t>(sessions->size()) : 0);
  if (!result.ok()) return result.status();
  *context.out << "imported " << sessions->size() << " sessions: " << result->applied
               << " applied, " << result->stale << " stale (older than stored)\n";
  return absl::OkStatus();
}

std::string ExportCommand::Summary() const {
  return "write every stored session as JSON ({\"sessions\":[...]})";
}

absl::Status ExportCommand::Run(const std::vector<std::string>& args,
                                const CommandContext& context) {
  if (!args.empty()) return absl::InvalidArgumentError("export takes no arguments");
  if (!context.session_store) return absl::InternalError("no session store");
  absl::StatusOr<SessionStore*> store = context.session_store();
  if (!store.ok()) return store.status();
  absl::StatusOr<bool> show = ProgressWanted();
  if (!show.ok()) return show.status();
  ProgressMeter meter("export", /*total=*/0, context.err, *show);
  absl::StatusOr<std::vector<SessionInfo>> sessions =
      ExportSessions(*store, [&meter](int64_t done) { meter.Update(done); });
  meter.Finish(sessions.ok() ? static_cast<int64_t>(sessions->size()) : 0);
  if (!sessions.ok()) return sessions.status();
  const std::string json = SessionsToJson(*sessions);
  const std::string output = absl::GetFlag(FLAGS_output);
  if (output.empty()) {
    *context.out << json;
    return absl::OkStatus();
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out << json;
  if (!out.good()) return absl::UnavailableError(absl::StrCat("cannot write ", output));
  *context.err << "exported " << sessions->size() << " sessions to " << output << "\n";
  return absl::OkStatus();
}

}  // namespace sessions::tools
