// sessionsctl: the admin CLI of the Active Sessions service. Works on the
// service's database, also while the server runs: the SQLite file (WAL) or,
// with --store=postgres, the replicas' PostgreSQL database.
//
//   sessionsctl [--db_path=PATH] token create --account=A --scopes=S --name=N ...
//   sessionsctl [--db_path=PATH] token list
//   sessionsctl [--db_path=PATH] token revoke TOKEN_ID
//   sessionsctl token secret
//   sessionsctl import FILE --server=HOST:PORT [--token_file=FILE]
//   sessionsctl [--db_path=PATH] export [--output=FILE]
//   sessionsctl watch --server=HOST:PORT [--token_file=FILE] [--account=A]
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
#include "storage/factory/store_factory.h"
#include "storage/factory/store_flags.h"
#include "tools/command.h"
#include "tools/customer_commands.h"
#include "tools/session_commands.h"
#include "tools/token_commands.h"
#include "tools/watch_command.h"

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
  if (absl::Status s = ApplyEnvFlagFallbacks(StoreFlagEnvFallbacks()); !s.ok()) {
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
  registry.Register(std::make_unique<WatchCommand>());
  registry.Register(std::make_unique<CustomersSetCommand>());
  registry.Register(std::make_unique<CustomersPathCommand>());

  const absl::StatusOr<StoreConfig> store = StoreConfigFromFlags();
  if (!store.ok()) {
    std::cerr << kProgram << ": " << store.status().message() << "\n";
    return kExitUsage;
  }
  // A SQLite file must exist unless the command may create it, so that a
  // mistyped path does not leave an empty database behind. (PostgreSQL
  // databases are created by their operators; the schema is migrated.)
  auto check_exists = [&store](OpenMode mode) -> absl::Status {
    if (store->engine != StoreEngine::kSqlite || mode == OpenMode::kCreateIfMissing) {
      return absl::OkStatus();
    }
    if (store->sqlite_path.empty()) return absl::InvalidArgumentError("--db_path is empty");
    if (!FileExists(store->sqlite_path)) {
      return absl::NotFoundError("database " + store->sqlite_path +
                                 " does not exist (see --db_path)");
    }
    return absl::OkStatus();
  };
  std::unique_ptr<TokenStore> token_store;
  CommandContext context;
  context.out = &std::cout;
  context.err = &std::cerr;
  context.clock = [] { return absl::Now(); };
  context.token_store = [&](OpenMode mode) -> absl::StatusOr<TokenStore*> {
    if (token_store == nullptr) {
      if (absl::Status exists = check_exists(mode); !exists.ok()) return exists;
      absl::StatusOr<std::unique_ptr<TokenStore>> opened = OpenTokenStore(*store);
      if (!opened.ok()) return opened.status();
      token_store = *std::move(opened);
    }
    return token_store.get();
  };
  std::unique_ptr<SessionStore> session_store;
  context.session_store = [&]() -> absl::StatusOr<SessionStore*> {
    if (session_store == nullptr) {
      if (absl::Status exists = check_exists(OpenMode::kMustExist); !exists.ok()) return exists;
      absl::StatusOr<std::unique_ptr<SessionStore>> opened = OpenSessionStore(*store);
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
