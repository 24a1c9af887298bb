// Runs a method-table stream (EventStream) as a gRPC server-streaming call:
// one message in flight at a time, the next one popped when the previous
// is written, so a slow client slows only its own stream (what piles up
// meanwhile is the stream's to bound). Ends the call with the stream's end
// status, or when the client goes away.
#ifndef SERVICE_GRPC_GRPC_STREAM_CALL_H_
#define SERVICE_GRPC_GRPC_STREAM_CALL_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "grpcpp/support/slice.h"
#include "service/event_stream.h"
#include "service/grpc/grpc_status_util.h"
#include "service/grpc/grpc_unary_call.h"
#include "service/method_table.h"

namespace sessions {

// How the stream's next message becomes the call's write: a protobuf
// message (Pop), or, for raw methods, the wire bytes the stream makes
// (PopSerialized; no message built).
inline EventStream::Next PopInto(EventStream& stream, google::protobuf::Message* out,
                                 absl::Status* end) {
  return stream.Pop(out, end);
}
inline EventStream::Next PopInto(EventStream& stream, grpc::ByteBuffer* out, absl::Status* end) {
  std::string bytes;
  const EventStream::Next next = stream.PopSerialized(&bytes, end);
  if (next == EventStream::Next::kMessage) {
    grpc::Slice slice(bytes);
    *out = grpc::ByteBuffer(&slice, 1);
  }
  return next;
}

// Deletes itself when gRPC is done with the call (OnDone). `Response` is the
// method's response message, or grpc::ByteBuffer for a raw method.
template <typename Response>
class GrpcStreamCall final : public grpc::ServerWriteReactor<Response> {
 public:
  // `request` is the parsed request, or the error of parsing it (answered
  // through MethodTable::RefuseStream).
  GrpcStreamCall(const MethodTable& table, const StreamEntry& entry,
                 grpc::CallbackServerContext* grpc_context,
                 absl::StatusOr<const google::protobuf::Message*> request)
      : table_(table), entry_(entry), call_(grpc_context), start_(absl::Now()) {
    if (!request.ok()) {
      reported_ = true;
      Finish(table_.RefuseStream(entry_, call_.context(), request.status()));
      return;
    }
    absl::StatusOr<std::shared_ptr<EventStream>> stream =
        table_.OpenStream(entry_, call_.context(), **request);
    if (!stream.ok()) {
      reported_ = true;  // OpenStream reported it
      Finish(stream.status());
      return;
    }
    stream_ = *std::move(stream);
    stream_->SetWakeup([this] { WriteNext(); });
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    bool finish_now = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      finish_now = finished_;  // Finish() waited for this write
    }
    if (finish_now) return SendFinish();
    if (!ok) return Finish(absl::CancelledError("the client went away"));
    WriteNext();
  }

  void OnCancel() override { Finish(absl::CancelledError("the client cancelled")); }

  void OnDone() override {
    // No wake-up runs once Cancel() has returned: `this` may go.
    if (stream_ != nullptr) stream_->Cancel();
    absl::Status status;
    {
      absl::MutexLock lock(&mu_);
      status = status_;
    }
    if (!reported_) table_.StreamDone(entry_, *call_.context(), status, absl::Now() - start_);
    delete this;
  }

 private:
  // Pops and writes the next message unless one is in flight.
  void WriteNext() {
    bool write = false;
    {
      absl::MutexLock lock(&mu_);
      if (writing_ || finished_) return;
      absl::Status end;
      switch (PopInto(*stream_, &message_, &end)) {
        case EventStream::Next::kPending:
          return;
        case EventStream::Next::kMessage:
          writing_ = write = true;  // under the lock: Finish() now waits for this write
          break;
        case EventStream::Next::kEnded:
          finished_ = true;
          status_ = std::move(end);
          break;
      }
    }
    // Outside the lock: gRPC may run OnWriteDone inline.
    if (write) {
      this->StartWrite(&message_);
    } else {
      SendFinish();
    }
  }

  // Ends the call with `status` (once); while a write is in flight, the
  // status is sent when it completes (gRPC forbids Finish meanwhile).
  void Finish(absl::Status status) {
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
      status_ = std::move(status);
      if (writing_) return;  // OnWriteDone sends it
    }
    SendFinish();
  }

  void SendFinish() {
    absl::Status status;
    {
      absl::MutexLock lock(&mu_);
      status = status_;
    }
    this->grpc::ServerWriteReactor<Response>::Finish(ToGrpcStatus(status));
  }

  const MethodTable& table_;
  const StreamEntry& entry_;
  GrpcCallContext call_;
  const absl::Time start_;
  std::shared_ptr<EventStream> stream_;
  bool reported_ = false;

  absl::Mutex mu_;
  Response message_ ABSL_GUARDED_BY(mu_);  // the message in flight
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sessions

#endif  // SERVICE_GRPC_GRPC_STREAM_CALL_H_
