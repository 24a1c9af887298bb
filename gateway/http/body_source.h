// The body of a streamed HTTP response (Server-Sent Events): produced over
// time, pulled by the connection one chunk at a time at the pace the client
// reads, so that a slow client costs the producer nothing (what piles up is
// the source's to bound).
#ifndef GATEWAY_HTTP_BODY_SOURCE_H_
#define GATEWAY_HTTP_BODY_SOURCE_H_

#include <functional>
#include <string>

namespace sessions::gateway {

// Interface; implementations are thread-safe.
class BodySource {
 public:
  enum class Next {
    kChunk,    // `chunk` holds the next bytes of the body
    kPending,  // nothing yet: the wake-up runs once there is
    kEnd,      // the body is complete (`chunk` may hold its last bytes)
  };

  virtual ~BodySource() = default;

  // Takes the next chunk of the body into `chunk` (replacing its content).
  virtual Next NextChunk(std::string* chunk) = 0;

  // Sets the function to run when NextChunk() would stop answering
  // kPending. Set once, before the first NextChunk(); it may run on any
  // thread and must be quick.
  virtual void SetWakeup(std::function<void()> wake) = 0;

  // The connection is done with the body (sent, client gone, server
  // closing): release what it holds. No wake-up runs after it returns.
  virtual void Cancel() = 0;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_BODY_SOURCE_H_
