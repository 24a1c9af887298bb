// A server stream as the core hands it to a transport: a pull-based source
// of messages. The transport writes one message at a time, at the pace its
// client reads, and asks for the next when the previous one is sent; when
// nothing is ready it waits for the stream's wake-up. So a slow client
// never makes the producer wait: what piles up is the stream's business
// (bounded, coalesced, or ended; see Watch).
#ifndef SERVICE_EVENT_STREAM_H_
#define SERVICE_EVENT_STREAM_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace sessions {

// Interface; implementations are thread-safe.
class EventStream {
 public:
  enum class Next {
    kMessage,  // `out` holds the next message
    kPending,  // nothing yet: the wake-up runs once there is
    kEnded,    // the stream is over: `end` holds its status
  };

  virtual ~EventStream() = default;

  // Takes the next message (of the method's response type) into `out`.
  virtual Next Pop(google::protobuf::Message* out, absl::Status* end) = 0;

  // As Pop(), but the message's wire form (the serialized response) into
  // `out`: for transports that send bytes, when the stream can make them
  // without building the message.
  virtual Next PopSerialized(std::string* out, absl::Status* end) = 0;

  // Sets the function to run when Pop() would stop answering kPending. Set
  // once, before the first Pop(). It may run on any thread, must be quick
  // and must not call Pop() itself while holding transport locks that Pop()
  // could need.
  virtual void SetWakeup(std::function<void()> wake) = 0;

  // The transport is done with the stream (client gone, call finished):
  // release what it holds. No wake-up runs after Cancel() returns.
  virtual void Cancel() = 0;
};

}  // namespace sessions

#endif  // SERVICE_EVENT_STREAM_H_
