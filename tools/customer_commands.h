// `sessionsctl customers ...`: the account's customer directory, against
// which customer-restricted writers are checked (DESIGN: tenant integrity).
// Account-level writers' sessions state it as they are written; these
// commands state or read it directly, e.g. where every writer is
// restricted. They work on the database of a running server.
//
//   sessionsctl customers set --account=A --customer=C [--parent=P]
//   sessionsctl customers path --account=A --customer=C
//
// Thread-safety: not thread-safe (one command per process).
#ifndef TOOLS_CUSTOMER_COMMANDS_H_
#define TOOLS_CUSTOMER_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/command.h"

namespace sessions::tools {

// States C's parent (none: C is a root) and prints C's path.
class CustomersSetCommand final : public Command {
 public:
  std::vector<std::string> Words() const override { return {"customers", "set"}; }
  std::string Usage() const override { return "--account=A --customer=C [--parent=P]"; }
  std::string Summary() const override;
  std::vector<std::string> Flags() const override { return {"account", "customer", "parent"}; }
  absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) override;
};

// Prints C's path in the directory, root first ("root > hq > c").
class CustomersPathCommand final : public Command {
 public:
  std::vector<std::string> Words() const override { return {"customers", "path"}; }
  std::string Usage() const override { return "--account=A --customer=C"; }
  std::string Summary() const override;
  std::vector<std::string> Flags() const override { return {"account", "customer"}; }
  absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) override;
};

}  // namespace sessions::tools

#endif  // TOOLS_CUSTOMER_COMMANDS_H_
