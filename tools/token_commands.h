// `sessionsctl token ...`: create, list and revoke API tokens, and print a
// fresh secret for the server's bootstrap token file.
//
// Only a token's SHA-256 is stored; `token create` prints the secret once,
// and nothing ever prints a secret or a hash again. The commands work on
// the database of a running server (SQLite WAL; the server sees a new or
// revoked token on its next call, it caches nothing).
//
//   sessionsctl token create --account=A [--customer=C] --scopes=S
//                            [--ttl=720h|inf] --name=N [--quiet]
//   sessionsctl token list
//   sessionsctl token revoke tok_0123456789abcdef
//   sessionsctl token secret
//
// Thread-safety: not thread-safe (one command per process).
#ifndef TOOLS_TOKEN_COMMANDS_H_
#define TOOLS_TOKEN_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tools/command.h"

// The flags of `token create` (defined in token_commands.cc).
ABSL_DECLARE_FLAG(std::string, account);
ABSL_DECLARE_FLAG(std::string, customer);
ABSL_DECLARE_FLAG(std::string, scopes);
ABSL_DECLARE_FLAG(absl::Duration, ttl);
ABSL_DECLARE_FLAG(std::string, name);
ABSL_DECLARE_FLAG(bool, quiet);

namespace sessions::tools {

// Creates a token and prints its id and, once, its secret. Flags: --account
// (required), --customer, --scopes (required), --ttl (default 720h; "inf"
// for no expiry), --name (required), --quiet (print only the secret).
class TokenCreateCommand final : public Command {
 public:
  std::vector<std::string> Words() const override { return {"token", "create"}; }
  std::string Usage() const override;
  std::string Summary() const override;
  std::vector<std::string> Flags() const override;
  absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) override;
};

// Lists every token: id, name, account, customer, scopes, status, times.
class TokenListCommand final : public Command {
 public:
  std::vector<std::string> Words() const override { return {"token", "list"}; }
  std::string Usage() const override { return ""; }
  std::string Summary() const override;
  absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) override;
};

// Revokes a token by id; effective on the server's next call.
class TokenRevokeCommand final : public Command {
 public:
  std::vector<std::string> Words() const override { return {"token", "revoke"}; }
  std::string Usage() const override { return "TOKEN_ID"; }
  std::string Summary() const override;
  absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) override;
};

// Prints a fresh, unstored secret, e.g. for --bootstrap_token_file.
class TokenSecretCommand final : public Command {
 public:
  std::vector<std::string> Words() const override { return {"token", "secret"}; }
  std::string Usage() const override { return ""; }
  std::string Summary() const override;
  absl::Status Run(const std::vector<std::string>& args, const CommandContext& context) override;
};

}  // namespace sessions::tools

#endif  // TOOLS_TOKEN_COMMANDS_H_
