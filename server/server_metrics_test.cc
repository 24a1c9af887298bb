#include "server/server_metrics.h"

#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions {
namespace {

class ServerMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  int LinesContaining(absl::string_view needle) const {
    int n = 0;
    for (absl::string_view line : absl::StrSplit(log_.str(), '\n')) {
      if (absl::StrContains(line, needle)) ++n;
    }
    return n;
  }

  const google::protobuf::MethodDescriptor& method_ =
      *google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          "voice.api.app.portal.v1.PortalService.GetActiveSessions");
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(ServerMetricsTest, CallsWithoutATokenDoNotWriteALinePerCall) {
  ServerMetrics metrics;
  CallContext anonymous;
  for (int i = 0; i < 2000; ++i) {
    metrics.OnCallDone(method_, anonymous, absl::UnauthenticatedError("no"), absl::ZeroDuration());
  }
  // Each call is still counted...
  EXPECT_TRUE(absl::StrContains(metrics.RenderText(), "transport=\"grpc\"} 2000"))
      << metrics.RenderText();
  // ...but the log got a burst (two, if the loop crossed a second).
  EXPECT_LE(LinesContaining("code=UNAUTHENTICATED"), 2 * ServerMetrics::kAnonymousLogBurst);
  EXPECT_GE(LinesContaining("code=UNAUTHENTICATED"), ServerMetrics::kAnonymousLogBurst);
}

TEST_F(ServerMetricsTest, AuthenticatedCallsAreAllLogged) {
  ServerMetrics metrics;
  CallContext context;
  context.principal.token_id = "tok-1";
  context.principal.account_id = "acct-a";
  for (int i = 0; i < 50; ++i) {
    metrics.OnCallDone(method_, context, absl::OkStatus(), absl::ZeroDuration());
  }
  EXPECT_EQ(LinesContaining("token_id=tok-1"), 50);
}

}  // namespace
}  // namespace sessions
