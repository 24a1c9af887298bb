// How many GetActiveSessions answers each token has handed to gRPC that its
// client has not read yet, bounded. gRPC keeps an answer in the server's
// memory until the client's HTTP/2 flow-control window lets it out, and
// its resource quota does not count them: measured (RELIABILITY.md), 60
// connections of one read token with 256 streams each and a closed window
// held 1 GB (~65 KB per 20-session answer), kept after they left. Past
// `max_per_token` a token's next answers are RESOURCE_EXHAUSTED (a
// trailer, no body) until its client reads: a client that stops reading
// costs at most `max_per_token` answers, and only its own calls fail.
//
// Thread-safe.
#ifndef SERVICE_GRPC_UNREAD_ANSWERS_H_
#define SERVICE_GRPC_UNREAD_ANSWERS_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace sessions {

class UnreadAnswers {
 public:
  explicit UnreadAnswers(int max_per_token) : max_per_token_(max_per_token) {}

  // Takes a place for one answer of `token_id`; false when it has none.
  bool TryAcquire(const std::string& token_id);
  // Gives back a place TryAcquire() took (the answer was sent or dropped).
  void Release(const std::string& token_id);

 private:
  const int max_per_token_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> unread_ ABSL_GUARDED_BY(mu_);  // no zero entries
};

}  // namespace sessions

#endif  // SERVICE_GRPC_UNREAD_ANSWERS_H_
