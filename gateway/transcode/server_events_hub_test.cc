#include "gateway/transcode/server_events_hub.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/empty.pb.h"
#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Names(const std::vector<ServerEventsChannel>& channels) {
  std::vector<std::string> names;
  for (const auto& c : channels) names.push_back(c.name + "=" + c.account_id + "|" + c.customer_id);
  return names;
}

TEST(ParseServerEventsChannelsTest, ReadsBothParametersAndDropsDuplicates) {
  absl::StatusOr<std::vector<ServerEventsChannel>> channels = ParseServerEventsChannels(
      {{"channels", "acct-1,acct-1/cust-hq"}, {"channel", "acct-1"}, {"other", "x"}}, 8);
  ASSERT_TRUE(channels.ok()) << channels.status();
  EXPECT_THAT(Names(*channels), ElementsAre("acct-1=acct-1|", "acct-1/cust-hq=acct-1|cust-hq"));
}

TEST(ParseServerEventsChannelsTest, NoChannelIsTheCallersOwnAccount) {
  absl::StatusOr<std::vector<ServerEventsChannel>> channels = ParseServerEventsChannels({}, 8);
  ASSERT_TRUE(channels.ok());
  EXPECT_THAT(Names(*channels), ElementsAre("*=|"));
}

TEST(ParseServerEventsChannelsTest, RefusesWhatFramesCannotCarryNamingTheParameter) {
  for (const char* bad : {"a@b", "a b", "a,,b", "/cust", "acct/", "a\tb"}) {
    absl::StatusOr<std::vector<ServerEventsChannel>> channels =
        ParseServerEventsChannels({{"channels", bad}}, 8);
    ASSERT_FALSE(channels.ok()) << bad;
    EXPECT_EQ(channels.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(channels.status().message(), HasSubstr("channels: ")) << bad;
  }
  EXPECT_THAT(ParseServerEventsChannels({{"channels", "1,2,3"}}, 2).status().message(),
              HasSubstr("at most 2 channels"));
}

TEST(ServerEventsHubTest, SubscriptionIdsAreRandomHex) {
  absl::StatusOr<std::string> a = ServerEventsHub::NewSubscriptionId();
  absl::StatusOr<std::string> b = ServerEventsHub::NewSubscriptionId();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_THAT(*a, ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_NE(*a, *b);
}

// A subscription with no channel: its frames are onConnect, then heartbeats.
std::shared_ptr<ServerEventsSubscription> NewSubscription(const std::string& id,
                                                          absl::Notification* done,
                                                          absl::Status* end) {
  return std::make_shared<ServerEventsSubscription>(
      id, "{\"id\":\"" + id + "\"}", "{}", std::vector<ServerEventsSubscription::Channel>{},
      google::protobuf::Empty(), absl::Now(), [done, end](const absl::Status& status) {
        *end = status;
        done->Notify();
      });
}

TEST(ServerEventsHubTest, HeartbeatsAreAnsweredOnTheStreamAndUnregisterEndsIt) {
  ServerEventsHub hub(ServerEventsOptions{});
  absl::Notification done;
  absl::Status end;
  auto subscription = NewSubscription("s1", &done, &end);
  hub.Add(subscription);
  std::string chunk;
  ASSERT_EQ(subscription->NextChunk(&chunk), BodySource::Next::kChunk);
  EXPECT_EQ(chunk, "id: 1\ndata: cmd.onConnect {\"id\":\"s1\"}\n\n");
  EXPECT_EQ(subscription->NextChunk(&chunk), BodySource::Next::kPending);
  EXPECT_FALSE(hub.Pulse("s2"));
  EXPECT_TRUE(hub.Pulse("s1"));
  ASSERT_EQ(subscription->NextChunk(&chunk), BodySource::Next::kChunk);
  EXPECT_EQ(chunk, "id: 2\ndata: cmd.onHeartbeat {}\n\n");
  ASSERT_EQ(hub.Unregister("s1"), "{}");
  EXPECT_EQ(subscription->NextChunk(&chunk), BodySource::Next::kEnd);
  ASSERT_TRUE(done.HasBeenNotified());
  EXPECT_EQ(end.code(), absl::StatusCode::kCancelled);
  EXPECT_FALSE(hub.Pulse("s1"));
  EXPECT_EQ(hub.Unregister("s1"), std::nullopt);
}

TEST(ServerEventsHubTest, ClosesSubscriptionsWithoutHeartbeat) {
  ServerEventsOptions options;
  options.idle_timeout = absl::Milliseconds(200);
  ServerEventsHub hub(options);
  absl::Notification done;
  absl::Status end;
  auto subscription = NewSubscription("idle", &done, &end);
  absl::Notification woken;
  subscription->SetWakeup([&woken] {
    if (!woken.HasBeenNotified()) woken.Notify();
  });
  hub.Add(subscription);
  std::string chunk;
  subscription->NextChunk(&chunk);
  ASSERT_TRUE(woken.WaitForNotificationWithTimeout(absl::Seconds(60)));
  EXPECT_EQ(subscription->NextChunk(&chunk), BodySource::Next::kEnd);
  EXPECT_EQ(end.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(hub.Pulse("idle"));
}

}  // namespace
}  // namespace sessions::gateway
