#include "gateway/transcode/server_events_endpoint.h"

#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/codec/text_escape.h"
#include "gateway/http/http_metadata.h"
#include "gateway/transcode/server_events_subscription.h"
#include "service/call_context.h"

namespace sessions::gateway {
namespace {

// The request fields a channel sets.
constexpr char kChannelAccountField[] = "account_id";
constexpr char kChannelCustomerField[] = "customer_id";

// A flat JSON object of strings, as ServiceStack writes a subscription's
// description (every value a string).
std::string JsonStringObject(
    const std::vector<std::pair<absl::string_view, std::string>>& entries) {
  std::string out = "{";
  for (const auto& [key, value] : entries) {
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(std::string_view(key.data(), key.size()), &out);
    out.push_back(':');
    AppendJsonString(value, &out);
  }
  out.push_back('}');
  return out;
}

}  // namespace

// One subscription's calls: a watch per channel, each with its own context
// (the method table reports each stream on its own).
struct ServerEventsEndpoint::Call {
  explicit Call(HttpRequest r) : request(std::move(r)), metadata(&request) {}
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  HttpRequest request;
  HttpMetadata metadata;              // views `request`
  std::vector<CallContext> contexts;  // sized once: streams keep pointers
  absl::Time start;
};

ServerEventsEndpoint::ServerEventsEndpoint(const MethodTable* methods, const Route* route,
                                           const ServerEventsOptions& options)
    : methods_(methods), route_(route), hub_(options) {}

absl::StatusOr<std::shared_ptr<BodySource>> ServerEventsEndpoint::Subscribe(
    const HttpRequest& request, const QueryParams& query, absl::string_view base_url) {
  const ServerEventsOptions& options = hub_.options();
  absl::StatusOr<std::vector<ServerEventsChannel>> channels =
      ParseServerEventsChannels(query, options.max_channels);
  if (!channels.ok()) return channels.status();
  absl::StatusOr<std::string> id = ServerEventsHub::NewSubscriptionId();
  if (!id.ok()) return id.status();

  auto call = std::make_shared<Call>(request);
  call->start = absl::Now();
  call->contexts.resize(channels->size());
  std::vector<ServerEventsSubscription::Channel> streams;
  std::unique_ptr<google::protobuf::Message> input(route_->request_prototype->New());
  const google::protobuf::Descriptor* type = input->GetDescriptor();
  const google::protobuf::FieldDescriptor* account = type->FindFieldByName(kChannelAccountField);
  const google::protobuf::FieldDescriptor* customer = type->FindFieldByName(kChannelCustomerField);
  for (size_t i = 0; i < channels->size(); ++i) {
    const ServerEventsChannel& channel = (*channels)[i];
    CallContext& context = call->contexts[i];
    context.transport = Transport::kHttp;
    context.metadata = &call->metadata;
    input->Clear();
    if (account != nullptr) {
      input->GetReflection()->SetString(input.get(), account, channel.account_id);
    }
    if (customer != nullptr) {
      input->GetReflection()->SetString(input.get(), customer, channel.customer_id);
    }
    absl::StatusOr<std::shared_ptr<EventStream>> events =
        methods_->OpenStream(*route_->stream, &context, *input);
    if (!events.ok()) {
      // Every channel or none: the ones already open are closed again.
      for (size_t j = 0; j < streams.size(); ++j) {
        streams[j].events->Cancel();
        methods_->StreamDone(*route_->stream, call->contexts[j],
                             absl::CancelledError("not subscribed"), absl::Now() - call->start);
      }
      const absl::Status& refused = events.status();
      return absl::Status(refused.code(),
                          absl::StrCat("channel \"", channel.name, "\": ", refused.message()));
    }
    streams.push_back({channel.name, *std::move(events)});
  }

  const Principal& principal = call->contexts.front().principal;
  std::string channel_list;
  for (const ServerEventsChannel& channel : *channels) {
    absl::StrAppend(&channel_list, channel_list.empty() ? "" : ",", channel.name);
  }
  std::vector<std::pair<absl::string_view, std::string>> meta = {
      {"userId", principal.token_id},
      {"isAuthenticated", "true"},
      {"displayName", principal.token_name},
      {"channels", channel_list},
      {"createdAt", absl::StrCat(absl::ToUnixMillis(call->start))},
  };
  const std::string meta_json = JsonStringObject(meta);
  meta.emplace_back("id", *id);
  meta.emplace_back("unRegisterUrl", absl::StrCat(base_url, "/event-unregister?id=", *id));
  meta.emplace_back("heartbeatUrl", absl::StrCat(base_url, "/event-heartbeat?id=", *id));
  meta.emplace_back("heartbeatIntervalMs",
                    absl::StrCat(absl::ToInt64Milliseconds(options.heartbeat_interval)));
  meta.emplace_back("idleTimeoutMs", absl::StrCat(absl::ToInt64Milliseconds(options.idle_timeout)));

  auto subscription = std::make_shared<ServerEventsSubscription>(
      *id, JsonStringObject(meta), meta_json, std::move(streams), *route_->response_prototype,
      call->start,
      [methods = methods_, call, stream = route_->stream,
       forget = hub_.Forgetter(*id)](const absl::Status& status) {
        forget();
        for (const CallContext& context : call->contexts) {
          methods->StreamDone(*stream, context, status, absl::Now() - call->start);
        }
      });
  hub_.Add(subscription);
  return subscription;
}

}  // namespace sessions::gateway
