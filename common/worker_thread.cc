#include "common/worker_thread.h"

#include <pthread.h>

#include <utility>

namespace sessions {

WorkerThread::WorkerThread(std::string name, std::function<void()> body) {
  absl::MutexLock lock(&mu_);
  thread_ = std::thread([name = std::move(name), body = std::move(body)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    body();
  });
}

WorkerThread::~WorkerThread() { Join(); }

void WorkerThread::Join() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) thread_.join();
}

}  // namespace sessions
