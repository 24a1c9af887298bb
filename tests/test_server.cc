#include "tests/test_server.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "service/auth/token_codec.h"
#include "service/auth/token_issuer.h"
#include "storage/token_store.h"

namespace sessions::testing {
namespace {

std::string FreshDbPath() {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir ? dir : "/tmp", "/server-", getpid(), "-", counter++, ".db");
}

void Check(const absl::Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "test setup failed: %s\n", status.ToString().c_str());
    std::abort();
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::Start(ServerOptions options) {
  auto test_server = std::make_unique<TestServer>();
  test_server->db_path_ = FreshDbPath();
  options.grpc.address = "127.0.0.1:0";
  options.storage.db_path = test_server->db_path_;
  test_server->options_ = options;
  ASSIGN_OR_RETURN(test_server->server_, Server::BuildAndStart(options));
  return test_server;
}

absl::Status TestServer::Restart() {
  server_->Shutdown();
  server_.reset();
  ASSIGN_OR_RETURN(server_, Server::BuildAndStart(options_));
  return absl::OkStatus();
}

std::string TestServer::grpc_target() const {
  return absl::StrCat("127.0.0.1:", server_->grpc_port());
}

std::string TestServer::IssueToken(const std::string& account_id, uint32_t scopes,
                                   const std::string& customer_id, absl::Time expires_at) {
  TokenRecord record;
  record.account_id = account_id;
  record.customer_id = customer_id;
  record.name = "test";
  record.scopes = scopes;
  record.created_at = absl::Now();
  record.expires_at = expires_at;
  absl::StatusOr<auth::IssuedToken> issued = auth::IssueToken(server_->token_store(), record);
  Check(issued.status());
  return issued->secret;
}

void TestServer::RevokeToken(const std::string& secret) {
  absl::StatusOr<std::string> hash = auth::HashTokenSecret(secret);
  Check(hash.status());
  absl::StatusOr<TokenRecord> record = server_->token_store()->FindTokenByHash(*hash);
  Check(record.status());
  Check(server_->token_store()->RevokeToken(record->id));
}

std::shared_ptr<grpc::Channel> TestServer::NewChannel() const {
  return grpc::CreateChannel(grpc_target(), grpc::InsecureChannelCredentials());
}

void Authorize(grpc::ClientContext* context, const std::string& token) {
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

}  // namespace sessions::testing
