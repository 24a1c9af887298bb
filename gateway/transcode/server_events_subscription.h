// One ServiceStack Server Events subscription (GET /event-stream): the body
// of its response, in ServiceStack's frames (`id: N` counting from 1, then
// `data: <selector> <json>`; ServerEventsFeature.CreateFrame). It opens with
// `cmd.onConnect` (the subscription's id, its heartbeat and unregister URLs,
// the intervals) and a `<channel>@cmd.onJoin` per channel, then carries the
// messages of one server stream per channel as
// `<channel>@cmd.<Type> <json>`: <Type> is the C# name of the message's
// `type` enum field (Snapshot, Synced, Upsert, Remove, Bookmark), <json> the
// message in the ServiceStack JSON dialect. A heartbeat (Pulse) is answered
// on the stream with `cmd.onHeartbeat`. The body ends when any channel's
// stream ends (its status goes to `on_done`), or on Close() (unregistered,
// idle).
//
// Thread-safe: NextChunk() runs on the connection's strand; Pulse(),
// Close() and the accessors on any thread.
#ifndef GATEWAY_TRANSCODE_SERVER_EVENTS_SUBSCRIPTION_H_
#define GATEWAY_TRANSCODE_SERVER_EVENTS_SUBSCRIPTION_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/http/body_source.h"
#include "google/protobuf/message.h"
#include "service/event_stream.h"

namespace sessions::gateway {

class ServerEventsSubscription final : public BodySource {
 public:
  struct Channel {
    std::string name;
    std::shared_ptr<EventStream> events;
  };

  // `connect_json` is the onConnect body, `meta_json` the subscriber's
  // description sent with onJoin and onHeartbeat; `prototype` is of the
  // streams' message type. `on_done` runs once, with the end status
  // (CANCELLED when the client went away first).
  ServerEventsSubscription(std::string id, std::string connect_json, std::string meta_json,
                           std::vector<Channel> channels,
                           const google::protobuf::Message& prototype, absl::Time now,
                           std::function<void(const absl::Status&)> on_done);
  ~ServerEventsSubscription() override;

  Next NextChunk(std::string* chunk) override;
  void SetWakeup(std::function<void()> wake) override;
  void Cancel() override;

  // A heartbeat: the subscription is alive at `now`; the stream gets a
  // `cmd.onHeartbeat` (one at most waiting).
  void Pulse(absl::Time now);
  // Ends the stream at its next chunk; `why` goes to `on_done`. Later calls
  // change nothing.
  void Close(absl::Status why);

  const std::string& id() const { return id_; }
  const std::string& meta_json() const { return meta_json_; }
  absl::Time last_pulse() const;

 private:
  void AppendFrame(absl::string_view selector, absl::string_view json, std::string* out);
  void AppendMessage(const Channel& channel, std::string* out);
  void Wake();
  void Done(const absl::Status& status);

  const std::string id_;
  const std::string connect_json_;
  const std::string meta_json_;
  const std::vector<Channel> channels_;
  const std::unique_ptr<google::protobuf::Message> message_;   // reused by NextChunk
  const google::protobuf::FieldDescriptor* const type_field_;  // null: none
  std::function<void(const absl::Status&)> on_done_;

  // NextChunk() only (the strand).
  bool started_ = false;
  bool ended_ = false;
  int64_t next_event_id_ = 1;
  size_t next_channel_ = 0;  // round robin: no channel starves the others

  mutable absl::Mutex mu_;
  absl::Time last_pulse_ ABSL_GUARDED_BY(mu_);
  bool heartbeat_waiting_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> closed_ ABSL_GUARDED_BY(mu_);

  absl::Mutex wake_mu_;
  std::function<void()> wake_ ABSL_GUARDED_BY(wake_mu_);
  std::atomic<bool> done_{false};
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_SERVER_EVENTS_SUBSCRIPTION_H_
