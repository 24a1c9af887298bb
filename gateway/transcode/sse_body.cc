#include "gateway/transcode/sse_body.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gateway/codec/field_plan.h"
#include "gateway/codec/json_writer.h"
#include "gateway/http/content_negotiation.h"
#include "gateway/transcode/http_status_map.h"
#include "gateway/transcode/response_status.h"

namespace sessions::gateway {
namespace {

// Events of one chunk: enough to fill a TCP segment train, small enough to
// keep the connection's write short.
constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

std::string SseEventName(const google::protobuf::EnumValueDescriptor* value) {
  return absl::AsciiStrToLower(CSharpEnumValueName(value));
}

void SseBody::AppendEvent(const google::protobuf::Message& message, std::string* out) const {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::string event = "message";
  if (type_field_ != nullptr && type_field_->enum_type() != nullptr) {
    event = SseEventName(reflection->GetEnum(message, type_field_));
  }
  absl::StrAppend(out, "event: ", event, "\n");
  if (revision_field_ != nullptr &&
      revision_field_->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64 &&
      event != "snapshot") {
    absl::StrAppend(out, "id: ", reflection->GetInt64(message, revision_field_), "\n");
  }
  // The JSON writer escapes control characters: the data is one line.
  out->append("data: ");
  JsonWriter::Write(message, out);
  out->append("\n\n");
}

SseBody::SseBody(std::shared_ptr<EventStream> events, const google::protobuf::Message& prototype,
                 absl::Duration retry, std::function<void(const absl::Status&)> on_done)
    : events_(std::move(events)),
      message_(prototype.New()),
      // Looked up once per stream, not per event.
      type_field_(prototype.GetDescriptor()->FindFieldByName(kSseTypeField)),
      revision_field_(prototype.GetDescriptor()->FindFieldByName(kSseIdField)),
      retry_(retry),
      on_done_(std::move(on_done)) {}

SseBody::~SseBody() { Cancel(); }

BodySource::Next SseBody::NextChunk(std::string* chunk) {
  chunk->clear();
  if (ended_) return Next::kEnd;
  if (!started_) {
    started_ = true;
    absl::StrAppend(chunk, "retry: ", absl::ToInt64Milliseconds(retry_), "\n\n");
  }
  while (chunk->size() < kChunkBytes) {
    absl::Status end;
    switch (events_->Pop(message_.get(), &end)) {
      case EventStream::Next::kMessage:
        AppendEvent(*message_, chunk);
        continue;
      case EventStream::Next::kPending:
        return chunk->empty() ? Next::kPending : Next::kChunk;
      case EventStream::Next::kEnded:
        if (end.code() != absl::StatusCode::kCancelled) {
          absl::StrAppend(chunk, "event: end\ndata: ",
                          RenderResponseStatus(HttpErrorFromStatus(end), ResponseFormat::kJson),
                          "\n\n");
        }
        ended_ = true;
        Done(end);
        return Next::kEnd;
    }
  }
  return Next::kChunk;
}

void SseBody::SetWakeup(std::function<void()> wake) { events_->SetWakeup(std::move(wake)); }

void SseBody::Cancel() {
  events_->Cancel();
  Done(absl::CancelledError("the client went away"));
}

void SseBody::Done(const absl::Status& status) {
  if (done_.exchange(true)) return;
  if (on_done_) on_done_(status);
  on_done_ = nullptr;
}

}  // namespace sessions::gateway
