#include "tools/command.h"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"

namespace sessions::tools {
namespace {

// Returns whether `words` is a prefix of `args`.
bool StartsWith(const std::vector<std::string>& args, const std::vector<std::string>& words) {
  return words.size() <= args.size() && std::equal(words.begin(), words.end(), args.begin());
}

// Returns "usage: <program> <words> [<usage>]\n".
std::string UsageLine(const std::string& program, const Command& command) {
  std::string line = "usage: " + program + " " + absl::StrJoin(command.Words(), " ");
  const std::string usage = command.Usage();
  if (!usage.empty()) line += " " + usage;
  return line + "\n";
}

}  // namespace

std::set<std::string> FlagsOnCommandLine(int argc, char** argv) {
  std::set<std::string> names;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    std::string name(arg.substr(0, arg.find('=')));
    if (name.rfind("no", 0) == 0) names.insert(name.substr(2));
    names.insert(std::move(name));
  }
  return names;
}

CommandRegistry::CommandRegistry(std::string program_name)
    : program_name_(std::move(program_name)) {}

void CommandRegistry::Register(std::unique_ptr<Command> command) {
  commands_.push_back(std::move(command));
}

void CommandRegistry::PrintUsage(std::ostream& out, const std::vector<std::string>& prefix) const {
  out << "usage: " << program_name_ << " [store flags] <command> [args]\n"
      << "  --db_path (env SESSIONS_DB_PATH, default ./sessions.db): the service's "
         "SQLite database\n"
      << "  --store=postgres with --postgres_dsn_file=FILE (env SESSIONS_POSTGRES_DSN_FILE) or "
         "--postgres_dsn=DSN: the replicas' PostgreSQL database instead\n\ncommands:\n";
  for (const auto& command : commands_) {
    if (!StartsWith(command->Words(), prefix)) continue;
    out << "  " << absl::StrJoin(command->Words(), " ");
    const std::string usage = command->Usage();
    if (!usage.empty()) out << " " << usage;
    out << "\n      " << command->Summary() << "\n";
  }
}

int CommandRegistry::Run(const std::vector<std::string>& positional,
                         const std::set<std::string>& flags_given,
                         const CommandContext& context) const {
  std::ostream& err = *context.err;
  if (positional.empty() || positional == std::vector<std::string>{"help"}) {
    PrintUsage(positional.empty() ? err : *context.out);
    return positional.empty() ? kExitUsage : kExitOk;
  }
  // The command with the longest matching words wins.
  Command* chosen = nullptr;
  for (const auto& command : commands_) {
    if (StartsWith(positional, command->Words()) &&
        (chosen == nullptr || command->Words().size() > chosen->Words().size())) {
      chosen = command.get();
    }
  }
  if (chosen == nullptr) {
    err << program_name_ << ": unknown command '" << absl::StrJoin(positional, " ") << "'\n\n";
    // Narrow the usage to the commands sharing the first word, if any.
    std::vector<std::string> prefix = {positional[0]};
    bool any = false;
    for (const auto& command : commands_) any = any || StartsWith(command->Words(), prefix);
    PrintUsage(err, any ? prefix : std::vector<std::string>{});
    return kExitUsage;
  }

  // Flags are global to the binary; refuse those of other commands so a
  // misplaced option is not silently ignored.
  const std::vector<std::string> own = chosen->Flags();
  std::set<std::string> others;
  for (const auto& command : commands_) {
    for (const std::string& flag : command->Flags()) {
      if (std::find(own.begin(), own.end(), flag) == own.end()) others.insert(flag);
    }
  }
  const std::string name = absl::StrJoin(chosen->Words(), " ");
  for (const std::string& flag : others) {
    if (flags_given.count(flag) != 0) {
      err << program_name_ << ": --" << flag << " is not an option of '" << name << "'\n"
          << UsageLine(program_name_, *chosen);
      return kExitUsage;
    }
  }

  const std::vector<std::string> args(positional.begin() + chosen->Words().size(),
                                      positional.end());
  const absl::Status status = chosen->Run(args, context);
  if (status.ok()) return kExitOk;
  err << program_name_ << " " << name << ": " << status.message() << "\n";
  if (absl::IsInvalidArgument(status)) {
    err << UsageLine(program_name_, *chosen);
    return kExitUsage;
  }
  return kExitError;
}

}  // namespace sessions::tools
