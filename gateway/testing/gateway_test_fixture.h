// Test-only fixture of the gateway's end-to-end tests: a MethodTable with
// a FakeAuthenticator, the test-only EchoTestService (served from its
// annotations alone, no gateway code for it), a fake GetActiveSessions
// handler for the ServiceStack dialect, and a started HttpGateway on
// 127.0.0.1:0.
#ifndef GATEWAY_TESTING_GATEWAY_TEST_FIXTURE_H_
#define GATEWAY_TESTING_GATEWAY_TEST_FIXTURE_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gateway/testing/fake_authenticator.h"
#include "gateway/testing/fake_http_metrics.h"
#include "gateway/testing/test_gunzip.h"
#include "gateway/testing/test_http_client.h"
#include "gateway/transcode/http_gateway.h"
#include "gtest/gtest.h"
#include "service/method_table.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions::gateway {

// The token the FakeAuthenticator accepts.
extern const std::map<std::string, std::string> kAuth;

std::string Str(boost::beast::string_view s);

class HttpGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // (Re)starts the gateway with `options` (address and CORS are set here).
  void StartGateway(HttpGatewayOptions options);

  // One request on a fresh connection.
  std::optional<HttpResponse> Call(const std::string& method, const std::string& target,
                                   std::map<std::string, std::string> headers = kAuth,
                                   const std::string& body = "");

  FakeAuthenticator auth_;
  FakeHttpMetrics metrics_;
  MethodTable table_{&auth_, /*observer=*/nullptr};
  std::atomic<bool> ready_{true};
  std::unique_ptr<HttpGateway> gateway_;
  absl::Mutex mu_;
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
  voice::api::app::portal::v1::GetActiveSessionsRequest last_portal_request_ ABSL_GUARDED_BY(mu_);

 private:
  void RegisterHandlers();
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TESTING_GATEWAY_TEST_FIXTURE_H_
