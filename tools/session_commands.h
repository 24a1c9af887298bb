// sessionsctl commands that move sessions in and out of the service:
//   sessionsctl import FILE --server=HOST:PORT [--token_file=F]  (token also from SESSIONS_TOKEN)
//   sessionsctl [--db_path=PATH] export [--output=FILE]
// Files use the original API's response shape; see session_io.h.
#ifndef TOOLS_SESSION_COMMANDS_H_
#define TOOLS_SESSION_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/command.h"

ABSL_DECLARE_FLAG(std::string, server);

namespace sessions::tools {

// The bearer token of a command that calls the server: from --token_file,
// else env SESSIONS_TOKEN, never from the command line (which other users
// of the machine can see). INVALID_ARGUMENT naming `command` without one.
absl::StatusOr<std::string> ServerToken(absl::string_view command);

// Loads sessions from a JSON file through the ingest API of a running
// server (BatchUpsertSessions, 500 per batch).
class ImportCommand final : public Command {
 public:
  std::vector<std::string> Words() const override { return {"import"}; }
  std::string Usage() const override { return "FILE --server=HOST:PORT [--token_file=FILE]"; }
  std::string Summary() const override;
  std::vector<std::string> Flags() const override { return {"server", "token_file"}; }
  absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) override;
};

// Writes every stored session (ended ones too) of --db_path as JSON.
class ExportCommand final : public Command {
 public:
  std::vector<std::string> Words() const override { return {"export"}; }
  std::string Usage() const override { return "[--output=FILE]"; }
  std::string Summary() const override;
  std::vector<std::string> Flags() const override { return {"output"}; }
  absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) override;
};

}  // namespace sessions::tools

#endif  // TOOLS_SESSION_COMMANDS_H_
