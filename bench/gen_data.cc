// gen_data: fills a database for the benchmarks through the SessionStore
// (UpsertSessions in big transactions), and creates the bearer tokens the
// load generators use. The store flags are the server's (--store,
// --db_path, --postgres_dsn_file, --postgres_dsn): SQLite by default.
//
//   gen_data --db_path=/tmp/bench.db --accounts=100 --active_per_account=20
//       --ended=20000 --read_token_file=/tmp/read.token
//       --write_token_file=/tmp/write.token
//   # later, 9x more ended rows into the same file (ids continue):
//   gen_data --db_path=/tmp/bench.db --accounts=100 --active_per_account=0
//       --ended=180000 --ended_offset=20000 --skip_tokens
//
// Account i is AccountId(i); account 0 is the one the read token sees.
// Ended sessions are spread round-robin over all accounts, so the queried
// account owns its share of them. Prints one summary line.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "service/auth/token_issuer.h"
#include "service/principal.h"
#include "storage/factory/store_factory.h"
#include "storage/factory/store_flags.h"
#include "storage/sample/session_factory.h"

ABSL_FLAG(int, accounts, 100, "Accounts");
ABSL_FLAG(int, active_per_account, 20, "Active sessions per account");
ABSL_FLAG(int64_t, ended, 20000, "Ended sessions to add (spread over all accounts)");
ABSL_FLAG(int64_t, ended_offset, 0, "First ended-session number (to extend a database)");
ABSL_FLAG(int, batch, 2000, "Sessions per transaction");
ABSL_FLAG(std::string, read_token_file, "", "Writes a sessions:read token of account 0 here");
ABSL_FLAG(std::string, write_token_file, "",
          "Writes a sessions:write token of the ingest account here");
ABSL_FLAG(std::string, ingest_read_token_file, "",
          "Writes a sessions:read token of the ingest account here (watch benchmarks)");
ABSL_FLAG(bool, skip_tokens, false, "Creates no tokens");

namespace sessions::bench {

using ::sessions::sample::AccountId;
using ::sessions::sample::BaseTime;
using ::sessions::sample::FillSession;
using ::sessions::sample::IngestAccountId;
namespace {

using ::voice::api::sessions::v1::SessionInfo;

// Writes `sessions` and clears it.
absl::Status Flush(SessionStore* store, std::vector<SessionInfo>* sessions) {
  if (sessions->empty()) return absl::OkStatus();
  absl::StatusOr<UpsertResult> result = store->UpsertSessions(*sessions);
  if (!result.ok()) return result.status();
  if (result->applied != static_cast<int>(sessions->size())) {
    return absl::InternalError(
        absl::StrFormat("only %d of %d sessions applied", result->applied, sessions->size()));
  }
  sessions->clear();
  return absl::OkStatus();
}

absl::Status WriteSessions(SessionStore* store, int64_t* written) {
  const int accounts = absl::GetFlag(FLAGS_accounts);
  const int active = absl::GetFlag(FLAGS_active_per_account);
  const int64_t ended = absl::GetFlag(FLAGS_ended);
  const int64_t ended_offset = absl::GetFlag(FLAGS_ended_offset);
  const size_t batch = std::max(1, absl::GetFlag(FLAGS_batch));
  if (accounts < 1) return absl::InvalidArgumentError("--accounts must be >= 1");
  std::vector<SessionInfo> pending;
  pending.reserve(batch);
  auto add = [&]() -> absl::Status {
    ++*written;
    if (pending.size() >= batch) return Flush(store, &pending);
    return absl::OkStatus();
  };
  // Active sessions: created within the last hours before "now" of the data.
  for (int a = 0; a < accounts; ++a) {
    for (int i = 0; i < active; ++i) {
      const int64_t seed = static_cast<int64_t>(a) * active + i;
      pending.emplace_back();
      FillSession(AccountId(a), absl::StrFormat("sess-a-%017d", seed), seed,
                  BaseTime() + absl::Seconds(i * 37 + a), /*ended=*/false, &pending.back());
      RETURN_IF_ERROR(add());
    }
  }
  // Ended sessions: older, spread over all accounts.
  for (int64_t k = ended_offset; k < ended_offset + ended; ++k) {
    pending.emplace_back();
    FillSession(AccountId(k % accounts), absl::StrFormat("sess-e-%017d", k), k,
                BaseTime() - absl::Hours(48) + absl::Seconds(k % 170000), /*ended=*/true,
                &pending.back());
    RETURN_IF_ERROR(add());
  }
  return Flush(store, &pending);
}

absl::Status WriteToken(TokenStore* tokens, const std::string& path, const std::string& account,
                        Scope scope, const char* name) {
  if (path.empty()) return absl::OkStatus();
  TokenRecord record;
  record.account_id = account;
  record.name = name;
  record.scopes = static_cast<uint32_t>(scope);
  record.created_at = absl::Now();
  ASSIGN_OR_RETURN(auth::IssuedToken token, auth::IssueToken(tokens, record));
  std::ofstream out(path, std::ios::trunc);
  out << token.secret << "\n";
  if (!out) return absl::FailedPreconditionError("cannot write " + path);
  return absl::OkStatus();
}

int Run() {
  const absl::StatusOr<StoreConfig> config = StoreConfigFromFlags();
  if (!config.ok()) {
    std::fprintf(stderr, "gen_data: %s\n", config.status().ToString().c_str());
    return 2;
  }
  const std::string where = DescribeStore(*config);
  const absl::Time start = absl::Now();
  int64_t written = 0;
  {
    absl::StatusOr<std::unique_ptr<SessionStore>> store = OpenSessionStore(*config);
    if (!store.ok()) {
      std::fprintf(stderr, "gen_data: %s\n", store.status().ToString().c_str());
      return 1;
    }
    if (absl::Status s = WriteSessions(store->get(), &written); !s.ok()) {
      std::fprintf(stderr, "gen_data: writing sessions: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  if (!absl::GetFlag(FLAGS_skip_tokens)) {
    absl::StatusOr<std::unique_ptr<TokenStore>> tokens = OpenTokenStore(*config);
    absl::Status s = tokens.status();
    if (s.ok()) {
      s = WriteToken(tokens->get(), absl::GetFlag(FLAGS_read_token_file), AccountId(0),
                     Scope::kSessionsRead, "bench-read");
    }
    if (s.ok()) {
      s = WriteToken(tokens->get(), absl::GetFlag(FLAGS_write_token_file), IngestAccountId(),
                     Scope::kSessionsWrite, "bench-write");
    }
    if (s.ok()) {
      s = WriteToken(tokens->get(), absl::GetFlag(FLAGS_ingest_read_token_file), IngestAccountId(),
                     Scope::kSessionsRead, "bench-watch");
    }
    if (!s.ok()) {
      std::fprintf(stderr, "gen_data: tokens: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("gen_data: wrote %lld sessions in %.1f s (%.0f/s) to %s\n",
              static_cast<long long>(written), seconds, written / std::max(seconds, 1e-9),
              where.c_str());
  return 0;
}

}  // namespace
}  // namespace sessions::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Fills a benchmark database (see bench/run.sh)");
  absl::ParseCommandLine(argc, argv);
  return sessions::bench::Run();
}
