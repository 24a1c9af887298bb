// Test fixture support: starts a whole Server in-process on 127.0.0.1:0
// with a fresh SQLite file under TEST_TMPDIR, issues tokens, and opens real
// channels to it. Test-only.
#ifndef TESTS_TEST_SERVER_H_
#define TESTS_TEST_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "server/server.h"
#include "service/principal.h"

namespace sessions::testing {

class TestServer {
 public:
  // Starts a server; `options` may set hooks, demo data, drain timeout.
  // Addresses and the database path are chosen here.
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(ServerOptions options = {});

  // Shuts the server down (as SIGTERM would) and starts a new one with the
  // same options on the same database file, on new ports.
  absl::Status Restart();

  Server& server() { return *server_; }
  const std::string& db_path() const { return db_path_; }
  std::string grpc_target() const;

  // Creates a token in the server's token store; returns its secret.
  std::string IssueToken(const std::string& account_id, uint32_t scopes,
                         const std::string& customer_id = "",
                         absl::Time expires_at = absl::InfiniteFuture());
  // Revokes the token with this secret.
  void RevokeToken(const std::string& secret);

  std::shared_ptr<grpc::Channel> NewChannel() const;

 private:
  std::unique_ptr<Server> server_;
  ServerOptions options_;
  std::string db_path_;
};

// Scope bit sets for IssueToken.
inline constexpr uint32_t kRead = static_cast<uint32_t>(Scope::kSessionsRead);
inline constexpr uint32_t kWrite = static_cast<uint32_t>(Scope::kSessionsWrite);
inline constexpr uint32_t kAdmin = static_cast<uint32_t>(Scope::kAdmin);

// Adds `authorization: Bearer <token>` and a bounded deadline to `context`.
void Authorize(grpc::ClientContext* context, const std::string& token);

}  // namespace sessions::testing

#endif  // TESTS_TEST_SERVER_H_
