#include "tools/watch_command.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/live_sessions.h"
#include "tools/session_commands.h"
#include "tools/token_commands.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"

ABSL_FLAG(std::string, format, "auto",
          "watch: table (refreshed in place), lines (one per change), or auto (table on a "
          "terminal)");
ABSL_FLAG(int64_t, max_changes, 0,
          "watch: stop after this many upserts and removes (0: run until interrupted)");

namespace sessions::tools {
namespace {

namespace portal = ::voice::api::app::portal::v1;

// How often the table is redrawn at most: a burst of changes is one redraw.
constexpr absl::Duration kRedrawInterval = absl::Milliseconds(200);
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(250);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);

// Codes that retrying cannot fix.
bool Permanent(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED ||
         code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::NOT_FOUND ||
         code == grpc::StatusCode::UNIMPLEMENTED;
}

// Rows of sessions the terminal has room for.
int TableRows() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 8) return size.ws_row - 7;
  return 40;
}

}  // namespace

std::string WatchCommand::Summary() const {
  return "follow an account's active sessions live (a table on a terminal, a line per change "
         "in a pipe), resuming after a dropped connection";
}

absl::Status WatchCommand::Run(const std::vector<std::string>& args,
                               const CommandContext& context) {
  if (!args.empty()) return absl::InvalidArgumentError("watch takes no arguments");
  const std::string server = absl::GetFlag(FLAGS_server);
  if (server.empty()) return absl::InvalidArgumentError("watch needs --server=HOST:PORT");
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "auto" && format != "table" && format != "lines") {
    return absl::InvalidArgumentError("--format: must be auto, table or lines");
  }
  const bool table = format == "table" || (format == "auto" && isatty(STDOUT_FILENO) == 1);
  const int64_t max_changes = absl::GetFlag(FLAGS_max_changes);
  if (max_changes < 0) return absl::InvalidArgumentError("--max_changes: must be >= 0");
  absl::StatusOr<std::string> token = ServerToken("watch");
  if (!token.ok()) return token.status();

  auto stub = portal::PortalService::NewStub(
      grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));
  std::ostream& out = *context.out;
  LiveSessions live;
  int64_t changes = 0;
  absl::Duration backoff = kFirstBackoff;
  std::string status = "connecting";
  absl::Time last_draw = absl::InfinitePast();
  auto draw = [&](bool now) {
    if (!table || (!now && absl::Now() - last_draw < kRedrawInterval)) return;
    out << "\x1b[H\x1b[2J" << live.Table(status, TableRows()) << std::flush;
    last_draw = absl::Now();
  };
  while (true) {
    // Resuming before the snapshot completed lists again: start clean.
    if (live.resume_revision() == 0) live.Reset();
    portal::WatchActiveSessionsRequest request;
    request.set_account_id(absl::GetFlag(FLAGS_account));
    request.set_customer_id(absl::GetFlag(FLAGS_customer));
    request.set_start_revision(live.resume_revision());
    grpc::ClientContext call;
    call.AddMetadata("authorization", "Bearer " + *token);
    auto stream = stub->WatchActiveSessions(&call, request);
    portal::WatchActiveSessionsResponse message;
    while (stream->Read(&message)) {
      backoff = kFirstBackoff;
      status = "live";
      const bool change = message.type() == portal::WATCH_EVENT_TYPE_UPSERT ||
                          message.type() == portal::WATCH_EVENT_TYPE_REMOVE;
      for (const std::string& line : live.Apply(message)) {
        if (!table) out << line << "\n";
      }
      if (!table) out << std::flush;
      draw(message.type() == portal::WATCH_EVENT_TYPE_SYNCED);
      if (change && max_changes > 0 && ++changes >= max_changes) {
        call.TryCancel();
        while (stream->Read(&message)) {
        }
        stream->Finish().ok();  // CANCELLED, by us
        draw(true);
        return absl::OkStatus();
      }
    }
    const grpc::Status ended = stream->Finish();
    if (Permanent(ended.error_code())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "watch refused (", static_cast<int>(ended.error_code()), "): ", ended.error_message()));
    }
    if (ended.error_code() == grpc::StatusCode::OUT_OF_RANGE) live.Reset();
    status = absl::StrCat("connection lost (", ended.error_message(), "); resuming from revision ",
                          live.resume_revision(), " in ", absl::FormatDuration(backoff));
    if (table) {
      draw(true);
    } else {
      *context.err << "sessionsctl watch: " << status << "\n" << std::flush;
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace sessions::tools
