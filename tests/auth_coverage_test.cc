// Proves that every method of every service the running server registers
// refuses calls without a valid token. The list of services comes from the
// server itself (server reflection) and the methods from their descriptors,
// so a method added later is covered without touching this test. Health and
// reflection are the only services that answer without a token.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "src/proto/grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "tests/test_server.h"

namespace sessions::testing {
namespace {

namespace reflection = ::grpc::reflection::v1alpha;

const std::set<std::string> kPublicServices = {"grpc.health.v1.Health",
                                               "grpc.reflection.v1alpha.ServerReflection"};

std::vector<std::string> ListServices(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = reflection::ServerReflection::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto stream = stub->ServerReflectionInfo(&context);
  reflection::ServerReflectionRequest request;
  request.set_list_services("");
  EXPECT_TRUE(stream->Write(request));
  stream->WritesDone();
  reflection::ServerReflectionResponse response;
  std::vector<std::string> names;
  if (stream->Read(&response)) {
    for (const auto& service : response.list_services_response().service()) {
      names.push_back(service.name());
    }
  }
  EXPECT_TRUE(stream->Finish().ok());
  return names;
}

// Calls `method` ("/pkg.Service/Method") with `body` as the request (by
// default empty: a valid message of every type) and the given
// authorization value (none if empty); returns the status.
grpc::Status CallGeneric(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                         const std::string& authorization, const std::string& body = "") {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  grpc::Slice message(body);
  grpc::ByteBuffer request(&message, 1), response;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status result;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status status) {
                   std::lock_guard<std::mutex> lock(mu);
                   result = status;
                   done = true;
                   cv.notify_one();
                 });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });  // bounded by the call deadline
  return result;
}

TEST(AuthCoverageTest, EveryRegisteredMethodRequiresAValidToken) {
  auto started = TestServer::Start();
  ASSERT_TRUE(started.ok()) << started.status();
  TestServer& server = **started;
  auto channel = server.NewChannel();

  const std::string revoked = server.IssueToken("acct-a", kRead | kWrite | kAdmin);
  server.RevokeToken(revoked);
  const std::string expired =
      server.IssueToken("acct-a", kRead | kWrite | kAdmin, "", absl::Now() - absl::Minutes(1));
  const std::vector<std::string> bad_credentials = {
      "",                                    // no token
      "Bearer",                              // malformed
      "Basic dXNlcjpwYXNz",                  // wrong scheme
      "Bearer ast_" + std::string(43, 'A'),  // well-formed, unknown
      "Bearer " + revoked,                   // revoked
      "Bearer " + expired,                   // expired
  };

  const std::vector<std::string> services = ListServices(channel);
  int protected_methods = 0;
  std::string first_message;
  for (const std::string& service_name : services) {
    if (kPublicServices.count(service_name)) continue;
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << "no descriptor for registered service " << service_name;
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string path = "/" + service_name + "/" + service->method(i)->name();
      ++protected_methods;
      for (const std::string& credential : bad_credentials) {
        grpc::Status status = CallGeneric(channel, path, credential);
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << path << " with '" << credential.substr(0, 12) << "...'";
        // One message for every failure: no oracle telling which check failed.
        if (first_message.empty()) first_message = status.error_message();
        EXPECT_EQ(status.error_message(), first_message) << path;
        EXPECT_EQ(status.error_message().find("ast_"), std::string::npos);
      }
    }
  }
  // PortalService.GetActiveSessions + the six ingest methods, at least.
  EXPECT_GE(protected_methods, 7);

  // Health and reflection answer without a token.
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::health::v1::HealthCheckResponse response;
  EXPECT_TRUE(health->Check(&context, {}, &response).ok());
  EXPECT_FALSE(services.empty());
}

TEST(AuthCoverageTest, EveryRegisteredMethodAnswersUnparsableRequestsWithInvalidArgument) {
  auto started = TestServer::Start();
  ASSERT_TRUE(started.ok()) << started.status();
  TestServer& server = **started;
  auto channel = server.NewChannel();
  const std::string token = "Bearer " + server.IssueToken("acct-a", kRead | kWrite | kAdmin);
  // Field 1, length-delimited, length 100, then 2 bytes: truncated.
  const std::string truncated("\x0a\x64\x01\x02", 4);
  int methods = 0;
  for (const std::string& service_name : ListServices(channel)) {
    if (kPublicServices.count(service_name)) continue;
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      const std::string path = "/" + service_name + "/" + method->name();
      ++methods;
      // Before: gRPC's generated handler answered UNIMPLEMENTED, uncounted.
      grpc::Status status = CallGeneric(channel, path, token, truncated);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << path;
      EXPECT_NE(status.error_message().find(method->input_type()->full_name()), std::string::npos)
          << path << ": " << status.error_message();
      // Without a token the bytes are not even looked at.
      EXPECT_EQ(CallGeneric(channel, path, "", truncated).error_code(),
                grpc::StatusCode::UNAUTHENTICATED)
          << path;
    }
  }
  EXPECT_GE(methods, 8);
}

}  // namespace
}  // namespace sessions::testing
