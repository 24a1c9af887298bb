// sessionsctl: the admin CLI of the Active Sessions service. Works on the
// service's SQLite file, also while the server runs (WAL).
//
//   sessionsctl [--db_path=PATH] token create --account=A --scopes=S --name=N ...
//   sessionsctl [--db_path=PATH] token list
//   sessionsctl [--db_path=PATH] token revoke TOKEN_ID
//   sessionsctl token secret
//   sessionsctl import FILE --server=HOST:PORT [--token_file=FILE]
//   sessionsctl [--db_path=PATH] export [--output=FILE]
//
// Exit codes: 0 success, 1 the command failed, 2 bad usage.
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/clock.h"
#include "server/env_flags.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/sqlite/sqlite_token_store.h"
#include "tools/command.h"
#include "tools/customer_commands.h"
#include "tools/session_commands.h"
#include "tools/token_commands.h"

ABSL_FLAG(std::string, db_path, "sessions.db",
          "the service's SQLite database (env SESSIONS_DB_PATH)");

namespace sessions::tools {
namespace {

constexpr char kProgram[] = "sessionsctl";

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "admin CLI of the Active Sessions service; run 'sessionsctl help' for the commands");
  // Environment first, so the command line wins.
  if (absl::Status s = ApplyEnvFlagFallbacks({{"db_path", "SESSIONS_DB_PATH"}}); !s.ok()) {
    std::cerr << kProgram << ": " << s.message() << "\n";
    return kExitUsage;
  }
  const std::set<std::string> flags_given = FlagsOnCommandLine(argc, argv);
  // Exits with a message on unknown or malformed flags.
  std::vector<char*> parsed = absl::ParseCommandLine(argc, argv);
  const std::vector<std::string> positional(parsed.begin() + 1, parsed.end());

  CommandRegistry registry(kProgram);
  registry.Register(std::make_unique<TokenCreateCommand>());
  registry.Register(std::make_unique<TokenListCommand>());
  registry.Register(std::make_unique<TokenRevokeCommand>());
  registry.Register(std::make_unique<TokenSecretCommand>());
  registry.Register(std::make_unique<ImportCommand>());
  registry.Register(std::make_unique<ExportCommand>());
  registry.Register(std::make_unique<CustomersSetCommand>());
  registry.Register(std::make_unique<CustomersPathCommand>());

  const std::string db_path = absl::GetFlag(FLAGS_db_path);
  std::unique_ptr<SqliteTokenStore> token_store;
  CommandContext context;
  context.out = &std::cout;
  context.err = &std::cerr;
  context.clock = [] { return absl::Now(); };
  context.token_store = [&](OpenMode mode) -> absl::StatusOr<TokenStore*> {
    if (token_store == nullptr) {
      if (db_path.empty()) return absl::InvalidArgumentError("--db_path is empty");
      if (mode == OpenMode::kMustExist && !FileExists(db_path)) {
        return absl::NotFoundError("database " + db_path + " does not exist (see --db_path)");
      }
      absl::StatusOr<std::unique_ptr<SqliteTokenStore>> opened =
          SqliteTokenStore::Open(db_path, {});
      if (!opened.ok()) return opened.status();
      token_store = *std::move(opened);
    }
    return token_store.get();
  };
  std::unique_ptr<SqliteSessionStore> session_store;
  context.session_store = [&]() -> absl::StatusOr<SessionStore*> {
    if (session_store == nullptr) {
      if (!FileExists(db_path)) {
        return absl::NotFoundError("database " + db_path + " does not exist (see --db_path)");
      }
      absl::StatusOr<std::unique_ptr<SqliteSessionStore>> opened =
          SqliteSessionStore::Open(db_path, {});
      if (!opened.ok()) return opened.status();
      session_store = *std::move(opened);
    }
    return session_store.get();
  };
  return registry.Run(positional, flags_given, context);
}

}  // namespace
}  // namespace sessions::tools

int main(int argc, char** argv) { return sessions::tools::Main(argc, argv); }
