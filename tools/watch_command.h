// sessionsctl watch: an account's live sessions over WatchActiveSessions.
//   sessionsctl watch --server=HOST:PORT [--token_file=F] [--account=A]
//       [--customer=C] [--format=auto|table|lines] [--max_changes=N]
// On a terminal a table refreshed in place (like `top`); in a pipe one line
// per change (see LiveSessions::Apply). A dropped stream is resumed from
// the last revision seen (a fresh listing when the server says that is too
// old), with a backoff of 0.25 s doubling to 5 s; refusals (token, scope,
// tenant, bad filter) end the command.
#ifndef TOOLS_WATCH_COMMAND_H_
#define TOOLS_WATCH_COMMAND_H_

#include <string>
#include <vector>

#include "tools/command.h"

namespace sessions::tools {

class WatchCommand final : public Command {
 public:
  std::vector<std::string> Words() const override { return {"watch"}; }
  std::string Usage() const override {
    return "--server=HOST:PORT [--token_file=FILE] [--account=A] [--customer=C] "
           "[--format=auto|table|lines] [--max_changes=N]";
  }
  std::string Summary() const override;
  std::vector<std::string> Flags() const override {
    return {"server", "token_file", "account", "customer", "format", "max_changes"};
  }
  absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) override;
};

}  // namespace sessions::tools

#endif  // TOOLS_WATCH_COMMAND_H_
