#include "storage/factory/store_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, store, "sqlite",
          "Where the data lives: sqlite (one file, one server) or postgres (replicas sharing a "
          "PostgreSQL 15 database)");
ABSL_FLAG(std::string, db_path, "sessions.db",
          "--store=sqlite: the database file (the server creates it if missing)");
ABSL_FLAG(std::string, postgres_dsn_file, "",
          "--store=postgres: file holding the libpq connection string (a mounted Secret)");
ABSL_FLAG(std::string, postgres_dsn, "",
          "--store=postgres: the libpq connection string itself (visible in the process list: "
          "prefer --postgres_dsn_file when it holds a password)");

namespace sessions {

const std::vector<std::pair<std::string, std::string>>& StoreFlagEnvFallbacks() {
  static const auto* const kFallbacks = new std::vector<std::pair<std::string, std::string>>{
      {"store", "SESSIONS_STORE"},
      {"db_path", "SESSIONS_DB_PATH"},
      {"postgres_dsn_file", "SESSIONS_POSTGRES_DSN_FILE"},
      {"postgres_dsn", "SESSIONS_POSTGRES_DSN"},
  };
  return *kFallbacks;
}

absl::StatusOr<StoreConfig> StoreConfigFromFlags() {
  StoreConfig config;
  absl::StatusOr<StoreEngine> engine = ParseStoreEngine(absl::GetFlag(FLAGS_store), "--store");
  if (!engine.ok()) return engine.status();
  config.engine = *engine;
  config.sqlite_path = absl::GetFlag(FLAGS_db_path);
  if (config.engine != StoreEngine::kPostgres) return config;
  const std::string dsn_file = absl::GetFlag(FLAGS_postgres_dsn_file);
  config.postgres_dsn = absl::GetFlag(FLAGS_postgres_dsn);
  if (dsn_file.empty() == config.postgres_dsn.empty()) {
    return absl::InvalidArgumentError(
        "--store=postgres needs exactly one of --postgres_dsn_file and --postgres_dsn");
  }
  if (!dsn_file.empty()) {
    absl::StatusOr<std::string> dsn = ReadDsnFile(dsn_file);
    if (!dsn.ok()) return dsn.status();
    config.postgres_dsn = *std::move(dsn);
  }
  return config;
}

}  // namespace sessions
