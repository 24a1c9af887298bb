// The Server Events subscriptions of one gateway (ServiceStack's
// ServerEventsFeature): which channels a GET /event-stream asks for, the
// live subscriptions by id for /event-heartbeat and /event-unregister, and
// the housekeeping that closes a subscription whose client stopped sending
// heartbeats (after `idle_timeout`, as ServiceStack's IdleTimeout).
//
// A channel is an account id ("acct-1": its sessions) or an account and
// customer ("acct-1/cust-hq": that customer's subtree); no channel means the
// caller's own account ("*"). Each channel is one watch, authorised as the
// watch route is: a token sees only what it may list.
//
// The subscription id is the capability of the heartbeat and unregister
// URLs (ServerEventsClient sends no Authorization header with them): 128
// random bits from the OpenSSL CSPRNG, never logged. They can only keep a
// subscription alive or end it; the streams re-check their token anyway.
//
// Thread-safe.
#ifndef GATEWAY_TRANSCODE_SERVER_EVENTS_HUB_H_
#define GATEWAY_TRANSCODE_SERVER_EVENTS_HUB_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/worker_thread.h"
#include "gateway/transcode/request_binder.h"
#include "gateway/transcode/server_events_subscription.h"

namespace sessions::gateway {

struct ServerEventsOptions {
  // The server-streaming method whose messages the channels carry; its
  // request has the fields `account_id` and `customer_id`.
  std::string stream_method = "voice.api.app.portal.v1.PortalService.WatchActiveSessions";
  // How often clients are told to send a heartbeat (onConnect).
  absl::Duration heartbeat_interval = absl::Seconds(10);
  // A subscription without a heartbeat for this long is closed.
  absl::Duration idle_timeout = absl::Seconds(30);
  // Channels one subscription may name (each is a watch).
  int max_channels = 8;
};

// One channel of a subscription, and the watch filter it stands for.
struct ServerEventsChannel {
  std::string name;         // as the client wrote it ("*" for none)
  std::string account_id;   // empty: the caller's own
  std::string customer_id;  // empty: the whole account
};

// The channels of `query` (`channels=` and `channel=`, comma-separated, as
// ServiceStack reads them; duplicates once). Errors: INVALID_ARGUMENT naming
// `channels` (more than `max_channels`, an empty name, or one holding '@',
// whitespace or a control character, which the frame format cannot carry).
absl::StatusOr<std::vector<ServerEventsChannel>> ParseServerEventsChannels(const QueryParams& query,
                                                                           int max_channels);

class ServerEventsHub {
 public:
  explicit ServerEventsHub(const ServerEventsOptions& options);
  ~ServerEventsHub();  // stops the housekeeping

  ServerEventsHub(const ServerEventsHub&) = delete;
  ServerEventsHub& operator=(const ServerEventsHub&) = delete;

  const ServerEventsOptions& options() const { return options_; }

  // A fresh subscription id (32 hex digits). INTERNAL if the CSPRNG fails.
  static absl::StatusOr<std::string> NewSubscriptionId();

  // Registers `subscription` until Forget(its id).
  void Add(const std::shared_ptr<ServerEventsSubscription>& subscription);
  // A function that forgets `id`; safe to run after the hub is gone (for a
  // subscription's on_done).
  std::function<void()> Forgetter(const std::string& id) const;

  // /event-heartbeat: false when no subscription has this id.
  bool Pulse(const std::string& id);
  // /event-unregister: closes the subscription and returns its description,
  // or nullopt when no subscription has this id.
  std::optional<std::string> Unregister(const std::string& id);

 private:
  struct Registry {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, std::weak_ptr<ServerEventsSubscription>> by_id
        ABSL_GUARDED_BY(mu);
    bool stopping ABSL_GUARDED_BY(mu) = false;
  };

  std::shared_ptr<ServerEventsSubscription> Find(const std::string& id) const;
  void Housekeeping();

  const ServerEventsOptions options_;
  const std::shared_ptr<Registry> registry_;
  std::optional<WorkerThread> housekeeping_;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_SERVER_EVENTS_HUB_H_
