// Best-effort work off the caller's thread: a bounded FIFO of tasks run one
// at a time by a named WorkerThread. For writes nobody waits for (a token's
// last-use time) that must never make a request wait for a lock.
//
//   BackgroundQueue queue("token-use", 1024);
//   if (!queue.TryPost([] { ... })) { /* full: the task is dropped */ }
//
// Thread-safe. The destructor runs the tasks already queued, then joins.
#ifndef COMMON_BACKGROUND_QUEUE_H_
#define COMMON_BACKGROUND_QUEUE_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/worker_thread.h"

namespace sessions {

class BackgroundQueue {
 public:
  // `max_pending` (at least 1) bounds the tasks waiting, so a stuck task
  // costs bounded memory.
  BackgroundQueue(std::string name, size_t max_pending);
  ~BackgroundQueue();

  BackgroundQueue(const BackgroundQueue&) = delete;
  BackgroundQueue& operator=(const BackgroundQueue&) = delete;

  // Queues `task`; false (and `task` dropped) when max_pending are waiting.
  bool TryPost(std::function<void()> task);

 private:
  void Loop();

  const size_t max_pending_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<WorkerThread> thread_;  // last: started after the rest
};

}  // namespace sessions

#endif  // COMMON_BACKGROUND_QUEUE_H_
