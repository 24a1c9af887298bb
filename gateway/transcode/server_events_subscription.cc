#include "gateway/transcode/server_events_subscription.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/codec/field_plan.h"
#include "gateway/codec/json_writer.h"
#include "gateway/transcode/sse_body.h"

namespace sessions::gateway {
namespace {

// Frames of one chunk: enough to fill a TCP segment train, small enough to
// keep the connection's write short (as SseBody).
constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

ServerEventsSubscription::ServerEventsSubscription(std::string id, std::string connect_json,
                                                   std::string meta_json,
                                                   std::vector<Channel> channels,
                                                   const google::protobuf::Message& prototype,
                                                   absl::Time now,
                                                   std::function<void(const absl::Status&)> on_done)
    : id_(std::move(id)),
      connect_json_(std::move(connect_json)),
      meta_json_(std::move(meta_json)),
      channels_(std::move(channels)),
      message_(prototype.New()),
      type_field_(prototype.GetDescriptor()->FindFieldByName(kSseTypeField)),
      on_done_(std::move(on_done)),
      last_pulse_(now) {}

ServerEventsSubscription::~ServerEventsSubscription() { Cancel(); }

void ServerEventsSubscription::AppendFrame(absl::string_view selector, absl::string_view json,
                                           std::string* out) {
  // The JSON writer escapes control characters: the data is one line.
  absl::StrAppend(out, "id: ", next_event_id_++, "\ndata: ", selector, " ", json, "\n\n");
}

void ServerEventsSubscription::AppendMessage(const Channel& channel, std::string* out) {
  std::string selector = absl::StrCat(channel.name, "@cmd.");
  if (type_field_ != nullptr && type_field_->enum_type() != nullptr) {
    selector += CSharpEnumValueName(message_->GetReflection()->GetEnum(*message_, type_field_));
  } else {
    selector += message_->GetDescriptor()->name();
  }
  std::string json;
  JsonWriter::Write(*message_, &json);
  AppendFrame(selector, json, out);
}

BodySource::Next ServerEventsSubscription::NextChunk(std::string* chunk) {
  chunk->clear();
  if (ended_) return Next::kEnd;
  if (!started_) {
    started_ = true;
    AppendFrame("cmd.onConnect", connect_json_, chunk);
    for (const Channel& channel : channels_) {
      AppendFrame(absl::StrCat(channel.name, "@cmd.onJoin"), meta_json_, chunk);
    }
  }
  std::optional<absl::Status> closed;
  {
    absl::MutexLock lock(&mu_);
    if (heartbeat_waiting_) {
      heartbeat_waiting_ = false;
      AppendFrame("cmd.onHeartbeat", meta_json_, chunk);
    }
    closed = closed_;
  }
  if (closed.has_value()) {
    ended_ = true;
    Done(*closed);
    return Next::kEnd;
  }
  // Round robin: one message per channel per turn, until a turn finds
  // nothing or the chunk is full.
  bool progress = true;
  while (progress && chunk->size() < kChunkBytes) {
    progress = false;
    for (size_t turn = 0; turn < channels_.size() && chunk->size() < kChunkBytes; ++turn) {
      const Channel& channel = channels_[next_channel_];
      next_channel_ = (next_channel_ + 1) % channels_.size();
      absl::Status end;
      switch (channel.events->Pop(message_.get(), &end)) {
        case EventStream::Next::kMessage:
          AppendMessage(channel, chunk);
          progress = true;
          break;
        case EventStream::Next::kPending:
          break;
        case EventStream::Next::kEnded:
          // One channel's end is the subscription's: a client that
          // reconnects subscribes to all of them again.
          ended_ = true;
          Done(end);
          return Next::kEnd;
      }
    }
  }
  return chunk->empty() ? Next::kPending : Next::kChunk;
}

void ServerEventsSubscription::SetWakeup(std::function<void()> wake) {
  for (const Channel& channel : channels_) channel.events->SetWakeup(wake);
  absl::MutexLock lock(&wake_mu_);
  wake_ = std::move(wake);
}

void ServerEventsSubscription::Wake() {
  absl::MutexLock lock(&wake_mu_);
  if (wake_) wake_();
}

void ServerEventsSubscription::Pulse(absl::Time now) {
  {
    absl::MutexLock lock(&mu_);
    last_pulse_ = now;
    heartbeat_waiting_ = true;
  }
  Wake();
}

void ServerEventsSubscription::Close(absl::Status why) {
  {
    absl::MutexLock lock(&mu_);
    if (closed_.has_value()) return;
    closed_ = std::move(why);
  }
  Wake();
}

absl::Time ServerEventsSubscription::last_pulse() const {
  absl::MutexLock lock(&mu_);
  return last_pulse_;
}

void ServerEventsSubscription::Cancel() { Done(absl::CancelledError("the client went away")); }

void ServerEventsSubscription::Done(const absl::Status& status) {
  if (done_.exchange(true)) return;
  for (const Channel& channel : channels_) channel.events->Cancel();
  {
    // Waits for a wake-up running right now; none starts after this.
    absl::MutexLock lock(&wake_mu_);
    wake_ = nullptr;
  }
  if (on_done_) on_done_(status);
  on_done_ = nullptr;
}

}  // namespace sessions::gateway
