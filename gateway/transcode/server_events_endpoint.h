// What GET /event-stream, /event-heartbeat and /event-unregister do, for
// the RestDispatcher (which answers the HTTP side: methods, errors, CORS,
// metrics): a subscription opens one watch per channel through the method
// table, each authenticated and authorised as the watch route is (all
// channels or none), then describes itself as ServiceStack does
// (cmd.onConnect: its id, heartbeat and unregister URLs, the intervals; the
// token's public id and name as userId and displayName) and joins the
// hub's registry (server_events_hub.h).
//
// Thread-safe. `methods` and `route` are not owned and outlive the
// endpoint and every subscription.
#ifndef GATEWAY_TRANSCODE_SERVER_EVENTS_ENDPOINT_H_
#define GATEWAY_TRANSCODE_SERVER_EVENTS_ENDPOINT_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/http/body_source.h"
#include "gateway/http/http_types.h"
#include "gateway/transcode/request_binder.h"
#include "gateway/transcode/route_table.h"
#include "gateway/transcode/server_events_hub.h"
#include "service/method_table.h"

namespace sessions::gateway {

class ServerEventsEndpoint {
 public:
  // `route` is the streaming route whose messages the channels carry; its
  // request has `account_id` and `customer_id`.
  ServerEventsEndpoint(const MethodTable* methods, const Route* route,
                       const ServerEventsOptions& options);

  // The body of a new subscription to the channels of `query`; `base_url`
  // is this server as the client reached it. Errors: INVALID_ARGUMENT
  // naming `channels`; a channel's authentication or authorisation error,
  // naming the channel.
  absl::StatusOr<std::shared_ptr<BodySource>> Subscribe(const HttpRequest& request,
                                                        const QueryParams& query,
                                                        absl::string_view base_url);
  // /event-heartbeat: false when no subscription has this id.
  bool Pulse(const std::string& id) { return hub_.Pulse(id); }
  // /event-unregister: the subscription's description, or nullopt.
  std::optional<std::string> Unregister(const std::string& id) { return hub_.Unregister(id); }

 private:
  struct Call;

  const MethodTable* const methods_;
  const Route* const route_;
  ServerEventsHub hub_;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_SERVER_EVENTS_ENDPOINT_H_
