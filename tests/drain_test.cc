// Graceful shutdown: health turns NOT_SERVING at once, an in-flight call
// still finishes, and Shutdown() returns well before the drain deadline;
// a call that never finishes is cut at the deadline.
#include <chrono>
#include <future>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "service/grpc/grpc_unary_call.h"
#include "tests/test_server.h"
#include "tests/testdata/slow_test.grpc.pb.h"

namespace sessions::testing {
namespace {

namespace slow = ::sessions::testing::v1;

// gRPC adapter of the test-only service; the core handler is registered in
// the method table like any other, so the call goes through auth too.
class SlowService final : public slow::SlowTestService::CallbackService {
 public:
  explicit SlowService(const MethodTable** table) : table_(table) {}
  grpc::ServerUnaryReactor* Hold(grpc::CallbackServerContext* context,
                                 const slow::HoldRequest* request,
                                 slow::HoldResponse* response) override {
    return RunUnaryCall(**table_, *(*table_)->Find("sessions.testing.v1.SlowTestService.Hold"),
                        context, request, response);
  }

 private:
  const MethodTable** table_;
};

class DrainTest : public ::testing::Test {
 protected:
  void StartServer(absl::Duration drain_timeout) {
    ServerOptions options;
    options.drain_timeout = drain_timeout;
    options.extra_grpc_services = {&slow_service_};
    options.register_extra_methods = [this](MethodTable* table, LiveView*) {
      table_ = table;
      table->RegisterAsync<slow::HoldRequest, slow::HoldResponse>(
          google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
              "sessions.testing.v1.SlowTestService.Hold"),
          Scope::kSessionsRead,
          [this](const CallContext&, const slow::HoldRequest&, slow::HoldResponse* response,
                 DoneCallback done) {
            entered_.Notify();
            std::thread([this, response, done = std::move(done)] {
              release_.WaitForNotificationWithTimeout(absl::Seconds(120));
              response->set_released(true);
              done(absl::OkStatus());
            }).detach();
          });
    };
    auto started = TestServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    token_ = server_->IssueToken("acct-a", kRead);
  }

  // Starts a Hold call on its own thread; the future holds its status.
  std::future<grpc::Status> StartHold(slow::HoldResponse* response) {
    auto channel = server_->NewChannel();
    return std::async(std::launch::async, [this, channel, response] {
      auto stub = slow::SlowTestService::NewStub(channel);
      grpc::ClientContext context;
      Authorize(&context, token_);
      return stub->Hold(&context, slow::HoldRequest(), response);
    });
  }

  const MethodTable* table_ = nullptr;
  SlowService slow_service_{&table_};
  absl::Notification entered_;
  absl::Notification release_;
  std::unique_ptr<TestServer> server_;
  std::string token_;
};

TEST_F(DrainTest, NotServingAtOnceThenInFlightCallFinishes) {
  // A drain that waited out its deadline would run into the test's timeout.
  const absl::Duration drain_timeout = absl::Minutes(10);
  StartServer(drain_timeout);
  auto health = grpc::health::v1::Health::NewStub(server_->NewChannel());
  grpc::ClientContext watch_context;
  watch_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  auto watch = health->Watch(&watch_context, grpc::health::v1::HealthCheckRequest());
  grpc::health::v1::HealthCheckResponse status;
  ASSERT_TRUE(watch->Read(&status));
  EXPECT_EQ(status.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  slow::HoldResponse response;
  std::future<grpc::Status> call = StartHold(&response);
  ASSERT_TRUE(entered_.WaitForNotificationWithTimeout(absl::Seconds(60)));

  const absl::Time start = absl::Now();
  std::thread shutdown([this] { server_->server().Shutdown(); });
  ASSERT_TRUE(watch->Read(&status));  // pushed by the server, bounded by the watch deadline
  EXPECT_EQ(status.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  // An open Watch is an in-flight call too; a prober hangs up once it knows.
  watch_context.TryCancel();

  release_.Notify();
  grpc::Status call_status = call.get();
  EXPECT_TRUE(call_status.ok()) << call_status.error_message();
  EXPECT_TRUE(response.released());
  shutdown.join();
  EXPECT_LT(absl::Now() - start, drain_timeout);
}

TEST_F(DrainTest, CallStillRunningAtTheDeadlineIsCut) {
  StartServer(absl::Milliseconds(500));
  slow::HoldResponse response;
  std::future<grpc::Status> call = StartHold(&response);
  ASSERT_TRUE(entered_.WaitForNotificationWithTimeout(absl::Seconds(60)));
  std::thread shutdown([this] { server_->server().Shutdown(); });
  // At the deadline the server cancels the call; the client sees it fail.
  grpc::Status call_status = call.get();
  EXPECT_FALSE(call_status.ok());
  // The handler finishing late must be harmless; Shutdown then completes.
  release_.Notify();
  shutdown.join();
}

}  // namespace
}  // namespace sessions::testing
