#include "tools/customer_commands.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "tools/token_commands.h"

ABSL_FLAG(std::string, parent, "", "customers set: the customer's parent (default: a root)");

namespace sessions::tools {
namespace {

struct Target {
  SessionStore* store;
  std::string account;
  std::string customer;
};

absl::StatusOr<Target> TargetOf(const std::vector<std::string>& args,
                                const CommandContext& context) {
  if (!args.empty()) return absl::InvalidArgumentError("customers commands take no arguments");
  Target target{nullptr, absl::GetFlag(FLAGS_account), absl::GetFlag(FLAGS_customer)};
  if (target.account.empty()) return absl::InvalidArgumentError("--account is required");
  if (target.customer.empty()) return absl::InvalidArgumentError("--customer is required");
  if (!context.session_store) return absl::InternalError("no session store");
  absl::StatusOr<SessionStore*> store = context.session_store();
  if (!store.ok()) return store.status();
  target.store = *store;
  return target;
}

absl::Status PrintPath(const Target& target, const CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> path =
      target.store->CustomerPath(target.account, target.customer);
  if (!path.ok()) return path.status();
  *context.out << absl::StrJoin(*path, " > ") << "\n";
  return absl::OkStatus();
}

}  // namespace

std::string CustomersSetCommand::Summary() const {
  return "state a customer's parent in the account's customer directory";
}

absl::Status CustomersSetCommand::Run(const std::vector<std::string>& args,
                                      const CommandContext& context) {
  absl::StatusOr<Target> target = TargetOf(args, context);
  if (!target.ok()) return target.status();
  absl::Status set = target->store->SetCustomerParent(target->account, target->customer,
                                                      absl::GetFlag(FLAGS_parent));
  // The store names the field; the command line calls it a flag.
  if (absl::IsInvalidArgument(set)) return absl::FailedPreconditionError(set.message());
  if (!set.ok()) return set;
  return PrintPath(*target, context);
}

std::string CustomersPathCommand::Summary() const {
  return "print a customer's path in the account's customer directory";
}

absl::Status CustomersPathCommand::Run(const std::vector<std::string>& args,
                                       const CommandContext& context) {
  absl::StatusOr<Target> target = TargetOf(args, context);
  if (!target.ok()) return target.status();
  return PrintPath(*target, context);
}

}  // namespace sessions::tools
