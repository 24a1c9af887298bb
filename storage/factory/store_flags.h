// The flags that select the store, shared by sessions_server and
// sessionsctl so that both read a deployment's configuration the same way:
//   --store=sqlite|postgres   (env SESSIONS_STORE)
//   --db_path=FILE            (env SESSIONS_DB_PATH)            sqlite
//   --postgres_dsn_file=FILE  (env SESSIONS_POSTGRES_DSN_FILE)  postgres
//   --postgres_dsn=DSN        (env SESSIONS_POSTGRES_DSN)       postgres
#ifndef STORAGE_FACTORY_STORE_FLAGS_H_
#define STORAGE_FACTORY_STORE_FLAGS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/factory/store_factory.h"

namespace sessions {

// (flag, environment variable) pairs for ApplyEnvFlagFallbacks().
const std::vector<std::pair<std::string, std::string>>& StoreFlagEnvFallbacks();

// The StoreConfig the flags select (retention left at its defaults), the
// DSN file read. INVALID_ARGUMENT naming the flag for an unknown engine, or
// for postgres without exactly one of the DSN flags; ReadDsnFile's errors.
absl::StatusOr<StoreConfig> StoreConfigFromFlags();

}  // namespace sessions

#endif  // STORAGE_FACTORY_STORE_FLAGS_H_
