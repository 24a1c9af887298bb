// The command framework of `sessionsctl`: each subcommand ("token create",
// "token list", ...) is a small Command class; a CommandRegistry finds the
// one named by the positional arguments left after absl::ParseCommandLine,
// rejects flags that belong to other commands, and runs it.
//
// Adding a command: write a Command subclass (its flags are ABSL_FLAGs in
// its own .cc), and register it in sessionsctl_main.cc.
//
// Usage:
//   CommandRegistry registry;
//   registry.Register(std::make_unique<TokenListCommand>());
//   int exit_code = registry.Run(positional_args, &context);
//
// Thread-safety: not thread-safe; a CLI runs one command.
#ifndef TOOLS_COMMAND_H_
#define TOOLS_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/session_store.h"
#include "storage/token_store.h"

namespace sessions::tools {

// Exit codes of sessionsctl.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // the command failed (database, not found, ...)
inline constexpr int kExitUsage = 2;  // bad command line

// Whether opening the database may create it.
enum class OpenMode { kMustExist, kCreateIfMissing };

// What a command may use. Owned by main (or a test).
struct CommandContext {
  std::ostream* out = nullptr;  // results; not owned
  std::ostream* err = nullptr;  // diagnostics; not owned
  // Returns the current time (injectable for tests).
  std::function<absl::Time()> clock;
  // Opens the token store of --db_path on first use; the store stays owned
  // by whoever provides this function. NOT_FOUND for a missing database
  // with OpenMode::kMustExist (so a mistyped path does not leave an empty
  // database behind). Unset: commands needing it fail.
  std::function<absl::StatusOr<TokenStore*>(OpenMode)> token_store;
  // Opens the session store of --db_path on first use (always kMustExist
  // semantics: exporting a missing database is an error).
  std::function<absl::StatusOr<SessionStore*>()> session_store;
};

// One subcommand. Implementations read their own flags in Run().
class Command {
 public:
  virtual ~Command() = default;

  // The words naming the command, e.g. {"token", "create"}.
  virtual std::vector<std::string> Words() const = 0;
  // One line of usage after the words, e.g. "--account=A --name=N ...".
  virtual std::string Usage() const = 0;
  // One line saying what the command does.
  virtual std::string Summary() const = 0;
  // Names of the command-specific flags this command accepts (without
  // "--"). Global flags (--db_path) are always accepted.
  virtual std::vector<std::string> Flags() const { return {}; }

  // Runs the command with its positional arguments (after the words).
  // INVALID_ARGUMENT means bad usage (exit code 2); any other error exit 1.
  // Messages must never contain secrets.
  virtual absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) = 0;
};

// Returns the names of the flags given in argv[1..argc) ("--x=1", "-x 1",
// "--nox"; both "nox" and "x" for the latter), up to a "--".
std::set<std::string> FlagsOnCommandLine(int argc, char** argv);

// The set of commands of one program.
class CommandRegistry {
 public:
  explicit CommandRegistry(std::string program_name);

  // Adds a command; its words must not clash with a registered one.
  void Register(std::unique_ptr<Command> command);

  // Finds the command named by `positional` (argv[0] excluded), checks that
  // none of `flags_given` (see FlagsOnCommandLine) belongs to another
  // command only, runs it and prints any error to context.err. Returns the
  // process exit code. "help" (or no arguments) prints the usage.
  int Run(const std::vector<std::string>& positional, const std::set<std::string>& flags_given,
          const CommandContext& context) const;

  // Writes the usage of every command (or of those starting with `prefix`).
  void PrintUsage(std::ostream& out, const std::vector<std::string>& prefix = {}) const;

 private:
  std::string program_name_;
  std::vector<std::unique_ptr<Command>> commands_;
};

}  // namespace sessions::tools

#endif  // TOOLS_COMMAND_H_
