// A named thread running one function, joined once: the shell of the
// store's long-running threads (group commit writer and completions, WAL
// checkpoints). The thread's name shows in `top -H`, perf and gdb.
//
//   WorkerThread thread("store-writer", [this] { Loop(); });
//   ... make Loop() return (the owner's own stop flag) ...
//   thread.Join();
//
// Thread-safe: Join() may be called from several threads and more than
// once; every call returns after the function has returned.
#ifndef COMMON_WORKER_THREAD_H_
#define COMMON_WORKER_THREAD_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace sessions {

class WorkerThread {
 public:
  // Starts `body` on a new thread named `name` (Linux keeps the first 15
  // characters).
  WorkerThread(std::string name, std::function<void()> body);
  // Joins: the owner must have made the body return, or this blocks.
  ~WorkerThread();

  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  // Waits until the body has returned. Must not be called from the thread itself.
  void Join();

 private:
  absl::Mutex mu_;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sessions

#endif  // COMMON_WORKER_THREAD_H_
