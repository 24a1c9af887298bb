#include "tools/token_commands.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "service/auth/token_codec.h"
#include "service/auth/token_issuer.h"
#include "storage/token_store.h"

ABSL_FLAG(std::string, account, "", "token create, customers: the account (tenant)");
ABSL_FLAG(std::string, customer, "",
          "token create: restrict the token to this customer's subtree (default: none); "
          "customers: the customer");
ABSL_FLAG(std::string, scopes, "",
          "token create: comma-separated scopes: sessions:read, sessions:write, admin");
ABSL_FLAG(absl::Duration, ttl, absl::Hours(720),
          "token create: lifetime, e.g. 720h or 90m; 'inf' never expires");
ABSL_FLAG(std::string, name, "", "token create: a label saying who uses the token");
ABSL_FLAG(bool, quiet, false, "token create: print only the secret (for scripts)");

namespace sessions::tools {
namespace {

constexpr size_t kMaxFieldLength = 128;

// Checks an id-like value: printable ASCII, no spaces, bounded length.
absl::Status ValidateId(const std::string& field, const std::string& value, bool required) {
  if (value.empty()) {
    return required ? absl::InvalidArgumentError(absl::StrCat("--", field, " is required"))
                    : absl::OkStatus();
  }
  if (value.size() > kMaxFieldLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", field, " is longer than ", kMaxFieldLength, " characters"));
  }
  for (char c : value) {
    if (c <= ' ' || c >= 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", field, " must be printable ASCII without spaces"));
    }
  }
  return absl::OkStatus();
}

// Checks a human label: no control characters (they would garble
// terminals), bounded length.
absl::Status ValidateName(const std::string& value) {
  if (value.empty()) return absl::InvalidArgumentError("--name is required");
  if (value.size() > kMaxFieldLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("--name is longer than ", kMaxFieldLength, " characters"));
  }
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return absl::InvalidArgumentError("--name must not contain control characters");
    }
  }
  return absl::OkStatus();
}

std::string DisplayTime(absl::Time t) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return "never";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::Status NoArgs(const std::vector<std::string>& args) {
  if (args.empty()) return absl::OkStatus();
  // Not echoed: it might be a secret pasted in the wrong place.
  return absl::InvalidArgumentError(
      absl::StrCat("unexpected positional argument (", args.size(), " given, none expected)"));
}

absl::StatusOr<TokenStore*> OpenStore(const CommandContext& context,
                                      OpenMode mode = OpenMode::kMustExist) {
  if (!context.token_store) return absl::InternalError("no token store configured");
  return context.token_store(mode);
}

}  // namespace

std::string TokenCreateCommand::Usage() const {
  return "--account=A [--customer=C] --scopes=sessions:read[,sessions:write|admin] "
         "[--ttl=720h|inf] --name=N [--quiet]";
}

std::string TokenCreateCommand::Summary() const {
  return "creates a token; prints its secret once (only its SHA-256 is stored)";
}

std::vector<std::string> TokenCreateCommand::Flags() const {
  return {"account", "customer", "scopes", "ttl", "name", "quiet"};
}

absl::Status TokenCreateCommand::Run(const std::vector<std::string>& args,
                                     const CommandContext& context) {
  if (absl::Status s = NoArgs(args); !s.ok()) return s;
  TokenRecord record;
  record.account_id = absl::GetFlag(FLAGS_account);
  record.customer_id = absl::GetFlag(FLAGS_customer);
  record.name = absl::GetFlag(FLAGS_name);
  const std::string scopes_text = absl::GetFlag(FLAGS_scopes);
  const absl::Duration ttl = absl::GetFlag(FLAGS_ttl);
  if (absl::Status s = ValidateId("account", record.account_id, true); !s.ok()) return s;
  if (absl::Status s = ValidateId("customer", record.customer_id, false); !s.ok()) return s;
  if (absl::Status s = ValidateName(record.name); !s.ok()) return s;
  if (scopes_text.empty()) {
    return absl::InvalidArgumentError(
        "--scopes is required (sessions:read, sessions:write, admin; comma-separated)");
  }
  absl::StatusOr<uint32_t> scopes = auth::ParseScopes(scopes_text);
  if (!scopes.ok())
    return absl::InvalidArgumentError(absl::StrCat("--", scopes.status().message()));
  record.scopes = *scopes;
  if (ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--ttl must be positive (or 'inf' for no expiry)");
  }

  // The first token may come before the server ever ran: create the file.
  absl::StatusOr<TokenStore*> store = OpenStore(context, OpenMode::kCreateIfMissing);
  if (!store.ok()) return store.status();
  record.created_at = context.clock();
  record.expires_at =
      ttl == absl::InfiniteDuration() ? absl::InfiniteFuture() : record.created_at + ttl;
  absl::StatusOr<auth::IssuedToken> issued = auth::IssueToken(*store, record);
  if (!issued.ok()) return issued.status();
  record.id = issued->id;
  std::string* secret = &issued->secret;

  std::ostream& out = *context.out;
  if (absl::GetFlag(FLAGS_quiet)) {
    out << *secret << "\n";
  } else {
    out << "Created token " << record.id << " \"" << record.name << "\"\n"
        << "  account:  " << record.account_id << "\n"
        << "  customer: " << (record.customer_id.empty() ? "(any)" : record.customer_id) << "\n"
        << "  scopes:   " << auth::FormatScopes(record.scopes) << "\n"
        << "  expires:  " << DisplayTime(record.expires_at) << "\n"
        << "Secret (shown only now; it cannot be recovered, only revoked):\n"
        << *secret << "\n";
  }
  out.flush();
  OPENSSL_cleanse(secret->data(), secret->size());
  return absl::OkStatus();
}

std::string TokenListCommand::Summary() const {
  return "lists every token (never secrets or hashes)";
}

absl::Status TokenListCommand::Run(const std::vector<std::string>& args,
                                   const CommandContext& context) {
  if (absl::Status s = NoArgs(args); !s.ok()) return s;
  absl::StatusOr<TokenStore*> store = OpenStore(context);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::vector<TokenRecord>> tokens = (*store)->ListTokens();
  if (!tokens.ok()) return tokens.status();
  std::sort(tokens->begin(), tokens->end(), [](const TokenRecord& a, const TokenRecord& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });

  const absl::Time now = context.clock();
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "ACCOUNT", "CUSTOMER", "SCOPES", "STATUS", "CREATED", "EXPIRES", "LAST_USED"}};
  for (const TokenRecord& t : *tokens) {
    const char* status = t.revoked ? "revoked" : now >= t.expires_at ? "expired" : "active";
    rows.push_back({t.id, t.name, t.account_id,
                    t.customer_id.empty() ? std::string("-") : t.customer_id,
                    auth::FormatScopes(t.scopes), status, DisplayTime(t.created_at),
                    DisplayTime(t.expires_at), DisplayTime(t.last_used_at)});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::ostream& out = *context.out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
  return absl::OkStatus();
}

std::string TokenRevokeCommand::Summary() const {
  return "revokes a token; the server rejects it from its next call on";
}

absl::Status TokenRevokeCommand::Run(const std::vector<std::string>& args,
                                     const CommandContext& context) {
  if (args.size() != 1) {
    return absl::InvalidArgumentError("expected exactly one token id (see 'token list')");
  }
  const std::string& id = args[0];
  if (!auth::IsWellFormedTokenId(id)) {
    // Someone may paste a secret here by mistake: never echo the argument.
    return absl::InvalidArgumentError(
        "not a token id (expected tok_ followed by 16 hex digits, see 'token list')");
  }
  absl::StatusOr<TokenStore*> store = OpenStore(context);
  if (!store.ok()) return store.status();
  absl::Status revoked = (*store)->RevokeToken(id);
  if (absl::IsNotFound(revoked)) return absl::NotFoundError(absl::StrCat("no token ", id));
  if (!revoked.ok()) return revoked;
  *context.out << "Revoked token " << id << "\n";
  return absl::OkStatus();
}

std::string TokenSecretCommand::Summary() const {
  return "prints a fresh secret without storing it (for --bootstrap_token_file)";
}

absl::Status TokenSecretCommand::Run(const std::vector<std::string>& args,
                                     const CommandContext& context) {
  if (absl::Status s = NoArgs(args); !s.ok()) return s;
  absl::StatusOr<std::string> secret = auth::GenerateTokenSecret();
  if (!secret.ok()) return secret.status();
  *context.out << *secret << "\n";
  context.out->flush();
  OPENSSL_cleanse(secret->data(), secret->size());
  return absl::OkStatus();
}

}  // namespace sessions::tools
