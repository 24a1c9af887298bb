// A method-table stream (EventStream) as a Server-Sent Events body: each
// message becomes one event, `data:` the message in the ServiceStack JSON
// dialect of the REST routes, `event:` the C# name (lower case) of its
// `type` enum field, `id:` its `revision` field. Snapshot events carry no
// id: a browser that reconnects mid-snapshot sends no Last-Event-ID and
// gets a fresh snapshot instead of resuming from a half-received one. The
// body opens with a `retry:` hint and ends, when the stream ends by itself,
// with an `end` event holding a ResponseStatus.
//
// Thread-safe (NextChunk() runs on the connection's strand).
#ifndef GATEWAY_TRANSCODE_SSE_BODY_H_
#define GATEWAY_TRANSCODE_SSE_BODY_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/http/body_source.h"
#include "google/protobuf/message.h"
#include "service/event_stream.h"

namespace sessions::gateway {

// The fields of a stream's messages that SseBody reads: `type` (an enum)
// names the event, `revision` is its id; a reconnecting client's
// Last-Event-ID sets the request's `start_revision`.
inline constexpr char kSseTypeField[] = "type";
inline constexpr char kSseIdField[] = "revision";
inline constexpr char kSseResumeField[] = "start_revision";

// The `event:` name of a message whose type field holds `value`: its C#
// name in lower case ("synced").
std::string SseEventName(const google::protobuf::EnumValueDescriptor* value);

class SseBody final : public BodySource {
 public:
  // `prototype` is of the stream's message type. `on_done` runs once, with
  // the stream's end status (CANCELLED when the client went away first).
  SseBody(std::shared_ptr<EventStream> events, const google::protobuf::Message& prototype,
          absl::Duration retry, std::function<void(const absl::Status&)> on_done);
  ~SseBody() override;

  Next NextChunk(std::string* chunk) override;
  void SetWakeup(std::function<void()> wake) override;
  void Cancel() override;

 private:
  // Appends `message` as one event.
  void AppendEvent(const google::protobuf::Message& message, std::string* out) const;
  void Done(const absl::Status& status);

  const std::shared_ptr<EventStream> events_;
  const std::unique_ptr<google::protobuf::Message> message_;  // reused by NextChunk
  // The message's `type` enum and `revision` fields (null when it has none).
  const google::protobuf::FieldDescriptor* const type_field_;
  const google::protobuf::FieldDescriptor* const revision_field_;
  const absl::Duration retry_;
  std::function<void(const absl::Status&)> on_done_;
  bool started_ = false;  // NextChunk() only: the strand
  bool ended_ = false;    // NextChunk() only
  std::atomic<bool> done_{false};
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_SSE_BODY_H_
